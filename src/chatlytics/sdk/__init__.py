"""The Python SDK for chat servers: `Client` -> bounded queue -> consumer thread -> transport.

    from chatlytics.sdk import Client

    analytics = Client("https://analytics.example.com", write_key="...")
    analytics.user_message(user_id, session_id, conversation_id, "Do you ship to Canada?")

Imports only the standard library (and httpx, when the default transport first sends), so a chat
server can use it without the chatlytics server's dependencies.
"""

from __future__ import annotations

from chatlytics.sdk._client import Client
from chatlytics.sdk._clock import Clock, SystemClock
from chatlytics.sdk._counters import Counts
from chatlytics.sdk._events import Location
from chatlytics.sdk._transport import HttpTransport, Response, Transport
from chatlytics.sdk._uuid7 import uuid7
from chatlytics.sdk.websocket import ChatSession, tracked_session

__all__ = [
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
