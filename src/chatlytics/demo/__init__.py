"""The reference chatbot: a tyre shop whose product pages carry the browser tracker and whose chat
server reports with the Python SDK, plus a simulator of visitors for it.

    chatlytics up          # collector on :8000 and this demo on :8001, in one process
    chatlytics simulate --users 20 --minutes 2
"""

from __future__ import annotations

from chatlytics.demo.app import create_demo_app
from chatlytics.demo.bot import Reply, answer
from chatlytics.demo.catalogue import Catalogue, Tyre, default_catalogue, load_catalogue

__all__ = [
    "Catalogue",
    "Reply",
    "Tyre",
    "answer",
    "create_demo_app",
    "default_catalogue",
    "load_catalogue",
]
