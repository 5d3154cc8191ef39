"""Tenants linked to the simulator's demo platform: reseller globaltel with its customers
manila-bpo and delhi-soft, sub-reseller citylink with cafe-roma, reseller skyvoice with
sakura, and acme (a direct customer of the platform)."""

from __future__ import annotations

import pytest

from accounts.models import Tenant
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from switch import vos


@pytest.fixture
def demo(demo_vos_server):
    server = demo_vos_server
    root = Tenant.platform_root()
    globaltel = ResellerFactory(
        server=server, vos_account="globaltel", name="GlobalTel", parent=root
    )
    citylink = ResellerFactory(
        server=server, vos_account="citylink", name="CityLink", parent=globaltel
    )
    skyvoice = ResellerFactory(server=server, vos_account="skyvoice", name="SkyVoice", parent=root)
    tenants = {
        "globaltel": globaltel,
        "citylink": citylink,
        "skyvoice": skyvoice,
        "manila": TenantFactory(
            server=server, vos_account="manila-bpo", name="Manila", parent=globaltel
        ),
        "delhi": TenantFactory(
            server=server, vos_account="delhi-soft", name="Delhi", parent=globaltel
        ),
        "cafe": TenantFactory(
            server=server, vos_account="cafe-roma", name="Cafe Roma", parent=citylink
        ),
        "sakura": TenantFactory(
            server=server, vos_account="sakura", name="Sakura", parent=skyvoice
        ),
        "acme": TenantFactory(server=server, vos_account="acme", name="Acme", parent=root),
    }
    return server, tenants


@pytest.fixture
def admin_scope(db):
    return Scope(user=AdminFactory())


@pytest.fixture
def sim_call(demo, admin_scope):
    """Ask the simulator directly, as the platform (for checking what VOS holds)."""
    server, _tenants = demo

    def call(endpoint, payload):
        return vos.call(admin_scope, server, endpoint, payload)

    return call


def user_of(tenant, role=None):
    if role is None:
        role = Role.RESELLER_MANAGER if tenant.kind == Tenant.Kind.RESELLER else Role.CUSTOMER_OWNER
    return UserFactory(tenant=tenant, role=role)


@pytest.fixture
def as_user(client):
    def sign_in(tenant=None, role=None, user=None):
        user = user or user_of(tenant, role)
        client.cookies.pop("messages", None)  # the last user's unread toasts
        client.force_login(user)
        return user

    return sign_in


@pytest.fixture
def sim_pushes_to(portal_sim):
    """Point the simulator's pushes at a receiver for this test only: the simulator is
    shared by the whole session, and left pointing at the live server it would go on
    pushing into later tests' databases (and hold a connection at the end of the run)."""

    def point(url: str) -> None:
        portal_sim.control("settings", push_url=url)

    yield point
    portal_sim.control("settings", push_url=None)
