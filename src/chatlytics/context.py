"""What one running app holds: its settings, database, writer and key ring (no module globals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from chatlytics.access import KeyRing

if TYPE_CHECKING:
    from chatlytics.ingest.pipeline import Privacy
    from chatlytics.ingest.ratelimit import RateLimits
from chatlytics.settings import Settings
from chatlytics.store.database import Database
from chatlytics.store.writer import BatchWriter


@dataclass
class AppContext:
    settings: Settings
    db: Database
    writer: BatchWriter
    keys: KeyRing
    privacy: Privacy
    limits: RateLimits


def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Context = Annotated[AppContext, Depends(get_context)]
