"""The ingestion pipeline shared by /v1/events and the legacy routes.

drop bots -> redact -> reduce client info -> validate -> consent -> pseudonymize -> store -> count.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import HTTPException

from chatlytics.context import AppContext
from chatlytics.events import Rejection, ValidEvent, validate_event
from chatlytics.ingest.client import ClientInfo, reduced_client_info, warm_up
from chatlytics.ingest.pseudonym import pseudonym
from chatlytics.ingest.redact import Redactor
from chatlytics.ops import metrics
from chatlytics.settings import Settings
from chatlytics.store.anonymous import Key
from chatlytics.store.batch import wire_event
from chatlytics.store.writer import StorageUnavailable, WriterOverloaded


@dataclass(frozen=True)
class Privacy:
    """The ingest-time privacy rules of one app, built once from its settings."""

    redactor: Redactor | None
    drop_bots: bool
    secret: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Privacy:
        warm_up()
        return cls(
            redactor=Redactor(settings.phone_region) if settings.redact_pii else None,
            drop_bots=settings.drop_bots,
            secret=settings.user_id_secret if settings.pseudonymize_user_ids else None,
        )


@dataclass(frozen=True)
class Outcome:
    accepted: int
    duplicates: int
    rejected: list[Rejection]
    discarded: int = 0  # received but, by rule, not stored (bots, no consent): counted only


def _prepared(raw: object, privacy: Privacy) -> object:
    """Redacted and with client info reduced, before anything looks at it (rejections included)."""
    if privacy.redactor is not None:
        raw = privacy.redactor.event(raw)
    if isinstance(raw, dict) and raw.get("type") == "session_start":
        props = raw.get("properties")
        if isinstance(props, dict) and "client_info" in props:
            info = reduced_client_info(props["client_info"])
            raw = {**raw, "properties": {**props, "client_info": info}}
    return raw


def _pseudonymized(item: Any, secret: str | None) -> Any:
    if secret is None:
        return item
    if isinstance(item, ValidEvent):
        return dataclasses.replace(item, user_id=pseudonym(item.user_id, secret))
    raw = item.raw
    if isinstance(raw, dict) and isinstance(raw.get("user_id"), str):
        raw = {**raw, "user_id": pseudonym(raw["user_id"], secret)}
    user = pseudonym(item.user_id, secret) if item.user_id else None
    return dataclasses.replace(item, user_id=user, raw=raw)


async def ingest(
    ctx: AppContext,
    raw_events: list[object],
    *,
    sent_at: datetime | None,
    received_at: datetime,
    client: ClientInfo | None = None,
) -> Outcome:
    """Validate every event, store valid and invalid ones durably, and say what happened to each."""
    privacy = ctx.privacy
    day = received_at.date()
    valid: list[ValidEvent] = []
    valid_at: list[int] = []  # each valid event's index in the request
    rejected: list[Rejection] = []
    anonymous: Counter[Key] = Counter()
    # A crawler's page views are not visitors; a chat server's events (whatever its HTTP client
    # calls itself) always are, so only widget events are judged by the request's User-Agent.
    bot = client is not None and client.is_bot and privacy.drop_bots
    for index, raw in enumerate(raw_events):
        checked = validate_event(
            index,
            _prepared(raw, privacy),
            sent_at=sent_at,
            received_at=received_at,
            client=client,
        )
        if isinstance(checked, Rejection):
            rejected.append(_pseudonymized(checked, privacy.secret))
        elif bot and checked.source == "widget":
            anonymous[(day, checked.type, "bot")] += 1
        elif not checked.consent:
            anonymous[(day, checked.type, "no_consent")] += 1
        else:
            valid.append(_pseudonymized(checked, privacy.secret))
            valid_at.append(index)
    retry = {"Retry-After": str(ctx.settings.retry_after_seconds)}
    try:
        written = await ctx.writer.submit(valid, rejected, received_at, anonymous)
    except StorageUnavailable:
        # The cause (logged by the writer) may quote SQL and other senders' rows: not for the client.
        raise HTTPException(503, "storage unavailable, nothing was stored", headers=retry) from None
    except WriterOverloaded as exc:
        raise HTTPException(
            503, f"collector overloaded, nothing was stored: {exc}", headers=retry
        ) from None
    if written.refused:  # valid, but the database would not take them: kept like rejections
        rejected.extend(_refused(valid, valid_at, written.refused))
        rejected.sort(key=lambda r: r.index)
    accepted = len(written.accepted)
    duplicates = len(valid) - accepted - len(written.refused)
    discarded = sum(anonymous.values())
    metrics.EVENTS.labels("accepted").inc(accepted)
    metrics.EVENTS.labels("duplicate").inc(duplicates)
    metrics.EVENTS.labels("rejected").inc(len(rejected))
    for (_, _, reason), n in anonymous.items():
        metrics.EVENTS.labels(reason).inc(n)
    return Outcome(accepted, duplicates, rejected, discarded)


def _refused(
    valid: list[ValidEvent], valid_at: list[int], refused: Mapping[int, str]
) -> list[Rejection]:
    return [
        Rejection(valid_at[p], valid[p].event_id, valid[p].user_id, reason, wire_event(valid[p]))
        for p, reason in refused.items()
    ]
