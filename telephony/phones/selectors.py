"""Reads of a customer's phones (and the limited-number groups a phone may use), always
through the request's scope: every function takes the scope and the customer tenant
(already found with ``scope.customer_or_404``) and asks VOS only about that tenant's own
account."""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import quote

import qrcode
from django.utils.safestring import SafeString, mark_safe
from qrcode.image.svg import SvgPathImage

from accounts.scope import OutOfScope
from switch import vos
from telephony.models import LimitedE164Group


def own_rows(scope, tenant, rows: list[dict]) -> list[dict]:
    """The rows about ``tenant``'s own account. A tenant the scope contains (loaded
    through it, active) vouches for its account: no tenant query; any other is
    re-checked against the scope as every VOS answer is."""
    if not (scope.contains(tenant) and tenant.status == tenant.Status.ACTIVE):
        rows = scope.keep_in_scope(tenant.server, rows, field="account")
    return [row for row in rows if row.get("account") == tenant.vos_account]


# --- Phones ------------------------------------------------------------------------------
def phones(scope, tenant) -> list[dict]:
    """Every phone of the customer's own account (InfoPhone dicts), by number."""
    answer = vos.call(
        scope,
        tenant.server,
        "GetPhone",
        {"accounts": [tenant.vos_account]},
        tenant=tenant,
        known_tenants=[tenant],  # loaded through the scope: no second tenant query
    )
    rows = own_rows(scope, tenant, answer.get("infoPhones") or [])
    return sorted(rows, key=lambda row: str(row.get("e164", "")))


def phone_or_404(scope, tenant, e164: str) -> dict:
    """One phone of the customer's own account; 404 when it is not one of them."""
    for row in phones(scope, tenant):
        if row.get("e164") == e164:
            return row
    raise OutOfScope(f"phone not in tenant {tenant.pk}")


def online(scope, tenant, e164s: list[str]) -> dict[str, dict]:
    """Registration of each of ``e164s`` (phones just read from the own account): e164
    -> InfoPhoneOnline, for the ones online. One GetPhoneOnline call, none for no phones."""
    if not e164s:
        return {}
    answer = vos.call(
        scope,
        tenant.server,
        "GetPhoneOnline",
        {"e164s": list(e164s)},
        tenant=tenant,
        verified=frozenset(e164s),
    )
    return _registrations(answer, e164s)


def online_soon(scope, tenant, e164s: list[str]):
    """``online`` started now (``vos.read_soon``): a callable that waits for the answer
    and returns what ``online`` returns (or raises its VosError). The page renders its
    layout while VOS answers."""
    if not e164s:
        return dict
    future = vos.read_soon(
        scope, tenant.server, "GetPhoneOnline", {"e164s": list(e164s)}, verified=frozenset(e164s)
    )
    return lambda: _registrations(future.result(), e164s)


def _registrations(answer: dict, e164s: list[str]) -> dict[str, dict]:
    wanted = set(e164s)
    return {
        row["e164"]: row
        for row in answer.get("infoPhoneOnlines") or []
        if row.get("e164") in wanted
    }


def limited_groups(scope):
    """The groups this user may see: all on the platform, else those owned by a tenant
    in the scope (a reseller's own and its sub-resellers'). Customers see none.
    (Offered on the phone form; their pages are telephony.numbers'.)"""
    groups = LimitedE164Group.objects.select_related("owner", "server")
    if scope.is_platform:
        return groups
    if not scope.is_provider:
        return groups.none()
    return groups.filter(owner__path__startswith=scope.tenant.path)


# --- Connecting a phone ------------------------------------------------------------------
@dataclass(frozen=True)
class Connection:
    """What a softphone or desk phone needs to register: the server's public SIP host
    (entered by admins; never the interface address), port, transport, the phone's
    number as its user name, and the password only when it was just set."""

    host: str
    port: int
    transport: str
    username: str
    password: str

    @property
    def sip_uri(self) -> str:
        """A sip: address for softphones that read one from a QR code (RFC 3261 allows
        the password in it; it is drawn only on the page that shows the password once)."""
        host = f"[{self.host.strip('[]')}]" if ":" in self.host else self.host
        user = quote(self.username, safe="+")
        secret = f":{quote(self.password, safe='')}" if self.password else ""
        return f"sip:{user}{secret}@{host}:{self.port};transport={self.transport}"

    def qr_svg(self) -> SafeString:
        """The sip: address as a QR code, drawn on the server as SVG (no script, no
        inline style: the CSP allows it as it is)."""
        image = qrcode.make(self.sip_uri, image_factory=SvgPathImage, box_size=10, border=2)
        out = io.BytesIO()
        image.save(out)
        svg = out.getvalue().decode()
        svg = svg[svg.index("<svg") :]  # no XML declaration inside HTML
        return mark_safe(svg.replace("<svg ", '<svg class="qr" role="img" ', 1))  # noqa: S308 - drawn here from escaped text


def connection(tenant, e164: str, password: str = "") -> Connection | None:
    """How to connect ``e164`` (a phone of ``tenant``, already found in the scope), or
    None when the admins have not entered the server's SIP host."""
    server = tenant.server
    if server is None or not server.sip_host:
        return None
    return Connection(
        host=server.sip_host,
        port=server.sip_port,
        transport=server.sip_transport,
        username=e164,
        password=password,
    )
