"""The receiver of VOS's section-3 pushes: ``vos/push/<token>/<server name>/<Name>``.

VOS cannot authenticate itself, so a push is accepted only

* from one of the server's source addresses (``VosServer.push_source_ips``; empty: the
  address of its base URL when that is an IP literal). The address is REMOTE_ADDR: a
  forwarded header is believed only when REMOTE_ADDR is one of VOS_PUSH_TRUSTED_PROXIES
  (then the right-most X-Forwarded-For entry that is not itself a trusted proxy), since
  anyone can write that header;
* on the server's secret path token (``VosServer.push_token``, compared in constant
  time); a server without its own token falls back to the global VOS_PUSH_TOKEN; with
  neither, nothing is accepted.

A refused caller gets a 404 (wrong token or server) or 403 (wrong address) and a log
line. An accepted message is loosened as real servers need (``catalog.loosen_push``: numbers
in strings, booleans for 0/1 flags, nulls; fields newer than the manual dropped and logged
once per message name), then validated against the catalog (``validate_push``). Whatever
is wrong with a body (not UTF-8, not JSON, NaN/Infinity/1e999, integers beyond a long,
NUL characters, a key given twice, nesting past MAX_NESTING, past MAX_PUSH_BYTES, not an
object, a missing or ill-typed field, an unknown message) gets VOS's non-zero retCode with
HTTP 200, a log line and a count (``count_refusal``; ``refusals()`` for /healthz and the
operations health page), never a 500: VOS re-sends a push that got an error status.
A good one is committed to the inbox and answered
``{"retCode": 0}`` at once; the worker, woken at most once a second, does the work
(``switch.push_inbox``).

The push URL takes a lean path (``PushPathMiddleware``): no session, authentication,
scope, MFA, messages or audit middleware runs for it, and the server comes from the
cache (``push_server``), not a query. PushDtmfInfo(s) are answered now by
the IVR rule table (``telephony.ivr_media.dtmf.answer``), since VOS waits for the menu to run.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import logging
import math
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponseForbidden, HttpResponseNotFound, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from switch import push_handlers, push_inbox, servers
from switch.models import VosServer
from vos3000 import catalog
from vos3000.errors import VosValidationError

log = logging.getLogger(__name__)


# The codes VOS (and the simulator) answer for the same faults.
INPUT_ERROR = -10124


MISS_PARAMETERS = -12103


UNKNOWN_INTERFACE = -19009


def _networks(text: str) -> list:
    found = []
    for part in text.replace(",", " ").split():
        try:
            found.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            log.warning("push source address %r is not an IP or network; ignored", part)
    return found


def allowed_networks(server: VosServer) -> list:
    if server.push_source_ips.strip():
        return _networks(server.push_source_ips)
    host = urlsplit(server.base_url).hostname or ""
    try:
        return [ipaddress.ip_network(host)]
    except ValueError:
        return []  # a host name: its pushes' address must be configured


def source_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = _networks(" ".join(settings.VOS_PUSH_TRUSTED_PROXIES))
    if not proxies or not _in(remote, proxies):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _in(hop, proxies):
            return hop
    return remote


def _in(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _token_matches(server: VosServer, token: str) -> bool:
    expected = server.push_token or settings.VOS_PUSH_TOKEN
    return bool(expected) and constant_time_compare(token, expected)


# VOS's own messages nest three levels at most; anything deeper is not from VOS.
MAX_NESTING = 32


# The largest body a push may have. VOS's largest message is AlarmCurrentReport (a list
# of current alarms, a few hundred bytes each): 1 MiB is thousands of alarms. A longer
# body is refused before it is read (by its Content-Length) or as soon as it is.
MAX_PUSH_BYTES = 1024 * 1024


# VOS's numbers are Java ints, longs and doubles: an integer beyond a long is not from VOS
# (and no bigint column could hold it).
_LONG_RANGE = range(-(2**63), 2**63)


# Why a push was refused: the counters' reasons (the health page shows them).
REASON_UNKNOWN_SERVER = "unknown_server"
REASON_ADDRESS = "address"
REASON_UNKNOWN_MESSAGE = "unknown_message"
REASON_TOO_LARGE = "too_large"
REASON_NOT_UTF8 = "not_utf8"
REASON_NOT_JSON = "not_json"
REASON_NOT_OBJECT = "not_object"
REASON_MISSING = "missing_field"
REASON_INVALID = "invalid_field"
REASON_INTERNAL = "internal_error"


class Refused(ValueError):
    """A body refused before validation, with the counter's reason."""

    def __init__(self, reason: str, text: str):
        super().__init__(text)
        self.reason = reason


