"""The portal's door to VOS: one pooled client per VOS server row. Every VOS call the
portal makes goes through a client from here (and, for tenant data, through the
request's scope first)."""

from __future__ import annotations

import atexit
import contextvars
import hashlib
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.utils.translation import gettext as _

from accounts import audit
from accounts.roles import Action
from accounts.scope import OutOfScope
from switch import labels
from vos3000 import catalog
from vos3000.client import VosApiError, VosClient, VosUnavailable, VosValidationError
from vos3000.errors import VosError

_clients: dict[tuple, VosClient] = {}


_lock = threading.Lock()


def client_for(server) -> VosClient:
    """The pooled client of a VosServer. Rebuilt when the row's connection settings
    (address, context path, endpoint names, timeouts) change, so an admin's edit takes
    effect without a restart."""
    key = (server.pk, *server.connection_settings())
    with _lock:
        client = _clients.get(key)
        if client is None:
            for stale in [k for k in _clients if k[0] == server.pk]:
                _clients.pop(stale).close()
            client = VosClient(
                server.base_url,
                timeout=(server.connect_timeout, server.read_timeout),
                endpoint_suffix=server.endpoint_suffix,
            )
            _clients[key] = client
        return client


def forget_clients() -> None:
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def call(
    scope,
    server,
    endpoint: str,
    payload: dict,
    *,
    target=None,
    tenant=None,
    verified=frozenset(),
    known_tenants=(),
    before=None,
    after=None,
) -> dict:
    """Make one VOS call on behalf of ``scope``'s user: the way views and services call VOS.

    ``guard`` first refuses (404) a call naming an account or phone outside the scope,
    or an endpoint the role may not use. The client then validates the payload against
    the catalog (VosValidationError: nothing sent, nothing recorded). Every WRITE is
    audited whatever the outcome: "ok", "error" (VOS refused: its retCode; or certainly
    not applied: the failure's reason), or "unknown" when VOS may have applied it (a
    read timeout after sending). Errors are re-raised for the caller to show
    (``describe_error`` words them). Reads are not audited. The server's name is
    recorded, never its address. ``before`` and ``after`` (what the caller read before
    the write, and what it asks for) go into the audit event of a write as they are.
    """
    guard(scope, server, endpoint, payload, verified=verified, known_tenants=known_tenants)
    client = client_for(server)
    is_write = endpoint in catalog.ENDPOINTS and catalog.endpoint(endpoint).kind == "write"
    event = {
        "scope": scope,
        "target": target,
        "tenant": tenant,
        "vos_server": server.name,
        "vos_endpoint": endpoint,
        "payload": audit_payload(payload),
        "before": before,
        "after": after,
    }
    try:
        answer = client.call(endpoint, payload)
    except VosValidationError:
        raise
    except VosApiError as exc:
        if is_write:
            audit.record(
                f"vos.{endpoint}",
                **event,
                result="error",
                ret_code=exc.ret_code,
                error=(exc.message or "")[:255],
            )
        raise
    except VosUnavailable as exc:
        if is_write:
            audit.record(
                f"vos.{endpoint}",
                **event,
                result="unknown" if exc.may_have_been_applied else "error",
                # The reason tag only: the message may name the host.
                error=exc.reason or "unavailable",
            )
        raise
    if is_write:
        audit.record(f"vos.{endpoint}", **event, result="ok", ret_code=answer.get("retCode", 0))
    return answer


# Threads for reads started early (``read_soon``): a request starts one or two, and a
# gunicorn process runs up to --threads requests (8 in the image) at once; a read that
# had to wait for a free thread would lose what starting early won.
BACKGROUND_READ_THREADS = 16
# How long read_soon waits for a pool thread to take its read (it takes it at once unless
# every thread is busy: then the page goes on and the read follows when one is free).
READ_SOON_HANDOFF_SECONDS = 0.005
_background: tuple[int, ThreadPoolExecutor] | None = None


def _background_pool() -> ThreadPoolExecutor:
    """This process's pool, made on first use: after gunicorn's or Celery's fork, never
    inherited across one (a forked child has the parent's pool object but no threads)."""
    global _background
    with _lock:
        if _background is None or _background[0] != os.getpid():
            pool = ThreadPoolExecutor(BACKGROUND_READ_THREADS, thread_name_prefix="vos-read")
            atexit.register(pool.shutdown, wait=False, cancel_futures=True)
            _background = (os.getpid(), pool)
        return _background[1]


