"""Keys for the API tests."""

from __future__ import annotations

from accounts.scope import Scope
from api import services


def make_key(user, *, role=None, read_only=False, **extra) -> tuple:
    """A key made by ``user`` (with their own role unless ``role``); (key, token)."""
    return services.create_key(
        Scope(user=user),
        name=extra.pop("name", "test"),
        role=role or user.role,
        read_only=read_only,
        **extra,
    )


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
