"""create_app(settings) -> the ASGI app. Everything a process needs is built here, nothing at import."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from chatlytics.access import KeyRing
from chatlytics.analytics.growth_routes import router as growth_router
from chatlytics.analytics.operations_routes import router as operations_router
from chatlytics.analytics.routes import router as analytics_router
from chatlytics.analytics.transcript_routes import router as transcript_router
from chatlytics.context import AppContext
from chatlytics.dashboard import router as dashboard_router
from chatlytics.ingest.cors import IngestCORS
from chatlytics.ingest.errors import install_error_handlers
from chatlytics.ingest.failed import router as failed_router
from chatlytics.ingest.legacy import router as legacy_router
from chatlytics.ingest.pipeline import Privacy
from chatlytics.ingest.ratelimit import RateLimits
from chatlytics.ingest.routes import router as ingest_router
from chatlytics.lifecycle import retention_loop
from chatlytics.lifecycle import router as lifecycle_router
from chatlytics.ops.headers import SecurityHeaders
from chatlytics.ops.routes import RequestMetrics
from chatlytics.ops.routes import router as ops_router
from chatlytics.settings import Settings
from chatlytics.store.database import Database
from chatlytics.store.writer import BatchWriter
from chatlytics.tracker import router as tracker_router


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> FastAPI:
    """Build the collector + analytics API for `settings` (and optionally an already open database)."""
    settings = settings or Settings()
    database = db or Database.connect(settings.sqlalchemy_url())
    writer = BatchWriter(
        database,
        max_events=settings.batch_processing_size,
        flush_ms=settings.batch_flush_ms,
        queue_events=settings.writer_queue_events,
        timeout_s=settings.session_timeout_minutes * 60,
    )
    ctx = AppContext(
        settings=settings,
        db=database,
        writer=writer,
        keys=KeyRing(settings, database),
        privacy=Privacy.from_settings(settings),
        limits=RateLimits(
            settings.rate_limit_per_key,
            settings.rate_limit_per_address,
            settings.rate_limit_storage,
        ),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await writer.start()
        retention = asyncio.create_task(retention_loop(ctx), name="chatlytics-retention")
        try:
            yield
        finally:
            retention.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retention
            await writer.stop()
            if db is None:
                database.dispose()

    app = FastAPI(
        title="chatlytics",
        version="1",
        lifespan=lifespan,
        summary="Analytics for website chatbots: collector and analytics API.",
    )
    app.state.ctx = ctx
    app.include_router(ingest_router)
    app.include_router(failed_router)
    app.include_router(lifecycle_router)
    if settings.legacy_routes:
        app.include_router(legacy_router)
    app.include_router(analytics_router)
    app.include_router(transcript_router)
    app.include_router(growth_router)
    app.include_router(operations_router)
    app.include_router(dashboard_router)
    app.include_router(ops_router)
    app.include_router(tracker_router)
    install_error_handlers(app)
    # Ingestion is called from any site's pages; the read API stays same-origin.
    app.add_middleware(IngestCORS, origins=settings.cors_origins)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestMetrics)
    return app
