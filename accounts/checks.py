"""System checks for settings the security of the portal stands on."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.security, Tags.caches, deploy=False)
def check_shared_cache(app_configs=None, **kwargs):
    """Rate limits (logins, TOTP codes, password resets) and used-TOTP-code markers live
    in the default cache. A per-process cache gives every worker its own counters, so
    an attacker gets N times the attempts and may replay a code on another worker."""
    if settings.DEBUG or getattr(settings, "TESTING", False):
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return [
            Error(
                f"The default cache ({backend.rsplit('.', 1)[-1]}) is not shared between "
                "processes: rate limits and one-time TOTP codes would not hold.",
                hint="Set REDIS_URL, or use the file cache the settings pick without it.",
                id="accounts.E001",
            )
        ]
    return []
