"""DELETE /v1/users/{id} and GET /v1/users/{id}/export: GDPR erasure and export (admin key)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from chatlytics.access import AdminKey, UserId
from chatlytics.context import Context
from chatlytics.lifecycle.erase import erase_user
from chatlytics.lifecycle.export import export_user

router = APIRouter(tags=["privacy"])
UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: {"description": "nothing is held under this user id"}
}


class Erased(BaseModel):
    user_id: str = Field(description="the id as given")
    removed: dict[str, int] = Field(description="rows removed, per table")


def _unknown(user_id: str) -> HTTPException:
    return HTTPException(404, f"unknown user {user_id!r}: nothing is held under this id")


@router.delete(
    "/v1/users/{user_id:path}", response_model=Erased, responses=UNKNOWN, summary="Erase a user"
)
def erase(_: AdminKey, ctx: Context, user_id: UserId) -> Erased:
    """Remove everything held about the user, in one transaction (docs/privacy.md); an audit
    record keeps the fact without the id."""
    done = erase_user(ctx.db, user_id, settings=ctx.settings, actor="api")
    if done is None:
        raise _unknown(user_id)
    return Erased(user_id=done.user_id, removed=done.removed)


@router.get("/v1/users/{user_id:path}/export", responses=UNKNOWN, summary="Export a user's data")
def export(_: AdminKey, ctx: Context, user_id: UserId) -> dict[str, Any]:
    """Every row held about the user, per table; raw event properties decoded."""
    found = export_user(ctx.db, user_id, settings=ctx.settings)
    if found is None:
        raise _unknown(user_id)
    return found
