"""The one small error hierarchy shared by the catalog, the client and the simulator."""

from __future__ import annotations

from enum import IntEnum


class RetCode(IntEnum):
    """The non-zero retCodes real VOS3000 servers are known to answer.

    The client owns this table (the simulator imports it, not the other way round), so
    callers can test ``exc.code is RetCode.NOT_FOUND`` instead of comparing magic numbers.
    """

    NOT_FOUND = -10007
    RANGE_TOO_WIDE = -10033
    INPUT_ERROR = -10124
    MISS_PARAMETERS = -12103


class VosError(Exception):
    """Base class of every error this package raises."""


class VosValidationError(VosError):
    """A request (or message) does not match the catalog. Raised before any network traffic.

    ``field`` is the dotted path of the offending field (``infoCustomerAdditional.cardType``),
    ``problem`` one of: "missing", "unknown", "type", "length", "enum", "rule".
    """

    def __init__(self, field: str, problem: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.problem = problem
        self.message = message


class VosApiError(VosError):
    """VOS answered, with retCode != 0. The request was processed and refused."""

    def __init__(self, ret_code: int, message: str = "", endpoint: str = ""):
        self.ret_code = ret_code
        self.message = message
        self.endpoint = endpoint
        super().__init__(f"{endpoint or 'VOS'} retCode {ret_code}: {message}")

    @property
    def code(self) -> RetCode | None:
        """The named code, or None for a code outside ``RetCode``."""
        try:
            return RetCode(self.ret_code)
        except ValueError:
            return None


class VosUnavailable(VosError):
    """VOS could not be reached or gave no usable answer.

    ``may_have_been_applied`` is the fact money code depends on:
    False = the request certainly did not reach VOS (connection refused, DNS, circuit open);
    True  = it may have been processed (read timeout after sending, connection reset
            mid-response, HTTP 5xx or an unparseable body after the request was sent).
    ``reason`` is a short machine-readable tag ("connect_refused", "read_timeout",
    "circuit_open", "http_500", ...) for logs, metrics and tests.
    """

    def __init__(
        self, message: str, *, may_have_been_applied: bool, endpoint: str = "", reason: str = ""
    ):
        self.may_have_been_applied = may_have_been_applied
        self.endpoint = endpoint
        self.reason = reason
        super().__init__(message)
