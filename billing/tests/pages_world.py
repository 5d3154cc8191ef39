"""A portal mirror of part of the simulator's demo platform (vos3000.simulator.demo), for
the tests of the rates, suites, phone book, tools and history pages.

    platform > globaltel (reseller) > manila-bpo (Retail-Premium, phones 8000200x)
                                    > citylink (sub-reseller) > cafe-roma (Retail-Standard,
                                                                phone 80003001)
             > skyvoice (reseller) > sakura (Retail-Premium, phones 8000400x)
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Tenant, User
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from switch import vos
from vos3000.client.dates import datetime_from_ms, format_day


@dataclass
class DemoWorld:
    server: object
    tenants: dict[str, Tenant]
    users: dict[str, User]

    def login(self, client, name: str) -> User:
        user = self.users[name]
        client.force_login(user)
        return user


def build(server) -> DemoWorld:
    globaltel = ResellerFactory(name="GlobalTel", server=server, vos_account="globaltel")
    citylink = ResellerFactory(
        name="CityLink", server=server, vos_account="citylink", parent=globaltel
    )
    skyvoice = ResellerFactory(name="SkyVoice", server=server, vos_account="skyvoice")
    tenants = {
        "globaltel": globaltel,
        "citylink": citylink,
        "skyvoice": skyvoice,
        "manila": TenantFactory(
            name="Manila BPO", server=server, vos_account="manila-bpo", parent=globaltel
        ),
        "cafe": TenantFactory(
            name="Cafe Roma", server=server, vos_account="cafe-roma", parent=citylink
        ),
        "sakura": TenantFactory(
            name="Sakura", server=server, vos_account="sakura", parent=skyvoice
        ),
    }
    users = {
        "admin": AdminFactory(),
        "globaltel": UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER),
        "globaltel_operator": UserFactory(tenant=globaltel, role=Role.RESELLER_OPERATOR),
        "citylink": UserFactory(tenant=citylink, role=Role.RESELLER_MANAGER),
        "skyvoice": UserFactory(tenant=skyvoice, role=Role.RESELLER_MANAGER),
        "manila": UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER),
        "manila_viewer": UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_VIEWER),
        "cafe": UserFactory(tenant=tenants["cafe"], role=Role.CUSTOMER_OWNER),
        "sakura": UserFactory(tenant=tenants["sakura"], role=Role.CUSTOMER_OWNER),
    }
    return DemoWorld(server=server, tenants=tenants, users=users)


def raw(server, endpoint: str, payload: dict) -> dict:
    """A call straight to the simulator, as the platform would make it (test set-up and
    checks only: pages go through the scope)."""
    return vos.client_for(server).call(endpoint, payload)


def sim_today(portal_sim) -> str:
    return format_day(datetime_from_ms(portal_sim.control("now")["now"]))


def cdr_of(server, portal_sim, account: str, caller: str, callee: str) -> dict:
    """The CDR of the call just placed (``place_call`` with ``complete``): it started
    ``duration`` seconds ago, which shortly after midnight UTC is yesterday."""
    now_ms = portal_sim.control("now")["now"]
    yesterday = format_day(datetime_from_ms(now_ms - 86_400_000))
    rows = raw(
        server,
        "GetCdr",
        {
            "accounts": [account],
            "beginTime": yesterday,
            "endTime": format_day(datetime_from_ms(now_ms)),
        },
    )
    matches = [
        r
        for r in rows["infoCdrs"]
        if r["callerE164"] == caller
        and r["calleeE164"] == callee
        and r["start"] >= now_ms - 3_600_000  # placed by the test, not the demo's history
    ]
    assert len(matches) == 1, matches
    return matches[0]
