"""Who may call what, and about which ids: FastAPI dependencies every router shares.

Roles: write (ingest), read (analytics), admin (everything a read key can do, and administration).
Keys come from the settings and from the database. No key -> 401; a valid key of the wrong role -> 403.
A path id that no stored event can carry is a 404 without asking the database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request

from chatlytics.settings import Settings
from chatlytics.store.database import Database
from chatlytics.store.keys import Role, active_hashes, hash_key

ALLOWED: dict[Role, frozenset[Role]] = {
    "write": frozenset({"write"}),
    "read": frozenset({"read", "admin"}),
    "admin": frozenset({"admin"}),
}


class KeyRing:
    """Hashes of every valid key; database keys are re-read every KEY_CACHE_SECONDS (revocation)."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self._db = db
        self._ttl = settings.key_cache_seconds
        self._static: dict[str, Role] = {}
        for role, keys in (
            ("write", settings.write_keys),
            ("read", settings.read_keys),
            ("admin", settings.admin_keys),
        ):
            for key in keys:
                self._static[hash_key(key)] = role  # type: ignore[assignment]
        self._stored: dict[str, Role] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        with self._lock:
            if time.monotonic() - self._loaded_at < self._ttl:
                return
            with self._db.read() as conn:
                self._stored = active_hashes(conn)
            self._loaded_at = time.monotonic()

    def role_of(self, key: str) -> Role | None:
        """The role of `key`, or None; may read the database (call off the event loop)."""
        digest = hash_key(key)
        if digest in self._static:
            return self._static[digest]
        if time.monotonic() - self._loaded_at >= self._ttl:
            self._refresh()
        return self._stored.get(digest)

    def cached_role_of(self, key: str) -> Role | bool | None:
        """The role without touching the database; False when the cache is too old to say."""
        digest = hash_key(key)
        if digest in self._static:
            return self._static[digest]
        if time.monotonic() - self._loaded_at >= self._ttl:
            return False
        return self._stored.get(digest)


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def check(ring: KeyRing, key: str | None, role: Role) -> None:
    """Raise 401 or 403 unless `key` holds `role`."""
    if not key:
        raise HTTPException(
            401,
            "missing API key: send Authorization: Bearer <key>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    found = ring.role_of(key)
    if found is None:
        raise HTTPException(
            401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"}
        )
    if found not in ALLOWED[role]:
        raise HTTPException(403, f"this endpoint needs {_a(role)} key, not {_a(found)} key")


def _a(role: str) -> str:
    return f"an {role}" if role == "admin" else f"a {role}"


def requires(role: Role) -> Callable[[Request], None]:
    """A sync dependency (FastAPI runs it on a worker thread, so the key lookup may hit the DB)."""

    def dependency(request: Request) -> None:
        check(request.app.state.ctx.keys, bearer(request), role)

    return dependency


ReadKey = Annotated[None, Depends(requires("read"))]
AdminKey = Annotated[None, Depends(requires("admin"))]


# Ingest refuses NUL in every text (PostgreSQL text cannot hold it), so no id holding it is stored;
# asked of the database, PostgreSQL would refuse the query and the answer would be a 503.
def _stored(kind: str, value: str) -> str:
    if "\x00" in value:
        raise HTTPException(
            404, f"unknown {kind} {value!r}: no {kind} id holds the NUL character (U+0000)"
        )
    return value


def _user_id(user_id: Annotated[str, Path(description="as sent in events")]) -> str:
    return _stored("user", user_id)


def _conversation_id(
    conversation_id: Annotated[str, Path(description="as sent in events")],
) -> str:
    return _stored("conversation", conversation_id)


# Path ids to look up: declare them after the key, so that a caller without one learns nothing.
UserId = Annotated[str, Depends(_user_id)]
ConversationId = Annotated[str, Depends(_conversation_id)]
