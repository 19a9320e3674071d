"""create_demo_app(): the tyre shop's product pages, their static files, and the chat WebSocket.

The pages load the browser tracker from the collector; the chat server reports with the Python SDK.
Both use the widget's ids, so chatlytics sees one session from two channels.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request, WebSocket
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from chatlytics.demo.bot import answer
from chatlytics.demo.catalogue import Catalogue, default_catalogue
from chatlytics.demo.chat import Bot, chat
from chatlytics.demo.page import content_security_policy, origin, render_product
from chatlytics.sdk import Client

STATIC = Path(__file__).parent / "static"


def create_demo_app(
    collector_url: str,
    write_key: str,
    *,
    sdk_client: Client | None = None,
    catalogue: Catalogue | None = None,
    bot: Bot | None = None,
) -> FastAPI:
    """The demo chat server, reporting to the chatlytics at `collector_url` with `write_key`.

    A given `sdk_client` is used as is and left open (its owner flushes it); otherwise the app makes
    one and shuts it down, delivering what is queued, when the app stops.
    """
    shop = catalogue or default_catalogue()
    client = sdk_client or Client(collector_url, write_key)
    silent = Client(collector_url, write_key, enabled=False)  # for visitors who are not counted
    reply = bot or (lambda text: answer(text, shop))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if sdk_client is None:
            await asyncio.to_thread(client.shutdown)  # delivering can take seconds: off the loop

    app = FastAPI(title=f"{shop.shop} (chatlytics demo)", lifespan=lifespan, docs_url=None)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def page(request: Request, tyre_id: str) -> HTMLResponse:
        tyre = shop.tyre(tyre_id)
        if tyre is None:
            raise HTTPException(404, f"no tyre {tyre_id!r} in the catalogue")
        body = render_product(
            tyre,
            shop,
            collector=collector_url,
            write_key=write_key,
            tab=request.query_params.get("tab"),
        )
        policy = content_security_policy(collector_url, origin(str(request.base_url)))
        return HTMLResponse(body, headers={"Content-Security-Policy": policy})

    @app.get("/", response_class=HTMLResponse, summary="The featured tyre's page")
    def home(request: Request) -> HTMLResponse:
        return page(request, shop.featured)

    @app.get("/tyres/{tyre_id}", response_class=HTMLResponse, summary="A tyre's page")
    def tyre_page(request: Request, tyre_id: str) -> HTMLResponse:
        return page(request, tyre_id)

    @app.websocket("/ws")
    async def websocket(socket: WebSocket) -> None:
        await chat(socket, client, silent, reply, shop.currency)

    return app
