"""Hypothesis on `chatlytics.events.validate_event`, in process: it must never raise, must accept every
event the contract calls valid (with its fields unchanged), and must give every refusal a reason.

Each event is first put through JSON and the collector's parser, so that it is what the function
receives in the collector.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from chatlytics.events import Rejection, validate_event
from faults.fuzz.shapes import any_value, broken_event, valid_event
from faults.fuzz.tally import Tally, shorten

EARLIEST = datetime(1970, 1, 1)
labelled = st.tuples(st.just(True), valid_event()) | st.tuples(
    st.just(False), broken_event() | any_value
)
# A sender's clock behind the collector's by up to a day (a clock ahead could move old events
# before 1970, which the contract refuses), or any time at all for the events that are broken anyway.
lag = st.none() | st.timedeltas(timedelta(0), timedelta(days=1))
any_time = st.none() | st.datetimes(timezones=st.just(UTC))


def _peek(raw: Any, key: str) -> str | None:
    """How a rejection names the event: its id cut to 255, a NUL written as \\u0000 (it is stored)."""
    value = raw.get(key) if isinstance(raw, dict) else None
    return value[:255].replace("\x00", "\\u0000") if isinstance(value, str) else None


def _check(tally: Tally, raw: Any, valid: bool, index: int, result: object, repro: str) -> None:
    if isinstance(result, Rejection):
        if not result.error.strip():
            tally.fail("a rejection without a reason", repro)
        if result.index != index or result.event_id != _peek(raw, "event_id"):
            tally.fail("a rejection that names the wrong event", repro)
        if valid:
            tally.fail(f"a valid event refused: {result.error[:80]}", repro)
        return
    if not isinstance(raw, dict):
        tally.fail("something that is not an object accepted", repro)
        return
    kept = {
        "event_id": raw["event_id"],
        "type": raw["type"],
        "user_id": raw["user_id"],
        "session_id": raw["session_id"],
        "conversation_id": raw.get("conversation_id"),
        "page_url": raw.get("page_url"),
        "properties": raw.get("properties", {}),
    }
    got = {key: getattr(result, key) for key in kept}
    if got != kept:
        changed = sorted(k for k in kept if kept[k] != got[k])
        tally.fail(f"an accepted event's fields changed: {changed}", repro)
    occurred = getattr(result, "occurred_at", None)
    received = getattr(result, "received_at", None)
    if occurred is None or received is None or not EARLIEST <= occurred <= received:
        tally.fail("an accepted event's corrected time is outside [1970, received_at]", repro)


def fuzz_validator(*, examples: int, random_seed: int) -> Tally:
    tally = Tally("hypothesis: validate_event")
    received_at = datetime.now(UTC)

    @seed(random_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=labelled, index=st.integers(0, 499), behind=lag, anytime=any_time)
    def run(
        case: tuple[bool, Any], index: int, behind: timedelta | None, anytime: datetime | None
    ) -> None:
        valid, sent = case
        try:  # what the collector's JSON parser makes of it (integers past 64 bits become floats)
            raw = orjson.loads(json.dumps(sent))
        except orjson.JSONDecodeError:
            tally.case()  # nested past the parser's limit: the whole body is a 400 before this
            return
        sent_at = (received_at - behind if behind is not None else None) if valid else anytime
        repro = shorten(f"validate_event({index}, {raw!r}, sent_at={sent_at!r})")
        tally.case()
        try:
            result = validate_event(index, raw, sent_at=sent_at, received_at=received_at)
        except Exception as exc:  # the finding itself: the validator must never raise
            tally.fail(f"validate_event raised {type(exc).__name__}: {str(exc)[:60]}", repro)
            return
        _check(tally, raw, valid, index, result, repro)

    run()
    return tally
