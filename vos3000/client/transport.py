"""What went wrong on the wire, and could VOS have applied the request anyway?

Everything here works on exception classes, errno values and status codes, never on
exception text: requests/urllib3 messages contain the VOS host and port, which must
not reach the portal's users or logs.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
)

# Raised by requests before a single byte is sent (bad base URL and the like).
_NOT_SENT = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.URLRequired,
)


@dataclass(frozen=True)
class Failure:
    """A classified transport failure: ``reason`` tag, human text, may-have-been-applied."""

    reason: str
    text: str
    may_have_been_applied: bool
    # Worth another attempt for an idempotent read (a 4xx or a bad URL will not heal).
    transient: bool = True


def classify_exception(exc: requests.RequestException) -> Failure:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Failure("connect_timeout", "connect timeout", False)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return Failure("read_timeout", "read timeout after the request was sent", True)
    if isinstance(exc, _NOT_SENT):
        return Failure("bad_request", "request could not be built", False, transient=False)
    if isinstance(exc, requests.exceptions.ConnectionError):
        return _classify_connection_error(exc)
    return Failure("transport_error", f"transport error ({type(exc).__name__})", True)


def _classify_connection_error(exc: requests.exceptions.ConnectionError) -> Failure:
    cause = exc.args[0] if exc.args else None
    if isinstance(cause, MaxRetryError):
        cause = cause.reason
    # Order matters: NameResolutionError < NewConnectionError < ConnectTimeoutError.
    if isinstance(cause, NameResolutionError):
        return Failure("dns", "host name could not be resolved", False)
    if isinstance(cause, NewConnectionError):
        return Failure("connect_failed", f"could not connect ({_os_error_text(cause)})", False)
    if isinstance(cause, ConnectTimeoutError):
        return Failure("connect_timeout", "connect timeout", False)
    if isinstance(cause, ReadTimeoutError):
        return Failure("read_timeout", "read timeout after the request was sent", True)
    # Anything else happened on an established connection: the request may be in VOS.
    return Failure("connection_lost", "connection lost while waiting for the answer", True)


def _os_error_text(exc: BaseException) -> str:
    """The strerror of the first OSError in the cause chain ("Connection refused")."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno:
            return os.strerror(seen.errno)
        seen = seen.__cause__ or seen.__context__
    return "network error"


def classify_status(status: int) -> Failure:
    """An HTTP status other than 200. 5xx: the application may have run; anything else
    (the IP whitelist's 403, a wrong context path's 404, a redirect) is refused by the
    container before the VOS application sees the request."""
    if status >= 500:
        return Failure(f"http_{status}", f"HTTP status {status}", True)
    return Failure(f"http_{status}", f"HTTP status {status}", False, transient=False)


BAD_BODY = Failure("bad_body", "answer is not a VOS JSON object with a retCode", True)


_RET_CODE_TEXT = re.compile(r"[+-]?\d{1,10}")


def decode_answer(content: bytes) -> dict | None:
    """The answer as a dict with an integer retCode, or None if it is anything else.

    Real servers may send the retCode as a numeric string (``"retCode": "0"``): that is
    made an int here; any other string, a float or a boolean is not a retCode."""
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    ret_code = data.get("retCode")
    if isinstance(ret_code, str) and _RET_CODE_TEXT.fullmatch(ret_code.strip()):
        data["retCode"] = ret_code = int(ret_code.strip())
    if isinstance(ret_code, bool) or not isinstance(ret_code, int):
        return None
    return data