def read_soon(
    scope, server, endpoint: str, payload: dict, *, verified=frozenset(), known_tenants=()
) -> Future:
    """Start a READ now and return its future: the page does its own database and
    template work while VOS answers, instead of after (a list page's VOS round trip is
    most of its time). ``future.result()`` is what ``call`` returns, or raises what
    ``call`` raises.

    The guard runs here, on the caller's thread, before anything is sent (an account out
    of scope raises OutOfScope at once, as with ``call``). Only the HTTP exchange runs on
    the pool's thread: it touches no database (so no connection is opened there) and
    reads are not audited. Writes are refused: a write's audit and its outcome belong
    to the request that makes it."""
    if endpoint not in catalog.ENDPOINTS or catalog.endpoint(endpoint).kind != "read":
        raise ValueError(f"read_soon is for reads; {endpoint} is not one")
    guard(scope, server, endpoint, payload, verified=verified, known_tenants=known_tenants)
    client = client_for(server)
    # The request id and the like travel with the call, as on the caller's thread.
    context = contextvars.copy_context()
    started = threading.Event()

    def send():
        started.set()
        return client.call(endpoint, payload)

    future = _background_pool().submit(context.run, send)
    # Wait until the pool's thread has it: from then on it holds the GIL until the request
    # is out (it blocks on the socket next). Without this the page's own work went on
    # first and the request left about a millisecond later, and VOS's round trip is the
    # page's critical path.
    started.wait(READ_SOON_HANDOFF_SECONDS)
    return future


# A long value (an IVR audio's hex data: megabytes) is recorded by its size and hash only.
AUDIT_VALUE_MAX = 2000


def audit_payload(payload: dict) -> dict:
    def shrink(value):
        if isinstance(value, str) and len(value) > AUDIT_VALUE_MAX:
            digest = hashlib.sha256(value.encode()).hexdigest()
            return f"[{len(value)} characters, sha256 {digest}]"
        return value

    return {key: shrink(value) for key, value in payload.items()}


# endpoint -> fields whose value is an account name (or a list of them).
ACCOUNT_FIELDS: dict[str, tuple[str, ...]] = {
    # The new account is nobody's yet (VOS refuses a duplicate); its agent must be ours.
    "CreateCustomer": ("agentAccount",),
    "ModifyCustomer": ("account", "agentAccount"),
    "DeleteCustomer": ("account",),
    "GetCustomer": ("accounts",),
    "CreatePhone": ("account",),
    "ModifyPhone": ("account",),
    "GetPhone": ("accounts",),
    "CreateActivePhoneCard": ("account",),
    "ModifyActivePhoneCard": ("account",),
    "GetActivePhoneCard": ("accounts",),
    "GetBindedE164": ("account",),
    "GetE164Convert": ("account",),
    "GetPayHistory": ("account", "agentAccount"),
    "GetConsumption": ("account", "agentAccount"),
    "GetCdr": ("accounts",),
    "GetReportCustomerFee": ("accounts",),
    "GetReportPhoneFee": ("accounts",),
    "GetReportCustomerLocationFee": ("account",),
    "GetCustomerPhoneBook": ("account",),
    "CreateCustomerPhoneBook": ("account",),
    "ModifyCustomerPhoneBook": ("account",),
    "DeleteCustomerPhoneBook": ("account",),
}


# Endpoints with an owner (ownerType + ownerName): 2 names an account, 6 a phone.
OWNER_ENDPOINTS = frozenset(
    {
        "Pay",
        "PayByPhoneCard",
        "CreateSuiteOrder",
        "GetSuiteOrder",
        "GetCurrentSuite",
    }
)


OWNER_ACCOUNT = labels.value("Pay", "ownerType", "Account")
OWNER_PHONE = labels.value("Pay", "ownerType", "Phone")


# endpoint -> fields whose value is a phone number (or a list of them) that must belong
# to an account in the scope.
E164_FIELDS: dict[str, tuple[str, ...]] = {
    "ModifyPhone": ("e164",),
    "DeletePhone": ("e164",),
    "GetPhone": ("e164s",),
    "GetPhoneOnline": ("e164s",),
    "GetCustomer": ("e164s",),
    # Every number that decides who pays, or whose password is used, must be ours.
    "CallBack": ("callerE164", "accessE164", "callbackBillingE164", "calloutBillingE164"),
    # billingMode 0 bills the phone named by billingName (checked in _named_e164s).
    "GetAvailableTime": (),
}


