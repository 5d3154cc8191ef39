"""Writes of the key pages: make a key (its token returned once), revoke one. Both
audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.roles import Action
from api.keys import new_token
from api.models import ApiKey


def create_key(
    scope, *, name, role, read_only, expires_at=None, allowed_ips=""
) -> tuple[ApiKey, str]:
    """A key of the user's tenant acting as the user with ``role`` (checked by the form:
    one of ``scope.grantable_roles``). Returns the key and its token, shown once."""
    scope.require(Action.MANAGE_USERS)
    if role not in scope.grantable_roles(scope.tenant):
        raise ValueError(f"role {role!r} may not be given")
    token, prefix, secret_hash = new_token()
    with transaction.atomic():
        key = ApiKey.objects.create(
            tenant=scope.tenant,
            name=name,
            role=role,
            read_only=read_only,
            expires_at=expires_at,
            allowed_ips=allowed_ips,
            prefix=prefix,
            secret_hash=secret_hash,
            created_by=scope.user,
        )
        audit.record(
            "api.key.create",
            scope=scope,
            target=key,
            tenant=scope.tenant,
            after={
                "name": name,
                "role": role,
                "read_only": read_only,
                "expires_at": expires_at.isoformat() if expires_at else None,
                "allowed_ips": key.ip_list,
                "prefix": prefix,
            },
        )
    return key, token


def revoke_key(scope, key: ApiKey) -> None:
    if key.revoked_at is not None:
        return
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(
            "api.key.revoke",
            scope=scope,
            target=key,
            tenant=key.tenant,
            before={"name": key.name, "prefix": key.prefix},
        )
