"""Secrets out of anything the client logs."""

from __future__ import annotations

import json

# Matched anywhere in a field name, case-insensitively: deliberately broad, since a
# secret in a log is worse than a redacted "mappingGateway..." field.
SECRET_MARKERS = ("password", "passwd", "pwd", "pin", "secret")
REDACTED = "***"


def is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(marker in lowered for marker in SECRET_MARKERS)


def redact(value):
    """A copy of a JSON-like value with every secret field's value replaced, at any depth."""
    if isinstance(value, dict):
        return {
            key: REDACTED if is_secret(str(key)) else redact(item) for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact(item) for item in value]
    return value


def redacted_json(payload, limit: int = 2000) -> str:
    """Compact redacted JSON for a log line, cut at ``limit`` characters."""
    text = json.dumps(redact(payload), ensure_ascii=False, separators=(",", ":"), default=str)
    return text if len(text) <= limit else text[:limit] + "...(cut)"
