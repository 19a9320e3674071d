"""One typed method per chat-server event of the catalogue (events/catalogue.py), over `track`.

Optional properties left as None are not sent. Every method returns the event's id, or None when the
event was not queued (client disabled, queue full, or shut down).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, TypedDict

from chatlytics.sdk._gauges import Gauges


class Location(TypedDict, total=False):
    """Where the visitor is, as the chat server knows it (e.g. from a GeoIP lookup)."""

    city: str
    region: str
    country: str
    latitude: float
    longitude: float


def _present(**properties: Any) -> dict[str, Any]:
    return {name: value for name, value in properties.items() if value is not None}


class EventMethods(ABC):
    """The typed helpers; a subclass provides `_emit`, which queues an event it may keep as is."""

    gauges: Gauges

    @abstractmethod
    def _emit(
        self,
        type_: str,
        user_id: str,
        session_id: str,
        conversation_id: str | None,
        page_url: str | None,
        properties: dict[str, Any],
        timestamp: datetime | None,
    ) -> str | None: ...

    def session_start(
        self,
        user_id: str,
        session_id: str,
        *,
        client_info: str | Mapping[str, Any] | None = None,
        location: Location | None = None,
        page_url: str | None = None,
        timestamp: datetime | None = None,
    ) -> str | None:
        """A chat session began (e.g. the widget's WebSocket was accepted)."""
        info = dict(client_info) if isinstance(client_info, Mapping) else client_info
        where = dict(location) if location else None
        props = _present(client_info=info, location=where)
        return self._emit("session_start", user_id, session_id, None, page_url, props, timestamp)

    def session_end(
        self,
        user_id: str,
        session_id: str,
        *,
        status: Literal["completed", "error"] = "completed",
        reason: str | None = None,
        timestamp: datetime | None = None,
    ) -> str | None:
        """The session is over; `error` (with a reason) when it ended by a failure."""
        props = _present(status=status, reason=reason)
        return self._emit("session_end", user_id, session_id, None, None, props, timestamp)

    def conversation_start(
        self,
        user_id: str,
        session_id: str,
        conversation_id: str,
        *,
        timestamp: datetime | None = None,
    ) -> str | None:
        return self._emit(
            "conversation_start", user_id, session_id, conversation_id, None, {}, timestamp
        )

    def conversation_end(
        self,
        user_id: str,
        session_id: str,
        conversation_id: str,
        *,
        status: Literal["completed", "handover"] = "completed",
        timestamp: datetime | None = None,
    ) -> str | None:
        """The conversation is over: answered (`completed`) or passed to a person (`handover`)."""
        props = {"status": status}
        return self._emit(
            "conversation_end", user_id, session_id, conversation_id, None, props, timestamp
        )

    def user_message(
        self,
        user_id: str,
        session_id: str,
        conversation_id: str,
        content: str,
        *,
        message_id: str | None = None,
        timestamp: datetime | None = None,
    ) -> str | None:
        props = _present(content=content, message_id=message_id)
        return self._emit(
            "user_message", user_id, session_id, conversation_id, None, props, timestamp
        )

    def bot_response(
        self,
        user_id: str,
        session_id: str,
        conversation_id: str,
        content: str,
        *,
        latency_ms: float,
        fallback: bool = False,
        model: str | None = None,
        tokens_in: int | None = None,
        tokens_out: int | None = None,
        cost: float | None = None,
        message_id: str | None = None,
        timestamp: datetime | None = None,
    ) -> str | None:
        """The bot answered, `latency_ms` after the user's message; `fallback` if it could not."""
        self.gauges.record_latency(latency_ms)
        props = _present(
            content=content,
            latency_ms=latency_ms,
            fallback=fallback,
            model=model,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost=cost,
            message_id=message_id,
        )
        return self._emit(
            "bot_response", user_id, session_id, conversation_id, None, props, timestamp
        )

    def system_message(
        self,
        user_id: str,
        session_id: str,
        conversation_id: str,
        content: str,
        *,
        message_id: str | None = None,
        timestamp: datetime | None = None,
    ) -> str | None:
        props = _present(content=content, message_id=message_id)
        return self._emit(
            "system_message", user_id, session_id, conversation_id, None, props, timestamp
        )

    def error(
        self,
        user_id: str,
        session_id: str,
        kind: str,
        message: str,
        *,
        conversation_id: str | None = None,
        timestamp: datetime | None = None,
    ) -> str | None:
        """Something failed in the chat server: `kind` groups errors (e.g. `llm_timeout`)."""
        props = {"kind": kind, "message": message}
        return self._emit("error", user_id, session_id, conversation_id, None, props, timestamp)

    def performance(
        self,
        user_id: str,
        session_id: str,
        *,
        cpu_percent: float | None = None,
        memory_mb: float | None = None,
        active_connections: int | None = None,
        response_time_ms: float | None = None,
        timestamp: datetime | None = None,
    ) -> str | None:
        """A reading of the chat server's health; see also `Client(performance_interval=...)`."""
        props = _present(
            cpu_percent=cpu_percent,
            memory_mb=memory_mb,
            active_connections=active_connections,
            response_time_ms=response_time_ms,
        )
        return self._emit("performance", user_id, session_id, None, None, props, timestamp)
