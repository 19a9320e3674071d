"""Errors the app answers itself: a database that is down is a 503 with Retry-After, never a 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)


def install_error_handlers(app: FastAPI) -> None:
    retry_after = str(app.state.ctx.settings.retry_after_seconds)

    async def database_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database error on %s: %s", request.url.path, exc)
        return JSONResponse(
            {"detail": "storage unavailable, try again later"},
            status_code=503,
            headers={"Retry-After": retry_after},
        )

    app.add_exception_handler(OperationalError, database_down)
    app.add_exception_handler(DBAPIError, database_down)
