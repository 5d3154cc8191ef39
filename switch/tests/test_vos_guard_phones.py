"""The guard on the writes the phone, card and number pages make, as a reseller.

Limited-E164 groups (ID_FIELDS in switch.vos) are keyed by the group's name: a
reseller may only write a group whose name the caller verified against the portal's
record of who owns it.
"""

from __future__ import annotations

import pytest

from accounts.roles import Role
from accounts.scope import OutOfScope, Scope
from accounts.tests.factories import ResellerFactory, UserFactory
from switch import vos

pytestmark = pytest.mark.django_db


GROUP = "res:blocked"


CREATE = {"limitE164GroupName": GROUP, "infoLimitE164s": [{"e164": "4420700", "memo": ""}]}


@pytest.fixture
def reseller_scope(vos_server):
    tenant = ResellerFactory(server=vos_server, vos_account="res")
    return Scope(user=UserFactory(tenant=tenant, role=Role.RESELLER_MANAGER))


@pytest.mark.parametrize("endpoint", ["CreateLimitedE164", "DeleteLimitE164"])
def test_it_refuses_a_group_the_caller_did_not_verify(vos_server, reseller_scope, endpoint):
    payload = (
        CREATE if endpoint == "CreateLimitedE164" else {"limitE164GroupName": GROUP, "e164s": ["1"]}
    )
    with pytest.raises(OutOfScope):
        vos.guard(reseller_scope, vos_server, endpoint, payload)
    with pytest.raises(OutOfScope):
        vos.guard(reseller_scope, vos_server, endpoint, payload, verified={"other:group"})
    vos.guard(reseller_scope, vos_server, endpoint, payload, verified={GROUP})


def test_a_verified_group_is_written(vos_server, reseller_scope, portal_sim):
    vos.call(reseller_scope, vos_server, "CreateLimitedE164", CREATE, verified={GROUP})
    assert portal_sim.control("limited_numbers", group=GROUP)["numbers"] == {"4420700": ""}


def test_a_viewer_may_not_write_a_group(vos_server):
    tenant = ResellerFactory(server=vos_server, vos_account="res2")
    viewer = Scope(user=UserFactory(tenant=tenant, role=Role.CUSTOMER_VIEWER))
    with pytest.raises(OutOfScope):
        vos.guard(viewer, vos_server, "CreateLimitedE164", CREATE, verified={GROUP})
