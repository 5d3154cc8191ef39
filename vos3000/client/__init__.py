"""The portal's client for the VOS3000 Web Interface for Third Party.

    from vos3000.client import VosClient
    vos = VosClient("http://vos:8080/external/server/", timeout=(3, 30))
    answer = vos.call("GetCustomer", {"accounts": ["1001"]})     # a dict, wire names
    answer["infoCustomers"][0]["money"]

The typed methods (``vos.get_customer(accounts=[...])`` -> ``GetCustomerResponse``) are a
library convenience the portal does not use; see README.md next to this file.

Errors: ``vos3000.errors`` (VosValidationError, VosApiError, VosUnavailable, RetCode).
"""

from vos3000.client.breaker import CircuitBreaker
from vos3000.client.core import VosClient
from vos3000.client.dates import (
    datetime_from_ms,
    format_day,
    format_timestamp,
    moment_from_ms,
    ms_from_datetime,
    parse_day,
    parse_timestamp,
)
from vos3000.errors import RetCode, VosApiError, VosError, VosUnavailable, VosValidationError

__all__ = [
    "CircuitBreaker",
    "RetCode",
    "VosApiError",
    "VosClient",
    "VosError",
    "VosUnavailable",
    "VosValidationError",
    "datetime_from_ms",
    "format_day",
    "format_timestamp",
    "moment_from_ms",
    "ms_from_datetime",
    "parse_day",
    "parse_timestamp",
]
