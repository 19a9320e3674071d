"""API keys: stored as SHA-256 hashes, shown in full only when created."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.store.schema import api_keys
from chatlytics.store.timing import utcnow

Role = Literal["write", "read", "admin"]
ROLES: tuple[Role, ...] = ("write", "read", "admin")
PREFIX_LEN = 12


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(role: Role) -> str:
    return f"cl_{role[0]}_{secrets.token_urlsafe(24)}"


@dataclass(frozen=True)
class KeyInfo:
    id: int
    role: Role
    prefix: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


def create_key(conn: Connection, role: Role, label: str = "") -> str:
    """Store a new key of `role` and return it; it cannot be read back later."""
    key = new_key(role)
    conn.execute(
        sa.insert(api_keys).values(
            role=role,
            key_hash=hash_key(key),
            prefix=key[:PREFIX_LEN],
            label=label,
            created_at=utcnow(),
        )
    )
    return key


def list_keys(conn: Connection, *, include_revoked: bool = False) -> list[KeyInfo]:
    query = sa.select(
        api_keys.c.id,
        api_keys.c.role,
        api_keys.c.prefix,
        api_keys.c.label,
        api_keys.c.created_at,
        api_keys.c.revoked_at,
    ).order_by(api_keys.c.id)
    if not include_revoked:
        query = query.where(api_keys.c.revoked_at.is_(None))
    return [KeyInfo(*row) for row in conn.execute(query)]


def revoke_key(conn: Connection, id_or_prefix: str) -> int:
    """Revoke by numeric id or by the key's shown prefix; returns how many keys were revoked."""
    c = api_keys.c
    match = c.id == int(id_or_prefix) if id_or_prefix.isdigit() else c.prefix == id_or_prefix
    result = conn.execute(
        sa.update(api_keys).where(match, c.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    return result.rowcount


def active_hashes(conn: Connection) -> dict[str, Role]:
    rows = conn.execute(
        sa.select(api_keys.c.key_hash, api_keys.c.role).where(api_keys.c.revoked_at.is_(None))
    )
    return {h: role for h, role in rows}
