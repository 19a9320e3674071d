"""The ingestion pipeline shared by /v1/events and the legacy routes: validate, store, count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import HTTPException

from chatlytics.context import AppContext
from chatlytics.events import Rejection, ValidEvent, validate_event
from chatlytics.ops import metrics
from chatlytics.store.writer import StorageUnavailable, WriterOverloaded


@dataclass(frozen=True)
class Outcome:
    accepted: int
    duplicates: int
    rejected: list[Rejection]


async def ingest(
    ctx: AppContext, raw_events: list[object], *, sent_at: datetime | None, received_at: datetime
) -> Outcome:
    """Validate every event, store valid and invalid ones durably, and say what happened to each."""
    valid: list[ValidEvent] = []
    rejected: list[Rejection] = []
    for index, raw in enumerate(raw_events):
        checked = validate_event(index, raw, sent_at=sent_at, received_at=received_at)
        (rejected if isinstance(checked, Rejection) else valid).append(checked)  # type: ignore[arg-type]
    retry = {"Retry-After": str(ctx.settings.retry_after_seconds)}
    try:
        accepted = await ctx.writer.submit(valid, rejected, received_at)
    except StorageUnavailable as exc:
        raise HTTPException(
            503, f"storage unavailable, nothing was stored: {exc}", headers=retry
        ) from None
    except WriterOverloaded as exc:
        raise HTTPException(
            503, f"collector overloaded, nothing was stored: {exc}", headers=retry
        ) from None
    metrics.EVENTS.labels("accepted").inc(len(accepted))
    metrics.EVENTS.labels("duplicate").inc(len(valid) - len(accepted))
    metrics.EVENTS.labels("rejected").inc(len(rejected))
    return Outcome(len(accepted), len(valid) - len(accepted), rejected)
