"""Typed readers for environment variables.

Each one fails loudly (ImproperlyConfigured naming the variable) on a value it
cannot read, instead of quietly falling back: a typo in production settings
must stop the process, not change its behaviour.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}.")
    return number


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None, *, sep: str = ",") -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(sep) if item.strip()]


def env_vos_servers(name: str, default: str = "") -> list[dict]:
    """Parse ``name=url[;name=url...]`` into ``[{"name": ..., "base_url": ...}]``.

    The base URL includes the context path (``http://host:port/external/server/``).
    """
    raw = os.environ.get(name, default)
    servers = []
    for chunk in (part.strip() for part in raw.split(";")):
        if not chunk:
            continue
        label, sep, url = chunk.partition("=")
        label, url = label.strip(), url.strip()
        if not sep or not label or not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(
                f"{name}: each entry must look like name=http://host:port/external/server/"
            )
        if not url.endswith("/"):
            url += "/"
        if any(s["name"] == label for s in servers):
            raise ImproperlyConfigured(f"{name}: the server name {label!r} appears twice.")
        servers.append({"name": label, "base_url": url})
    return servers