# Reads of shared, non-tenant data any signed-in role may make (what a caller then shows
# is narrowed further by its view: fee rate groups by the reseller's grants).
SHARED_READS = frozenset({"GetSuite", "GetFeeRateGroup", "GetFeeRate", "GetPhoneCard"})


# Endpoints whose account field is optional in the manual but must be given by tenants:
# without it VOS answers about every account.
ACCOUNT_REQUIRED = frozenset({"GetCustomerPhoneBook", "GetCustomer", "GetPhone"})


# Reads filtered by an account *or* by numbers/PINs the portal cannot attribute: tenants
# must name their account (their rows are then re-checked with keep_in_scope).
ACCOUNT_ONLY_FILTER = frozenset({"GetActivePhoneCard", "GetBindedE164", "GetE164Convert"})


# Writes keyed by an id and naming an account: both must check out.
ID_AND_ACCOUNT = frozenset({"ModifyActivePhoneCard"})


# Writes that move money need MOVE_MONEY; every other write needs CHANGE.
MONEY_WRITES = frozenset({"Pay", "PayByPhoneCard"})


# Endpoints whose results are keyed by id after an owner check by the caller: the caller
# passes ``checked_ids`` it got from a scoped read (suite orders, binded numbers...).
ID_CHECKED = frozenset(
    {
        "ModifySuiteOrder",
        "DeleteSuiteOrder",
        "DeleteCurrentSuite",
        "DeleteActivePhoneCard",
        "CreateBindedE164",
        "ModifyBindedE164",
        "DeleteBindedE164",
        "CreateE164Convert",
        "ModifyE164Convert",
        "DeleteE164Convert",
        "CreateLimitedE164",
        "DeleteLimitE164",
        # A live call: the caller passes the call id it found in its scope's snapshot
        # (telephony.live_selectors.call_or_404); VOS calls have no account to check.
        "DisconnectCurrentCall",
    }
)


# endpoint -> payload fields holding what an ID_CHECKED endpoint is keyed by, when that
# is not id / pin / e164. Limited-E164 groups are global in VOS and have no Get: the
# caller verifies the group's name against the portal's record of who owns it
# (telephony.models.LimitedE164Group).
ID_FIELDS: dict[str, tuple[str, ...]] = {
    "CreateLimitedE164": ("limitE164GroupName",),
    "DeleteLimitE164": ("limitE164GroupName",),
    "DisconnectCurrentCall": ("CallIds",),
}


def _as_list(value) -> list[str]:
    if value in (None, ""):
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _named_accounts(endpoint: str, payload: dict) -> list[str]:
    names = [n for f in ACCOUNT_FIELDS.get(endpoint, ()) for n in _as_list(payload.get(f))]
    if endpoint in OWNER_ENDPOINTS and payload.get("ownerType") == OWNER_ACCOUNT:
        names += _as_list(payload.get("ownerName"))
    return names


def _named_e164s(endpoint: str, payload: dict) -> list[str]:
    numbers = [n for f in E164_FIELDS.get(endpoint, ()) for n in _as_list(payload.get(f))]
    if endpoint in OWNER_ENDPOINTS and payload.get("ownerType") == OWNER_PHONE:
        numbers += _as_list(payload.get("ownerName"))
    if endpoint == "GetAvailableTime":
        numbers += _as_list(payload.get("billingName"))
    return numbers


