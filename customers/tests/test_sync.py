"""Mirroring the VOS account tree into tenants, against the simulator over HTTP."""

import pytest

from accounts.models import Tenant
from customers.services import LinkRefused, link_vos_account, sync_tenants_from_vos
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
    vos.call("CreateCustomer", {"account": "res1", "name": "Reseller One"})
    vos.call("CreateCustomer", {"account": "res2", "name": "Reseller Two"})
    vos.call("CreateCustomer", {"account": "c1", "name": "Customer One", "agentAccount": "res1"})
    vos.call("CreateCustomer", {"account": "c2", "name": "Customer Two", "agentAccount": "res1"})
    sync_tenants_from_vos(vos_server)
    assert _tenant("c1").parent == _tenant("res1")

    vos.call("CreateCustomer", {"account": "c3", "name": "Made in VOS", "agentAccount": "res2"})
    vos.call("ModifyCustomer", {"account": "c1", "agentAccount": "res2"})
    vos.call("DeleteCustomer", {"account": "c2"})
    result = sync_tenants_from_vos(vos_server)

    assert result.created == ["c3"] and result.moved == ["c1"] and result.gone == ["c2"]
    assert _tenant("c3").parent == _tenant("res2")
    assert _tenant("c1").parent == _tenant("res2")
    assert _tenant("c2").status == Tenant.Status.GONE


def test_it_brings_back_an_account_that_reappears(vos_server):
    vos = client_for(vos_server)
    vos.call("CreateCustomer", {"account": "c1", "name": "One"})
    sync_tenants_from_vos(vos_server)
    vos.call("DeleteCustomer", {"account": "c1"})
    sync_tenants_from_vos(vos_server)
    vos.call("CreateCustomer", {"account": "c1", "name": "One again"})
    sync_tenants_from_vos(vos_server)
    tenant = _tenant("c1")
    assert tenant.status == Tenant.Status.ACTIVE and tenant.name == "One again"


def test_it_links_an_account_made_in_vos_under_its_agent(vos_server):
    vos = client_for(vos_server)
    vos.call("CreateCustomer", {"account": "res1", "name": "Reseller One"})
    vos.call("CreateCustomer", {"account": "c1", "name": "Customer One", "agentAccount": "res1"})
    vos.call("CreateCustomer", {"account": "c2", "agentAccount": "c1"})

    with pytest.raises(LinkRefused, match="res1 is not a tenant yet"):
        link_vos_account(vos_server, "c1", Tenant.Kind.CUSTOMER)
    with pytest.raises(LinkRefused, match="no account nobody"):
        link_vos_account(vos_server, "nobody", Tenant.Kind.CUSTOMER)
    reseller = link_vos_account(vos_server, "res1", Tenant.Kind.RESELLER)
    customer = link_vos_account(vos_server, "c1", Tenant.Kind.CUSTOMER)

    assert reseller.parent == Tenant.platform_root() and reseller.name == "Reseller One"
    assert customer.parent == reseller and customer.name == "Customer One"
    with pytest.raises(LinkRefused, match="c1 is a customer, not a reseller"):
        link_vos_account(vos_server, "c2", Tenant.Kind.CUSTOMER)
    with pytest.raises(LinkRefused, match="already the tenant"):
        link_vos_account(vos_server, "c1", Tenant.Kind.CUSTOMER)
