"""The guard on DisconnectCurrentCall: a tenant may name only a call id it found in its
own scope's live snapshot (telephony.live.selectors.call_or_404), like ID_CHECKED ids."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from accounts.scope import OutOfScope, Scope
from accounts.tests.factories import AdminFactory, UserFactory
from switch import vos


def scopes(tenants):
    return {
        "owner": Scope(user=UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER)),
        "viewer": Scope(user=UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_VIEWER)),
        "reseller": Scope(
            user=UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_OPERATOR)
        ),
    }


def test_it_refuses_a_call_id_not_read_through_the_scope(demo):
    server, tenants = demo
    for scope in scopes(tenants).values():
        with pytest.raises(OutOfScope):
            vos.guard(scope, server, "DisconnectCurrentCall", {"CallIds": 5})


def test_it_lets_a_changer_name_a_call_id_of_its_snapshot(demo):
    server, tenants = demo
    given = scopes(tenants)
    for name in ("owner", "reseller"):
        vos.guard(given[name], server, "DisconnectCurrentCall", {"CallIds": 5}, verified={"5"})
    with pytest.raises(OutOfScope):  # a verified id does not replace the CHANGE right
        vos.guard(given["viewer"], server, "DisconnectCurrentCall", {"CallIds": 5}, verified={"5"})
    with pytest.raises(OutOfScope):  # another id than the one verified
        vos.guard(given["owner"], server, "DisconnectCurrentCall", {"CallIds": 6}, verified={"5"})


def test_it_lets_admins_but_not_auditors_disconnect_any_call(demo):
    server, _tenants = demo
    vos.guard(Scope(user=AdminFactory()), server, "DisconnectCurrentCall", {"CallIds": 5})
    with pytest.raises(OutOfScope):
        vos.guard(
            Scope(user=AdminFactory(role=Role.PLATFORM_AUDITOR)),
            server,
            "DisconnectCurrentCall",
            {"CallIds": 5},
        )
