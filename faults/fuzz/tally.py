"""Counting fuzz cases, and keeping the smallest reproduction of each distinct problem."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

MAX_REPRO_CHARS = 600


def reason_of(content: bytes) -> str | None:
    """The `detail` of an error answer, flattened to text; None when there is none to read."""
    try:
        body: Any = orjson.loads(content)
    except orjson.JSONDecodeError:
        return None
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str) and detail.strip():
        return detail
    if isinstance(detail, list) and detail:
        messages = [d.get("msg") for d in detail if isinstance(d, dict)]
        texts = [m for m in messages if isinstance(m, str) and m.strip()]
        if texts and len(texts) == len(detail):
            return "; ".join(texts)
    return None


@dataclass
class Problem:
    """One kind of failure (same part, same status, same first words of the answer)."""

    count: int
    repro: str  # the smallest request seen that shows it


@dataclass
class Tally:
    """What one part of the fuzzing sent and how each answer measured up."""

    part: str
    cases: int = 0
    server_errors: int = 0  # any 5xx: the database is up, so even a 503 is a bug here
    unexplained_4xx: int = 0  # a 4xx without a non-empty `detail`
    other_failures: int = 0  # a broken invariant (a 200 that loses an event, a changed text, ...)
    statuses: Counter[int] = field(default_factory=Counter)
    problems: dict[str, Problem] = field(default_factory=dict)

    @property
    def failures(self) -> int:
        return self.server_errors + self.unexplained_4xx + self.other_failures

    def answer(self, where: str, status: int, content: bytes, repro: str) -> bool:
        """Count one HTTP answer and check the rules every route keeps; False if it broke one."""
        self.cases += 1
        self.statuses[status] += 1
        if status >= 500:
            self.fail(f"{where}: HTTP {status}: {_first_words(content)}", repro, kind="5xx")
            return False
        if 400 <= status < 500 and reason_of(content) is None:
            self.fail(
                f"{where}: HTTP {status} without a reason: {content[:80]!r}", repro, kind="4xx"
            )
            return False
        return True

    def case(self) -> None:
        """Count one case that is not an HTTP answer (an in-process call, a compared field)."""
        self.cases += 1

    def fail(self, signature: str, repro: str, *, kind: str = "other") -> None:
        if kind == "5xx":
            self.server_errors += 1
        elif kind == "4xx":
            self.unexplained_4xx += 1
        else:
            self.other_failures += 1
        known = self.problems.get(signature)
        if known is None:
            self.problems[signature] = Problem(1, repro)
        else:
            known.count += 1
            if len(repro) < len(known.repro):
                known.repro = repro


def _first_words(content: bytes) -> str:
    """Enough of an answer to tell problems apart, without the parts that change every time."""
    reason = reason_of(content)
    text = reason if reason is not None else content.decode(errors="replace")
    return text.split("\n", 1)[0][:90]


def shorten(text: str, limit: int = MAX_REPRO_CHARS) -> str:
    if len(text) <= limit:
        return text
    head, tail = text[: limit // 2], text[-limit // 4 :]
    return f"{head} ...[{len(text) - len(head) - len(tail):,} more characters]... {tail}"


def request(http: httpx.Client, method: str, url: str, **options: Any) -> httpx.Response:
    """One request; sent once more on a new connection if the old one was closed under it (uvicorn
    closes a connection after a 500 without saying so). A second failure is raised."""
    try:
        return http.request(method, url, **options)
    except httpx.TransportError:
        return http.request(method, url, **options)
