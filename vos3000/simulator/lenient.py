"""The simulator's default, lenient request checking: as forgiving as a real server.

Public third-party clients, written against live VOS3000 servers, send what the manual
forbids and the servers evidently accept (see ``vos3000/tests/compat/README.md``):

* fields the endpoint does not have (``GetAllCustomers {"type": 1}`` on servers older than
  the field shape, a whole ``GetCustomer`` answer sent back to ``ModifyCustomer`` with
  ``money``): ignored, logged, and kept in the request log entry (``ignored``);
* numbers as JSON strings (``"limitMoney": "500"``, ``"ownerType": "2"``) and
  ``true``/``false`` for integer 0/1 flags: read as the manual's types
  (``catalog.loosen_request``);
* a partial Modify: only the object's key is mandatory (``ModifyGatewayMapping {name,
  calloutCallerPrefixes}``; the manual's M on ``forwardSignalRewriteE164Group*`` in 2.11 is
  a slip), and the handler keeps the stored value of every field not sent.

Still refused, as in strict mode and with the manual's codes: a string that is not a
number where a number belongs, a missing key field, values out of their range or enum,
malformed JSON, a form-encoded body. ``Settings.strict`` turns all of this off.
"""

from __future__ import annotations

import dataclasses
import functools
import logging

from vos3000.catalog import validation

log = logging.getLogger("vos3000.simulator")

# The key of each Modify endpoint: what names the object changed (and, for
# ModifyIvrAudioData, the data that is the whole point of the call).
MODIFY_KEYS: dict[str, tuple[str, ...]] = {
    "ModifyCustomer": ("account",),
    "ModifyPhone": ("e164",),
    "ModifyGatewayMapping": ("name",),
    "ModifyGatewayRouting": ("name",),
    "ModifySuiteOrder": ("id",),
    "ModifyActivePhoneCard": ("pin",),
    "ModifyBindedE164": ("e164",),
    "ModifyFeeRateGroup": ("name",),
    "ModifyCustomerPhoneBook": ("account", "e164"),
    "ModifyIvrAudio": ("id",),
    "ModifyIvrAudioData": ("id", "data"),
    "ModifyE164Convert": ("id",),
}


def modify_key(name: str) -> tuple[str, ...] | None:
    """The key fields of a Modify endpoint, or None for any other endpoint."""
    if name in MODIFY_KEYS:
        return MODIFY_KEYS[name]
    return None


@functools.cache
def request_fields(catalog, name: str) -> tuple:
    """The request table checked in lenient mode: a Modify needs only its key."""
    fields = catalog.endpoint(name).request
    keys = modify_key(name)
    if keys is None:
        return fields
    return tuple(
        f if f.name in keys or not f.mandatory else dataclasses.replace(f, mo="O") for f in fields
    )


def check(catalog, name: str, payload: dict) -> tuple[dict, list[str]]:
    """The request a handler gets in lenient mode, and the unknown fields ignored.

    Raises ``VosValidationError`` for what a real server refuses too; KeyError when the
    catalog does not know ``name``.
    """
    loosened, ignored = catalog.loosen_request(name, payload)
    catalog.validate(request_fields(catalog, name), loosened)
    validation.check_rules(catalog.endpoint(name).rules, loosened)
    if ignored:
        log.info("%s: ignored unknown request fields %s", name, ", ".join(ignored))
    return loosened, ignored