def guard(
    scope, server, endpoint: str, payload: dict, *, verified=frozenset(), known_tenants=()
) -> None:
    """Refuse (404, recorded as an out-of-scope attempt) a call this scope may not make.

    ``verified`` holds phone numbers or ids the caller has just read through the scope
    (a phone list built from ``GetPhone(accounts=[own])``, say), so they need no second
    lookup; any other phone named is looked up with one GetPhone call.
    ``known_tenants``: tenants the caller has already loaded (a page of the customer
    list): an account named by one of them is checked against the scope in Python (its
    server, its state and its path below the user's), with no second tenant query.
    """
    spec = catalog.ENDPOINTS.get(endpoint)
    if spec is not None and spec.kind == "write":
        scope.require(Action.MOVE_MONEY if endpoint in MONEY_WRITES else Action.CHANGE)
    else:
        scope.require(Action.VIEW)
    if scope.is_platform:
        return
    known = endpoint in ACCOUNT_FIELDS or endpoint in E164_FIELDS or endpoint in OWNER_ENDPOINTS
    if endpoint in ID_AND_ACCOUNT:
        pin = payload.get("pin")
        if pin is None or str(pin) not in verified or not payload.get("account"):
            raise OutOfScope(f"{endpoint}: card not read through the scope, or no account")
    if endpoint == "CreatePhone" and (
        payload.get("autoCreateAccount") or not payload.get("account")
    ):
        # Creating an account along with the phone would place it outside the tree.
        raise OutOfScope("CreatePhone: tenants add phones to an existing own account")
    if endpoint in ID_CHECKED:
        keys = ID_FIELDS.get(endpoint, ("id", "pin", "e164"))
        ids = [i for k in keys for i in _as_list(payload.get(k))]
        if not ids or any(i not in verified for i in ids):
            raise OutOfScope(f"{endpoint}: ids not checked against the scope")
        return
    if not known and endpoint not in SHARED_READS:
        raise OutOfScope(f"{endpoint} is for the platform only")
    if endpoint == "GetAvailableTime" and payload.get("billingMode") != 0:
        # Other modes name gateways and cards whose owner the portal cannot check.
        raise OutOfScope("GetAvailableTime: only a phone's own time (billingMode 0)")
    named = _named_accounts(endpoint, payload)
    if endpoint in ACCOUNT_REQUIRED and not named and not _named_e164s(endpoint, payload):
        raise OutOfScope(f"{endpoint} without an account answers about everyone")
    if endpoint in ACCOUNT_ONLY_FILTER and not named:
        raise OutOfScope(f"{endpoint}: tenants must name their account")
    scope.require_vos_accounts(server, _unchecked(scope, server, named, known_tenants))
    numbers = [n for n in _named_e164s(endpoint, payload) if n not in verified]
    if numbers:
        owners = {
            row.get("e164"): row.get("account")
            for row in client_for(server).call("GetPhone", {"e164s": numbers}).get("infoPhones", [])
        }
        allowed = scope.vos_accounts_among(server, owners.values())
        if any(owners.get(n) not in allowed for n in numbers):
            raise OutOfScope(f"{endpoint}: phones outside the scope")


def _unchecked(scope, server, accounts, known_tenants) -> list[str]:
    """The ``accounts`` that no tenant in ``known_tenants`` vouches for."""
    if not known_tenants:
        return list(accounts)
    vouched = {
        t.vos_account
        for t in known_tenants
        if t.server_id == server.pk
        and t.vos_account
        and t.status == t.Status.ACTIVE
        and scope.contains(t)
    }
    return [a for a in accounts if a not in vouched]


# --- Errors in words ---------------------------------------------------------------------
def describe_error(exc: VosError, *, write: bool = False) -> str:
    """What to tell a person about a failed VOS call: the one place VOS errors are put
    in words. Never names the server's address (VosUnavailable's own message may carry
    it, so it is never shown).

    A failed read says the page could not be read. A write that got no answer may have
    been made: with ``write=True`` (a page the person can reload to see what the switch
    has now) the words say to look before trying again; without it, that the portal is
    checking (money, which reconciles such writes itself). ``write=True`` also marks a
    failure of an endpoint the catalog does not know as a write's."""
    if isinstance(exc, VosApiError):
        detail = (exc.message or "").strip()
        if detail:
            return _("The switch refused the request: %(detail)s (code %(code)s).") % {
                "detail": detail[:200],
                "code": exc.ret_code,
            }
        return _("The switch refused the request (code %(code)s).") % {"code": exc.ret_code}
    if isinstance(exc, VosUnavailable):
        spec = catalog.ENDPOINTS.get(exc.endpoint)
        is_write = spec.kind == "write" if spec is not None else write
        if not is_write:
            return _(
                "The switch cannot be reached right now, so this could not be read. "
                "Please try again in a moment."
            )
        if not exc.may_have_been_applied:
            return _(
                "The switch cannot be reached right now. Nothing was changed; please try again."
            )
        if write:
            return _(
                "The switch did not answer in time. The change may or may not have been "
                "made: reload the page to see what the switch has now before trying again."
            )
        return _(
            "The switch did not answer in time. The change may or may not have been made; "
            "we are checking."
        )
    if isinstance(exc, VosValidationError):
        return _("The switch would not accept %(field)s: %(problem)s") % {
            "field": exc.field,
            "problem": exc.message,
        }
    return _("The switch could not be asked.")