def _not_json(constant: str):
    raise Refused(REASON_NOT_JSON, f"{constant} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise Refused(REASON_NOT_JSON, "a number too large for JSON")  # 1e999
    return value


def _long(text: str) -> int:
    if len(text.lstrip("-")) > 20:  # before int(): no work on a 4,000-digit number
        raise Refused(REASON_NOT_JSON, "an integer beyond a long")
    value = int(text)
    if value not in _LONG_RANGE:
        raise Refused(REASON_NOT_JSON, "an integer beyond a long")
    return value


def _object(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise Refused(REASON_NOT_JSON, "a key given twice")
    return result


def strict_json(body: bytes):
    """The body as JSON, refusing what the inbox could not store or a later step would
    choke on: NaN and Infinity (not JSON, refused by PostgreSQL's jsonb), numbers beyond
    a double, integers beyond a long, NUL characters (refused by jsonb), a key given
    twice (which one would VOS mean?), and nesting deeper than MAX_NESTING.
    Raises ``Refused`` (a ValueError) with the reason."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(REASON_NOT_UTF8, "not UTF-8") from None
    try:
        payload = json.loads(
            text,
            parse_constant=_not_json,
            parse_float=_finite,
            parse_int=_long,
            object_pairs_hook=_object,
        )
    except RecursionError:
        raise Refused(REASON_NOT_JSON, "nested too deep") from None
    except Refused:
        raise
    except ValueError as exc:  # json.JSONDecodeError among them
        raise Refused(REASON_NOT_JSON, f"not JSON ({type(exc).__name__})") from None
    pending = [(payload, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_NESTING:
            raise Refused(REASON_NOT_JSON, "nested too deep")
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise Refused(REASON_NOT_JSON, "a NUL character")
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and "\x00" in value:
            raise Refused(REASON_NOT_JSON, "a NUL character")
    return payload


def _refuse_code(exc: VosValidationError) -> int:
    return MISS_PARAMETERS if exc.problem == "missing" else INPUT_ERROR


# --- Counting refusals ------------------------------------------------------------------
# One cache counter per (server, reason): an add-or-increment on the hot path, one
# get_many for the health page (over the known servers and the fixed reasons, so there is
# no index to keep). The cache is the shared one (Redis in production), so the counts
# survive a restart of any one process and add up over all of them.
REASONS = (
    REASON_UNKNOWN_SERVER,
    REASON_ADDRESS,
    REASON_UNKNOWN_MESSAGE,
    REASON_TOO_LARGE,
    REASON_NOT_UTF8,
    REASON_NOT_JSON,
    REASON_NOT_OBJECT,
    REASON_MISSING,
    REASON_INVALID,
    REASON_INTERNAL,
)
# Each reason in words, for pages (the tags stay the counters' and /healthz's keys).
REASON_WORDS = {
    REASON_UNKNOWN_SERVER: _("unknown server"),
    REASON_ADDRESS: _("from an address not allowed"),
    REASON_UNKNOWN_MESSAGE: _("unknown message"),
    REASON_TOO_LARGE: _("too large"),
    REASON_NOT_UTF8: _("not UTF-8 text"),
    REASON_NOT_JSON: _("not valid JSON"),
    REASON_NOT_OBJECT: _("not a JSON object"),
    REASON_MISSING: _("a required field missing"),
    REASON_INVALID: _("a field with a wrong value"),
    REASON_INTERNAL: _("the portal's own error"),
}


def reason_words(reason: str) -> str:
    """A refusal reason tag in words (an unknown tag as it is)."""
    words = REASON_WORDS.get(reason)
    return str(words) if words is not None else reason.replace("_", " ")


_COUNTER = "push:refused:{server}:{reason}"
_COUNTER_SECONDS = 30 * 24 * 3600
# An unknown server's name is the caller's choice: its refusals share one bucket.
UNKNOWN_SERVER = "?"


def count_refusal(server_name: str, reason: str) -> None:
    key = _COUNTER.format(server=server_name, reason=reason)
    try:
        if not cache.add(key, 1, _COUNTER_SECONDS):
            cache.incr(key)
    except Exception:  # a counter must never turn VOS's answer into a 500
        log.exception("push refusal not counted")


def refusals() -> dict:
    """{"total": n, "by_reason": {reason: n}, "by_server": {server: {reason: n}}}."""
    names = [*VosServer.objects.values_list("name", flat=True), UNKNOWN_SERVER]
    pairs = [(name, reason) for name in names for reason in REASONS]
    counts = cache.get_many([_COUNTER.format(server=s, reason=r) for s, r in pairs])
    total, by_reason, by_server = 0, {}, {}
    for server_name, reason in pairs:
        n = int(counts.get(_COUNTER.format(server=server_name, reason=reason)) or 0)
        if n:
            total += n
            by_reason[reason] = by_reason.get(reason, 0) + n
            by_server.setdefault(server_name, {})[reason] = n
    return {"total": total, "by_reason": by_reason, "by_server": by_server}


def _refused(server_name: str, name: str, reason: str, code: int, detail: str) -> JsonResponse:
    log.warning("push %s on %s refused (%s): %s", name[:64], server_name, reason, detail)
    count_refusal(server_name, reason)
    text = "Unknown interface." if code == UNKNOWN_INTERFACE else "Input parameter error"
    return JsonResponse({"retCode": code, "exception": text})


# Messages whose unknown fields were logged already (once per name and process).
_unknown_logged: set[str] = set()


def _log_unknown(server: VosServer, name: str, paths: list[str]) -> None:
    if paths and name not in _unknown_logged:
        _unknown_logged.add(name)
        shown = ", ".join(p[:64] for p in paths[:10])
        log.info(
            "push %s on %s: fields the manual does not list, ignored: %s", name, server.name, shown
        )


def _body(request) -> bytes:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_PUSH_BYTES:
        raise Refused(REASON_TOO_LARGE, f"{length} bytes")
    try:
        body = request.body
    except RequestDataTooBig:
        raise Refused(REASON_TOO_LARGE, "past DATA_UPLOAD_MAX_MEMORY_SIZE") from None
    if len(body) > MAX_PUSH_BYTES:
        raise Refused(REASON_TOO_LARGE, f"{len(body)} bytes")
    return body


def accepted_payload(server: VosServer, name: str, body: bytes) -> dict:
    """The message as the catalog types it, from a body as VOS (or a looser real server)
    sends it: numbers in strings, booleans for 0/1 flags and nulls loosened, unknown
    (newer) fields dropped and logged. Raises ``Refused`` or ``VosValidationError``."""
    payload = strict_json(body)
    if not isinstance(payload, dict):
        raise Refused(REASON_NOT_OBJECT, "not a JSON object")
    payload, unknown = catalog.loosen_push(name, payload)
    _log_unknown(server, name, unknown)
    catalog.validate_push(name, payload)
    return payload


# --- The server, from the cache ---------------------------------------------------------
def push_server(name: str) -> VosServer | None:
    """The enabled server called ``name``: from the cache (``switch.servers``), not a
    query."""
    return servers.enabled_server_named(name)


# --- The lean path ----------------------------------------------------------------------
PUSH_PREFIX = "/vos/push/"


@functools.lru_cache(maxsize=256)
def _push_route(urlconf, path: str):
    """The URLconf's match for ``path`` when it is the push receiver, else None."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return match if match.func is receive else None


class PushPathMiddleware:
    """VOS's pushes skip the portal's middleware: sessions, authentication, the scope,
    MFA, messages, the audit context, CSP, htmx. Placed right after the request id (so
    log lines keep it), it sends a request for the push receiver straight to it; every
    check of the receiver itself (token, source address, body limits, hostile bodies)
    is in the view. The host is checked against ALLOWED_HOSTS as CommonMiddleware would,
    and a plain-HTTP push where SECURE_SSL_REDIRECT asks for HTTPS takes the full path
    (which redirects it, as before). A refused token or server is a bare 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(PUSH_PREFIX):
            return self.get_response(request)
        match = _push_route(getattr(request, "urlconf", None) or settings.ROOT_URLCONF, path)
        if match is None or (settings.SECURE_SSL_REDIRECT and not request.is_secure()):
            return self.get_response(request)
        request.get_host()  # DisallowedHost (a 400) for a host not in ALLOWED_HOSTS
        request.resolver_match = match
        try:
            return match.func(request, *match.args, **match.kwargs)
        except Http404:
            return HttpResponseNotFound()


@csrf_exempt
@require_POST
def receive(request, token: str, server_name: str, name: str):
    """Every answer to a caller that knows the token is HTTP 200 with a retCode: VOS
    re-sends a push that got an error status, so a 500 would keep coming back."""
    server = push_server(server_name)
    if server is None or not _token_matches(server, token):
        log.warning("push refused: unknown server or token (%s)", server_name[:64])
        count_refusal(server.name if server else UNKNOWN_SERVER, REASON_UNKNOWN_SERVER)
        raise Http404("unknown push address")
    source = source_address(request)
    if not _in(source, allowed_networks(server)):
        log.warning("push refused: %s is not a source of server %s", source, server.name)
        count_refusal(server.name, REASON_ADDRESS)
        return HttpResponseForbidden()
    if name not in catalog.PUSHES:
        return _refused(server.name, name, REASON_UNKNOWN_MESSAGE, UNKNOWN_INTERFACE, "unknown")
    try:
        payload = accepted_payload(server, name, _body(request))
    except VosValidationError as exc:
        reason = REASON_MISSING if exc.problem == "missing" else REASON_INVALID
        return _refused(server.name, name, reason, _refuse_code(exc), str(exc)[:200])
    except Refused as exc:
        return _refused(server.name, name, exc.reason, INPUT_ERROR, str(exc))
    except Exception as exc:  # whatever else a body could trip: an error code, not a 500
        log.exception("push %s on %s: unexpected failure", name, server.name)
        return _refused(server.name, name, REASON_INTERNAL, INPUT_ERROR, type(exc).__name__)
    try:
        if push_handlers.answered_at_once(name):
            return JsonResponse(push_inbox.answer_now(server, name, payload))
        push_inbox.store(server, name, payload)
    except Exception as exc:  # the inbox could not take it: VOS will send it again
        log.exception("push %s on %s: not stored", name, server.name)
        return _refused(server.name, name, REASON_INTERNAL, INPUT_ERROR, type(exc).__name__)
    return JsonResponse({"retCode": 0})
