"""API keys: a tenant's key, hashed at rest, acting with a role no higher than its
creator's (``accounts.scope.Scope.with_role``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class ApiKey(models.Model):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    read_only = models.BooleanField(_("read only"), default=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # Source addresses or networks allowed to use the key, one per line ("" = any).
    allowed_ips = models.TextField(_("allowed source addresses"), blank=True)
    # The first characters of the token, shown to tell keys apart; the rest is hashed.
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_keys"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def ip_list(self) -> list[str]:
        return [line.strip() for line in self.allowed_ips.splitlines() if line.strip()]
