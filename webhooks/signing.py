"""The signature of a delivery, as README documents it for receivers:

    VosPortal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>

``body`` is the exact bytes of the request body. A receiver recomputes the HMAC with its
secret, compares in constant time, and refuses a ``t`` too far from its own clock."""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "VosPortal-Signature"
EVENT_ID_HEADER = "VosPortal-Event-Id"
EVENT_TYPE_HEADER = "VosPortal-Event-Type"


def signature(secret: str, body: bytes, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header_value(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(secret, body, timestamp)}"


def verify(
    secret: str, body: bytes, header: str, *, tolerance: int = 300, now: float | None = None
) -> bool:
    """What a receiver does (the tests use it as one)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(fields.get("v1", ""), signature(secret, body, timestamp))
