"""Fee rate group grants: admins grant VOS groups to resellers, resellers pass on what
they hold to resellers below them, revoking takes a group from those it was passed on
to; every change is audited with the groups before and after."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.tests.factories import TenantFactory, UserFactory
from billing.models import FeeRateGroupGrant
from billing.rates import services
from billing.tests import pages_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo_vos_server):
    return pages_world.build(demo_vos_server)


def _groups(tenant) -> list[str]:
    return services.current_grants(tenant)


def _url(world, name: str) -> str:
    return reverse("rate_grants", args=[world.tenants[name].pk])


def test_an_admin_grants_groups_read_from_vos(client, world):
    world.login(client, "admin")
    page = client.get(_url(world, "globaltel"))
    assert page.status_code == 200
    assert list(page.context["form"].fields["groups"].choices) == [
        (g, g) for g in ("Retail-Premium", "Retail-Standard", "Sub-Reseller", "Wholesale")
    ]
    response = client.post(_url(world, "globaltel"), {"groups": ["Retail-Premium", "Wholesale"]})
    assert response.status_code == 302
    assert _groups(world.tenants["globaltel"]) == ["Retail-Premium", "Wholesale"]
    grant = FeeRateGroupGrant.objects.get(tenant=world.tenants["globaltel"], group="Wholesale")
    assert grant.granted_by == world.users["admin"]
    event = AuditEvent.objects.get(action="billing.fee_rate_grants")
    assert event.before == {"groups": []}
    assert event.after == {"groups": ["Retail-Premium", "Wholesale"]}
    assert event.tenant_id == world.tenants["globaltel"].pk
    assert event.actor_id == world.users["admin"].pk


def test_an_admin_cannot_grant_a_group_vos_does_not_have(client, world):
    world.login(client, "admin")
    response = client.post(_url(world, "globaltel"), {"groups": ["Made-Up"]})
    assert response.status_code == 200
    assert response.context["form"].errors["groups"]
    assert _groups(world.tenants["globaltel"]) == []


def test_a_reseller_passes_on_only_what_it_holds(client, world):
    FeeRateGroupGrant.objects.create(tenant=world.tenants["globaltel"], group="Retail-Standard")
    world.login(client, "globaltel")
    page = client.get(_url(world, "citylink"))
    assert list(page.context["form"].fields["groups"].choices) == [
        ("Retail-Standard", "Retail-Standard")
    ]
    refused = client.post(_url(world, "citylink"), {"groups": ["Retail-Standard", "Wholesale"]})
    assert refused.status_code == 200 and refused.context["form"].errors["groups"]
    assert _groups(world.tenants["citylink"]) == []
    # The service refuses too, whatever the form offered.
    from accounts.scope import Scope

    scope = Scope(user=world.users["globaltel"])
    with pytest.raises(services.Refused):
        services.set_grants(scope, world.tenants["citylink"], ["Wholesale"], grantable=[])
    assert client.post(_url(world, "citylink"), {"groups": ["Retail-Standard"]}).status_code == 302
    assert _groups(world.tenants["citylink"]) == ["Retail-Standard"]
    # The sub-reseller now sees the group it was given.
    world.login(client, "citylink")
    assert client.get(reverse("rate_detail", args=["Retail-Standard"])).status_code == 200


def test_a_reseller_leaves_alone_what_the_platform_gave_below_it(client, world):
    FeeRateGroupGrant.objects.create(tenant=world.tenants["globaltel"], group="Retail-Standard")
    FeeRateGroupGrant.objects.create(
        tenant=world.tenants["citylink"], group="Sub-Reseller", granted_by=world.users["admin"]
    )
    world.login(client, "globaltel")
    page = client.get(_url(world, "citylink"))
    assert page.context["held_elsewhere"] == ["Sub-Reseller"]
    client.post(_url(world, "citylink"), {"groups": []})
    assert _groups(world.tenants["citylink"]) == ["Sub-Reseller"]


def test_a_reseller_reads_but_does_not_edit_its_own_grants(client, world):
    FeeRateGroupGrant.objects.create(tenant=world.tenants["globaltel"], group="Retail-Standard")
    world.login(client, "globaltel")
    page = client.get(_url(world, "globaltel"))
    assert page.status_code == 200 and not page.context["editable"]
    assert "Retail-Standard" in page.text
    assert client.post(_url(world, "globaltel"), {"groups": []}).status_code == 302
    assert _groups(world.tenants["globaltel"]) == ["Retail-Standard"]


def test_nobody_reaches_grants_outside_their_subtree(client, world):
    world.login(client, "citylink")
    assert client.get(_url(world, "globaltel")).status_code == 404  # its parent
    assert client.post(_url(world, "skyvoice"), {"groups": []}).status_code == 404
    world.login(client, "skyvoice")
    assert client.get(_url(world, "citylink")).status_code == 404
    # Customers have no grants page at all, not even for themselves.
    world.login(client, "manila")
    assert client.get(_url(world, "manila")).status_code == 404


def test_a_platform_auditor_only_reads(client, world):
    FeeRateGroupGrant.objects.create(tenant=world.tenants["globaltel"], group="Wholesale")
    auditor = UserFactory(tenant=world.users["admin"].tenant, role=Role.PLATFORM_AUDITOR)
    client.force_login(auditor)
    page = client.get(_url(world, "globaltel"))
    assert page.status_code == 200 and not page.context["editable"]
    client.post(_url(world, "globaltel"), {"groups": []})
    assert _groups(world.tenants["globaltel"]) == ["Wholesale"]


def test_revoking_takes_the_group_from_those_it_was_passed_on_to(client, world):
    globaltel, citylink = world.tenants["globaltel"], world.tenants["citylink"]
    deeper = TenantFactory(
        kind="reseller", parent=citylink, server=world.server, vos_account="deeper"
    )
    for group in ("Retail-Standard", "Retail-Premium"):
        FeeRateGroupGrant.objects.create(tenant=globaltel, group=group)
    world.login(client, "globaltel")
    client.post(_url(world, "citylink"), {"groups": ["Retail-Standard", "Retail-Premium"]})
    world.login(client, "citylink")
    client.post(reverse("rate_grants", args=[deeper.pk]), {"groups": ["Retail-Standard"]})
    # Given directly by the platform: stays when globaltel loses the group.
    FeeRateGroupGrant.objects.filter(tenant=citylink, group="Retail-Premium").update(
        granted_by=world.users["admin"]
    )
    world.login(client, "admin")
    client.post(_url(world, "globaltel"), {"groups": []})
    assert _groups(globaltel) == []
    assert _groups(citylink) == ["Retail-Premium"]
    assert _groups(deeper) == []
    cascade = (
        AuditEvent.objects.filter(action="billing.fee_rate_grants", tenant=deeper)
        .order_by("pk")
        .last()
    )
    assert cascade.before == {"groups": ["Retail-Standard"]} and cascade.after == {"groups": []}
    assert cascade.payload["because_revoked_from"] == globaltel.pk


def test_the_rates_page_links_to_the_resellers_grants(client, world):
    world.login(client, "globaltel")
    body = client.get(reverse("rate_list")).text
    assert _url(world, "citylink") in body
    assert _url(world, "skyvoice") not in body


def test_the_demo_seed_grants_the_demo_groups(world):
    assert services.grant_demo_groups() == 8
    assert services.grant_demo_groups() == 0
    assert _groups(world.tenants["globaltel"]) == [
        "Retail-Premium",
        "Retail-Standard",
        "Sub-Reseller",
    ]
    assert _groups(world.tenants["citylink"]) == ["Retail-Premium", "Retail-Standard"]


def test_grants_changed_in_the_django_admin_are_audited(client, world):
    tenant = world.tenants["skyvoice"]
    world.login(client, "admin")
    response = client.post(
        reverse("admin:billing_feerategroupgrant_add"), {"tenant": tenant.pk, "group": "Wholesale"}
    )
    assert response.status_code == 302, response.content[:500]
    grant = FeeRateGroupGrant.objects.get(tenant=tenant)
    assert grant.granted_by == world.users["admin"]
    client.post(reverse("admin:billing_feerategroupgrant_delete", args=[grant.pk]), {"post": "yes"})
    events = AuditEvent.objects.filter(action="billing.fee_rate_grants", tenant=tenant)
    assert [(e.before, e.after) for e in events.order_by("pk")] == [
        ({"groups": []}, {"groups": ["Wholesale"]}),
        ({"groups": ["Wholesale"]}, {"groups": []}),
    ]
