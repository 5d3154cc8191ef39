"""API keys: the token, its hash, and the check made on every request (the key exists,
is neither revoked nor expired, is used from an allowed address, stays within its rate
limit; a read-only key only reads). A key acts as its creator with the key's role
(``Scope.with_role``): exactly what a user of that role in the tenant may do."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts import audit
from accounts.scope import Scope
from api.models import ApiKey
from api.problems import ApiProblem, forbidden, unauthorized

TOKEN_PREFIX = "vosp_"  # noqa: S105 - the tokens' visible prefix, not a secret
_TOKEN = re.compile(r"^vosp_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# last_used_at is written at most this often per key (not one write per request).
LAST_USED_STEP = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    # A random token of 256 bits: a plain SHA-256 is enough (nothing to brute-force).
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> tuple[str, str, str]:
    """(token, prefix, hash of the secret): the token is shown once, never stored."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{TOKEN_PREFIX}{prefix}_{secret}", prefix, hash_secret(secret)


def find_key(token: str) -> ApiKey | None:
    match = _TOKEN.match(token or "")
    if not match:
        return None
    key = (
        ApiKey.objects.select_related("tenant", "created_by__tenant")
        .filter(prefix=match.group(1))
        .first()
    )
    if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(match.group(2))):
        return None
    return key


def ip_allowed(key: ApiKey, address: str | None) -> bool:
    allowed = key.ip_list
    if not allowed:
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    for entry in allowed:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def parse_rate(text: str) -> tuple[int, int]:
    """'120/min' -> (120, 60). Units: s, sec, second, m, min, minute, h, hour."""
    count, _, unit = (text or "120/min").partition("/")
    seconds = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60}
    seconds |= {"h": 3600, "hour": 3600}
    return max(int(count), 1), seconds.get(unit.strip() or "min", 60)


def check_rate(key: ApiKey) -> None:
    """A fixed window per key on the shared cache; over the limit -> 429 + Retry-After."""
    limit, window = parse_rate(settings.API_RATE_LIMIT)
    now = time.time()
    slot = int(now // window)
    name = f"api-rate:{key.pk}:{slot}"
    cache.add(name, 0, timeout=window + 5)
    try:
        used = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window + 5)
        used = 1
    if used > limit:
        retry = max(int((slot + 1) * window - now) + 1, 1)
        raise ApiProblem(
            429,
            "rate_limited",
            "Too many requests",
            f"This key may make {limit} requests per {window} seconds.",
            headers={"Retry-After": str(retry)},
        )


def key_scope(key: ApiKey) -> Scope:
    """The key's scope: its creator, with the key's role, in the key's tenant. A creator
    who left the tenant, was deactivated or now holds a lower role ends the key."""
    creator = key.created_by
    if not creator.is_active or creator.tenant_id != key.tenant_id:
        raise unauthorized("The person who made this key can no longer use it.", "key_orphaned")
    try:
        return Scope.with_role(creator, key.role)
    except ValueError:
        raise unauthorized(
            "This key's role is above its creator's role now.", "key_orphaned"
        ) from None


def authenticate(request, token: str) -> ApiKey:
    """Every check, in order; sets ``request.scope`` and ``request.api_key``."""
    key = find_key(token)
    if key is None:
        raise unauthorized("The API key is missing, malformed or unknown.")
    if key.is_revoked:
        raise unauthorized("This API key was revoked.", "key_revoked")
    if key.is_expired:
        raise unauthorized("This API key has expired.", "key_expired")
    if not ip_allowed(key, request.META.get("REMOTE_ADDR")):
        raise forbidden("This key may not be used from this address.", "ip_refused")
    scope = key_scope(key)
    check_rate(key)
    if request.method not in READ_METHODS and key.read_only:
        raise forbidden("This key is read-only.", "read_only_key")
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_STEP:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    request.scope = scope
    request.api_key = key
    if request.method not in READ_METHODS:
        audit.record(
            "api.key.write",
            scope=scope,
            target=key,
            tenant=key.tenant,
            payload={"method": request.method, "path": request.path[:300], "key": key.prefix},
        )
    return key
