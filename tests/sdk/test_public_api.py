"""The SDK's public names, and that importing it pulls in none of the server's dependencies."""

from __future__ import annotations

import json
import subprocess
import sys

import chatlytics.sdk
import chatlytics.sdk.websocket

SERVER_ONLY = [
    "fastapi",
    "starlette",
    "sqlalchemy",
    "pydantic",
    "pydantic_settings",
    "orjson",
    "alembic",
    "uvicorn",
]


def test_the_public_api_is_pinned() -> None:
    assert chatlytics.sdk.__all__ == [
        "ChatSession",
        "Client",
        "Clock",
        "Counts",
        "HttpTransport",
        "Location",
        "Response",
        "SystemClock",
        "Transport",
        "tracked_session",
        "uuid7",
    ]
    assert chatlytics.sdk.websocket.__all__ == ["ChatSession", "tracked_session"]
    for name in chatlytics.sdk.__all__:
        assert getattr(chatlytics.sdk, name).__doc__, f"{name} has no docstring"


def test_importing_the_sdk_loads_no_server_dependency() -> None:
    probe = (
        "import json, sys\n"
        "import chatlytics.sdk, chatlytics.sdk.websocket\n"
        "client = chatlytics.sdk.Client('http://127.0.0.1:9', 'key', enabled=True)\n"
        "client.track('custom.thing', user_id='u', session_id='s')\n"
        "client.shutdown(timeout=0.01)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = {name.split(".")[0] for name in json.loads(found.stdout)}
    assert loaded.isdisjoint(SERVER_ONLY), loaded & set(SERVER_ONLY)
