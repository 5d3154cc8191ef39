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
line. An accepted message is validated against the catalog (``validate_push``): bad JSON,
an unknown message or an unknown/missing field get the simulator's (VOS's) non-zero
retCode and a log line, never a 500. A good one is written to the inbox and answered
``{"retCode": 0}`` at once; a task does the work. PushDtmfInfo(s) are answered now by
the IVR rule table (``telephony.ivr_media.dtmf.answer``), since VOS waits for the menu to run.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import math
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponseForbidden, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from switch import push_handlers, push_inbox
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


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("a number too large for JSON")  # 1e999
    return value


def strict_json(body: bytes):
    """The body as JSON, refusing what the inbox could not store or a later step would
    choke on: NaN and Infinity (not JSON, refused by PostgreSQL's jsonb), numbers beyond
    a double, NUL characters (refused by jsonb), and nesting deeper than MAX_NESTING.
    Raises ValueError (UnicodeDecodeError for bytes that are not UTF-8)."""
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_not_json, parse_float=_finite)
    except RecursionError:
        raise ValueError("nested too deep") from None
    pending = [(payload, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_NESTING:
            raise ValueError("nested too deep")
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise ValueError("a NUL character")
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and "\x00" in value:
            raise ValueError("a NUL character")
    return payload


def _refuse_code(exc: VosValidationError) -> int:
    return MISS_PARAMETERS if exc.problem == "missing" else INPUT_ERROR


@csrf_exempt
@require_POST
def receive(request, token: str, server_name: str, name: str):
    server = VosServer.objects.filter(name=server_name, enabled=True).first()
    if server is None or not _token_matches(server, token):
        log.warning("push refused: unknown server or token (%s)", server_name)
        raise Http404("unknown push address")
    source = source_address(request)
    if not _in(source, allowed_networks(server)):
        log.warning("push refused: %s is not a source of server %s", source, server.name)
        return HttpResponseForbidden()
    if name not in catalog.PUSHES:
        log.warning("push %r on %s: unknown message", name[:64], server.name)
        return JsonResponse({"retCode": UNKNOWN_INTERFACE, "exception": "Unknown interface."})
    try:
        payload = strict_json(request.body)
        if not isinstance(payload, dict):
            raise ValueError("not a JSON object")
        catalog.validate_push(name, payload)
    except VosValidationError as exc:
        log.warning("push %s on %s refused: %s", name, server.name, exc)
        return JsonResponse({"retCode": _refuse_code(exc), "exception": "Input parameter error"})
    except (ValueError, UnicodeDecodeError, RequestDataTooBig) as exc:
        log.warning("push %s on %s: not JSON (%s)", name, server.name, type(exc).__name__)
        return JsonResponse({"retCode": INPUT_ERROR, "exception": "Input parameter error"})
    if push_handlers.answered_at_once(name):
        return JsonResponse(push_inbox.answer_now(server, name, payload))
    push_inbox.store(server, name, payload)
    return JsonResponse({"retCode": 0})
