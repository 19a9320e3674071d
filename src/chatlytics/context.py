"""What one running app holds: its settings, database, writer and key ring (no module globals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from chatlytics.access import KeyRing
from chatlytics.settings import Settings
from chatlytics.store.database import Database
from chatlytics.store.writer import BatchWriter


@dataclass
class AppContext:
    settings: Settings
    db: Database
    writer: BatchWriter
    keys: KeyRing


def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Context = Annotated[AppContext, Depends(get_context)]
