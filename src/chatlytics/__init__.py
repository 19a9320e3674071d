"""chatlytics: analytics for website chatbots, from widget and chat-server events to exact figures.

The server's names are imported lazily so that `chatlytics.sdk` works without the server's dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatlytics.app import create_app
    from chatlytics.settings import Settings

__all__ = ["Settings", "create_app"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from chatlytics.app import create_app

        return create_app
    if name == "Settings":
        from chatlytics.settings import Settings

        return Settings
    raise AttributeError(name)
