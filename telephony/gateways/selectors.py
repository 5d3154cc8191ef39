"""Reads about mapping and routing gateways (manual 2.10-2.19), for the platform's pages.

VOS holds the gateways; the portal keeps no copy. A list is one Get and one Get*Online
call per page view, merged by name: what each gateway is, and whether it is registered
with how many calls on it now.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.models import Tenant
from switch import vos
from vos3000 import catalog


@dataclass(frozen=True)
class GatewayKind:
    """One of VOS's two gateway kinds: its endpoints and the fields that differ."""

    key: str
    label: str
    singular: str
    get: str
    get_online: str
    create: str
    modify: str
    delete: str
    list_field: str
    online_field: str
    # The field naming the VOS account the gateway's calls are billed to (mapping) or
    # cleared against (routing).
    account_field: str
    ip_field: str


MAPPING = GatewayKind(
    key="mapping",
    label=_("Mapping gateways"),
    singular=_("mapping gateway"),
    get="GetGatewayMapping",
    get_online="GetGatewayMappingOnline",
    create="CreateGatewayMapping",
    modify="ModifyGatewayMapping",
    delete="DeleteGatewayMapping",
    list_field="infoGatewayMappings",
    online_field="infoGatewayMappingOnlines",
    account_field="account",
    ip_field="remoteIps",
)


ROUTING = GatewayKind(
    key="routing",
    label=_("Routing gateways"),
    singular=_("routing gateway"),
    get="GetGatewayRouting",
    get_online="GetGatewayRoutingOnline",
    create="CreateGatewayRouting",
    modify="ModifyGatewayRouting",
    delete="DeleteGatewayRouting",
    list_field="infoGatewayRoutings",
    online_field="infoGatewayRoutingOnlines",
    account_field="clearingAccount",
    ip_field="remoteIp",
)


KINDS = {kind.key: kind for kind in (MAPPING, ROUTING)}


STATIC = 0  # registerType 0: a static gateway, always listed online with registerTime 0


# The registration states a list can be filtered by.
ONLINE, OFFLINE = "online", "offline"


class GatewayNotFound(Http404):
    """VOS holds no gateway of that kind and name."""


def kind_or_404(key: str) -> GatewayKind:
    try:
        return KINDS[key]
    except KeyError:
        raise Http404("no such gateway kind") from None


@dataclass
class GatewayRow:
    """A gateway as a list shows it: its settings and its online state."""

    info: dict
    online: dict | None

    @property
    def name(self) -> str:
        return self.info.get("name", "")

    @property
    def is_static(self) -> bool:
        return self.info.get("registerType", STATIC) == STATIC

    @property
    def state(self) -> str:
        """ "static" (always reachable), "registered" or "offline"."""
        if self.is_static:
            return "static"
        return "registered" if self.online is not None else OFFLINE

    @property
    def is_online(self) -> bool:
        return self.is_static or self.online is not None

    @property
    def current_calls(self) -> int:
        return (self.online or {}).get("currentCall", 0)

    @property
    def capacity(self):
        """0 is "no limit"; None: the answer left it out (unknown)."""
        return self.info.get("capacity")

    @property
    def asr_percent(self):
        asr = (self.online or {}).get("asr")
        return None if asr is None else round(float(asr) * 100, 1)

    @property
    def acd(self):
        return (self.online or {}).get("acd")

    @property
    def remote_ips(self) -> str:
        """The addresses the gateway is set up with (mapping: a list; routing: one)."""
        return self.info.get("remoteIps") or self.info.get("remoteIp") or ""

    @property
    def register_ips(self) -> str:
        """Where a registered gateway registered from (its own and its NAT address)."""
        online = self.online or {}
        return ", ".join(ip for ip in (online.get("localIp"), online.get("natIp")) if ip)

    @property
    def keep_time(self):
        return (self.online or {}).get("keepTime") if not self.is_static else None

    @property
    def locked(self) -> bool:
        return self.info.get("lockType", 0) != 0


def gateway_rows(scope, server, kind: GatewayKind, *, query: str = "", state: str = ""):
    """Every gateway of ``kind`` on ``server`` with its online state, filtered by a part
    of the name (case-insensitive) and by ``state`` (ONLINE / OFFLINE). VosError on a
    failure, for the page to say in words."""
    scope.require_platform()
    infos = vos.call(scope, server, kind.get, {}).get(kind.list_field) or []
    online = vos.call(scope, server, kind.get_online, {}).get(kind.online_field) or []
    online_by_name = {entry.get("name"): entry for entry in online}
    needle = query.strip().lower()
    rows = []
    for info in infos:
        row = GatewayRow(info=info, online=online_by_name.get(info.get("name")))
        if needle and needle not in row.name.lower():
            continue
        if state == ONLINE and not row.is_online:
            continue
        if state == OFFLINE and row.is_online:
            continue
        rows.append(row)
    rows.sort(key=lambda r: r.name.lower())
    return rows


def gateway(scope, server, kind: GatewayKind, name: str) -> dict:
    """The Get answer of one gateway (GatewayNotFound when VOS holds none by that name)."""
    scope.require_platform()
    infos = vos.call(scope, server, kind.get, {"names": [name]}).get(kind.list_field) or []
    for info in infos:
        if info.get("name") == name:
            # Fields the Get type lacks but the Modify request has come as the server sent
            # them (a sparse server: numbers in strings): in the Modify's types, so an edit
            # compares like with like.
            typed, _unknown = catalog.loosen_request(kind.modify, info)
            return {**info, **typed}
    raise GatewayNotFound(f"no {kind.key} gateway {name!r}")


def account_choices(scope, server) -> list[tuple[str, str]]:
    """The VOS accounts a gateway may be billed to or cleared against: the tenants of
    the scope's tree that have an account on ``server``, by their place in the tree."""
    tenants = (
        scope.tenants()
        .filter(server=server, status=Tenant.Status.ACTIVE)
        .exclude(vos_account="")
        .exclude(kind=Tenant.Kind.PLATFORM)
        .order_by("path")
    )
    return [
        (t.vos_account, f"{'— ' * max(t.depth - 1, 0)}{t.name} ({t.vos_account})") for t in tenants
    ]
