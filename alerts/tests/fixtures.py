"""Tenants linked to the simulator's demo platform for the alert tests (the same tree as
telephony.conftest's ``demo``: reseller globaltel with manila-bpo and delhi-soft,
sub-reseller citylink with cafe-roma, reseller skyvoice with sakura, and acme)."""

from __future__ import annotations

from accounts.models import Tenant
from accounts.tests.factories import ResellerFactory, TenantFactory
from alerts.models import AlertKind, AlertState


def link_demo_tenants(server, *, funded: bool = True) -> tuple:
    """``funded``: the portal has seen each customer with money before (its low-balance
    alert is armed), as for the demo accounts, which the simulator starts with money."""
    root = Tenant.platform_root()
    globaltel = ResellerFactory(
        server=server, vos_account="globaltel", name="GlobalTel", parent=root
    )
    citylink = ResellerFactory(
        server=server, vos_account="citylink", name="CityLink", parent=globaltel
    )
    skyvoice = ResellerFactory(server=server, vos_account="skyvoice", name="SkyVoice", parent=root)

    def customer(account, name, parent):
        return TenantFactory(server=server, vos_account=account, name=name, parent=parent)

    tenants = {
        "globaltel": globaltel,
        "citylink": citylink,
        "skyvoice": skyvoice,
        "manila": customer("manila-bpo", "Manila", globaltel),
        "delhi": customer("delhi-soft", "Delhi", globaltel),
        "cafe": customer("cafe-roma", "Cafe Roma", citylink),
        "sakura": customer("sakura", "Sakura", skyvoice),
        "acme": customer("acme", "Acme", root),
    }
    if funded:
        for tenant in tenants.values():
            if tenant.kind == Tenant.Kind.CUSTOMER:
                AlertState.objects.create(
                    kind=AlertKind.LOW_BALANCE, server=server, subject=tenant.vos_account
                )
    return server, tenants
