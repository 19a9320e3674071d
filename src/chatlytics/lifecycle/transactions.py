"""Write transactions that are tried again when the database gives up on them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from chatlytics.store.database import Database

T = TypeVar("T")
RETRIES = 3
log = logging.getLogger(__name__)


def write_retrying(db: Database, work: Callable[[Connection], T]) -> T:
    """Run `work` in one write transaction; on a database error (a deadlock with the ingest writer,
    a lock wait timeout, a dropped connection) roll back and run it again, up to RETRIES times."""
    for attempt in range(RETRIES + 1):
        try:
            with db.write() as conn:
                return work(conn)
        except DBAPIError as exc:
            if attempt == RETRIES:
                raise
            log.warning("transaction failed (%s); trying again", exc.orig)
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")
