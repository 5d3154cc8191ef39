"""Reads of the key pages: the keys of the manager's own tenant."""

from __future__ import annotations

from accounts.roles import Action
from api.models import ApiKey


def api_keys(scope):
    """Keys of the user's own tenant (a manager manages the keys of the tenant they work
    in; a reseller's customers make their own)."""
    scope.require(Action.MANAGE_USERS)
    return ApiKey.objects.filter(tenant=scope.tenant).select_related("created_by")


def api_key_or_404(scope, pk) -> ApiKey:
    return scope.get_or_404(api_keys(scope), pk, "API key")
