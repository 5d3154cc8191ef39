"""Mirroring the VOS account tree into tenants, against the simulator over HTTP."""

from accounts.models import Tenant
from customers.services import sync_tenants_from_vos
from switch.vos import client_for


def _tenant(account):
    return Tenant.objects.get(vos_account=account)


def test_it_mirrors_the_demo_tree_to_depth_three(demo_vos_server):
    result = sync_tenants_from_vos(demo_vos_server)
    assert result.seen == 15
    globaltel, citylink = _tenant("globaltel"), _tenant("citylink")
    assert globaltel.kind == Tenant.Kind.RESELLER and globaltel.depth == 1
    assert citylink.kind == Tenant.Kind.RESELLER and citylink.parent == globaltel
    cafe = _tenant("cafe-roma")
    assert cafe.kind == Tenant.Kind.CUSTOMER and cafe.depth == 3
    assert cafe.is_within(globaltel)
    assert _tenant("acme").parent == Tenant.platform_root()
    assert _tenant("acme").name == "Acme Logistics Ltd"


def test_it_is_idempotent(demo_vos_server):
    sync_tenants_from_vos(demo_vos_server)
    again = sync_tenants_from_vos(demo_vos_server)
    assert again.created == again.moved == again.gone == []
    assert Tenant.objects.exclude(kind=Tenant.Kind.PLATFORM).count() == 15


def test_it_follows_changes_made_in_vos_outside_the_portal(vos_server):
    vos = client_for(vos_server)
    vos.create_customer(account="res1", name="Reseller One")
    vos.create_customer(account="res2", name="Reseller Two")
    vos.create_customer(account="c1", name="Customer One", agent_account="res1")
    vos.create_customer(account="c2", name="Customer Two", agent_account="res1")
    sync_tenants_from_vos(vos_server)
    assert _tenant("c1").parent == _tenant("res1")

    vos.create_customer(account="c3", name="Made in VOS", agent_account="res2")
    vos.modify_customer(account="c1", agent_account="res2")
    vos.delete_customer(account="c2")
    result = sync_tenants_from_vos(vos_server)

    assert result.created == ["c3"] and result.moved == ["c1"] and result.gone == ["c2"]
    assert _tenant("c3").parent == _tenant("res2")
    assert _tenant("c1").parent == _tenant("res2")
    assert _tenant("c2").status == Tenant.Status.GONE


def test_it_brings_back_an_account_that_reappears(vos_server):
    vos = client_for(vos_server)
    vos.create_customer(account="c1", name="One")
    sync_tenants_from_vos(vos_server)
    vos.delete_customer(account="c1")
    sync_tenants_from_vos(vos_server)
    vos.create_customer(account="c1", name="One again")
    sync_tenants_from_vos(vos_server)
    tenant = _tenant("c1")
    assert tenant.status == Tenant.Status.ACTIVE and tenant.name == "One again"
