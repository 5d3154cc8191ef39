"""Customer pages against the simulator over HTTP: the list (one GetCustomer per page),
create, edit, lock, valid time, delete, and who may do what."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent, Tenant
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from billing.models import BalanceReading, FeeRateGroupGrant
from customers.services import sync_tenants_from_vos
from switch.vos import client_for
from vos3000.client import ms_from_datetime


def vos_calls(sim, endpoint: str) -> int:
    return sim.control("stats")["requests"].get(endpoint, 0)


def _customer(server, account: str) -> dict | None:
    infos = client_for(server).call("GetCustomer", {"accounts": [account]})["infoCustomers"]
    return infos[0] if infos else None


@pytest.fixture
def demo(demo_vos_server):
    sync_tenants_from_vos(demo_vos_server)
    tenants = {t.vos_account: t for t in Tenant.objects.exclude(vos_account="")}
    return SimpleNamespace(server=demo_vos_server, tenants=tenants)


@pytest.fixture
def globaltel(client, demo):
    user = UserFactory(tenant=demo.tenants["globaltel"], role=Role.RESELLER_MANAGER)
    client.force_login(user)
    return user


@pytest.fixture
def big_reseller(client, vos_server):
    """A reseller with 30 customers of known balances, memos and types."""
    vos = client_for(vos_server)
    vos.call("CreateCustomer", {"account": "res", "name": "Reseller"})
    for n in range(30):
        vos.call(
            "CreateCustomer",
            {
                "account": f"c{n:02d}",
                "name": f"Customer {n:02d}",
                "agentAccount": "res",
                "money": float(n),
                "limitMoney": 5.0,
                "memo": "vip line" if n == 7 else "",
                "type": 1 if n == 9 else 0,
            },
        )
    sync_tenants_from_vos(vos_server)
    reseller = Tenant.objects.get(vos_account="res")
    user = UserFactory(tenant=reseller, role=Role.RESELLER_MANAGER)
    client.force_login(user)
    return SimpleNamespace(server=vos_server, tenant=reseller, user=user)


# --- The list ------------------------------------------------------------------------------
@pytest.mark.parametrize("per_page", [25, 100])
def test_it_reads_a_whole_page_of_balances_with_one_get_customer(
    client, big_reseller, portal_sim, per_page
):
    before = vos_calls(portal_sim, "GetCustomer")
    response = client.get(reverse("customer_list"), {"per_page": per_page, "sort": "-balance"})
    assert response.status_code == 200
    assert vos_calls(portal_sim, "GetCustomer") - before == 1
    rows = response.context["rows"]
    assert len(rows) == min(per_page, 30)
    shown = {tenant.vos_account: info for tenant, info in rows}
    assert shown["c03"]["money"] == Decimal("3.0")
    assert shown["c03"]["limitMoney"] == Decimal("5.0")
    body = response.text
    assert "3.00" in body and "balances read" in body
    # Each balance read is recorded with its time.
    reading = BalanceReading.objects.get(server=big_reseller.server, vos_account="c03")
    assert reading.money == Decimal("3") and reading.source == "page"


def test_it_pages_searches_filters_and_sorts(client, big_reseller, portal_sim):
    url = reverse("customer_list")
    # The first page reads every account shown: their memos and types are remembered.
    client.get(url, {"per_page": 100})
    page1 = client.get(url, {"sort": "-balance"})
    accounts = [t.vos_account for t, _ in page1.context["rows"]]
    assert accounts[:3] == ["c29", "c28", "c27"] and len(accounts) == 25
    page2 = client.get(url, {"sort": "-balance", "page": 2})
    assert [t.vos_account for t, _ in page2.context["rows"]][-1] == "c00"

    def listed(**params):
        return [t.vos_account for t, _ in client.get(url, params).context["rows"]]

    assert listed(q="vip") == ["c07"]  # memo
    assert listed(q="Customer 1", sort="name")[:2] == ["c10", "c11"]  # name
    assert listed(q="c2", sort="-account")[0] == "c29"  # account
    assert listed(type=1) == ["c09"]
    # Low balance: below the platform's threshold (5.00 by default).
    assert listed(low="on") == ["c00", "c01", "c02", "c03", "c04"]
    # Lock one through the portal; the locked filter finds it.
    client.post(reverse("customer_lock", args=[_t("c05").pk]), {"lock": "1"})
    assert listed(locked="on") == ["c05"]
    # htmx search answers the results fragment only.
    fragment = client.get(url, {"q": "vip"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.text and "c07" in fragment.text


def test_it_answers_a_page_past_the_end_with_the_last_page_read(client, big_reseller, portal_sim):
    client.get(reverse("customer_list"), {"per_page": 100})  # the balances, for the sort
    before = vos_calls(portal_sim, "GetCustomer")
    response = client.get(reverse("customer_list"), {"sort": "-balance", "page": 99})
    assert response.status_code == 200
    assert response.context["page"].number == 2
    rows = response.context["rows"]
    assert [t.vos_account for t, _ in rows][-1] == "c00"
    assert all(info is not None for _, info in rows)  # balances of the page shown
    # The guessed page 99 was empty: nothing was asked of VOS for it.
    assert vos_calls(portal_sim, "GetCustomer") - before == 1


def test_it_reads_the_accounts_server_from_the_cache_and_sees_an_edit_at_once(
    client, big_reseller, portal_sim
):
    url = reverse("customer_list")
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert not [q for q in queries.captured_queries if "vosserver" in q["sql"].lower()]
    # An admin points the server elsewhere: the next page asks the new address.
    server = big_reseller.server
    server.base_url = "http://127.0.0.1:9/"  # the discard port: nothing answers
    server.save()
    assert "balances read" not in client.get(url).text
    server.base_url = portal_sim.base_url
    server.save()
    assert "balances read" in client.get(url).text


def test_it_escapes_what_vos_and_the_tenant_say_in_the_rows(client, big_reseller):
    client_for(big_reseller.server).call(
        "ModifyCustomer", {"account": "c01", "memo": '<img src=x onerror="alert(1)">'}
    )
    Tenant.objects.filter(vos_account="c02").update(name="<script>alert(2)</script>")
    body = client.get(reverse("customer_list"), {"q": "c0", "per_page": 100}).text
    assert "<script>alert(2)" not in body and "&lt;script&gt;alert(2)" in body
    assert "<img src=x" not in body and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body


def _t(account):
    return Tenant.objects.get(vos_account=account)


def test_it_sends_customers_to_their_own_page(client, demo):
    acme = demo.tenants["acme"]
    client.force_login(UserFactory(tenant=acme, role=Role.CUSTOMER_OWNER))
    response = client.get(reverse("customer_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("customer_detail", args=[acme.pk])
    assert client.get(reverse("customer_create")).status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Acme Logistics Ltd" in page.text
    # A customer does not change its own account.
    assert client.get(reverse("customer_edit", args=[acme.pk])).status_code == 404
    assert client.post(reverse("customer_lock", args=[acme.pk]), {"lock": "1"}).status_code == 404


def test_it_shows_a_vos_failure_on_the_list_in_words(client, big_reseller, portal_sim):
    # Reads are retried: every attempt fails.
    portal_sim.control("fault", endpoint="GetCustomer", mode="http500", count=10)
    response = client.get(reverse("customer_list"))
    assert response.status_code == 200
    assert "could not be read" in response.text
    assert big_reseller.server.base_url not in response.text


@pytest.mark.django_db
def test_it_says_an_unlinked_account_has_no_vos_server(client):
    reseller = ResellerFactory(server=None, vos_account="")
    customer = TenantFactory(parent=reseller, server=None, vos_account="")
    client.force_login(UserFactory(tenant=reseller, role=Role.RESELLER_MANAGER))
    for name in ("customer_detail", "customer_edit", "customer_valid_time", "customer_delete"):
        response = client.get(reverse(name, args=[customer.pk]))
        assert response.status_code == 200, name
        assert "not linked to a VOS server" in response.text, name
    assert client.get(reverse("customer_list")).status_code == 200
    assert "not linked" in client.get(reverse("customer_create")).text


# --- Create ------------------------------------------------------------------------------
def _create_data(**extra):
    data = {
        "account": "newco",
        "name": "New Company",
        "type": "0",
        "feeRateGroup": "Retail-Standard",
        "limitMoney": "10",
        "lockType": "0",
        "phoneBookLimit": "5",
        "memo": "signed in May",
        "infoCustomerAdditional__email": "ops@newco.test",
        "infoCustomerAdditional__companyName": "NewCo Ltd",
        "infoCustomerAdditional__cardType": "1",
    }
    data.update(extra)
    return data


def test_it_creates_a_customer_under_the_reseller(client, demo, globaltel, portal_sim):
    FeeRateGroupGrant.objects.create(tenant=demo.tenants["globaltel"], group="Retail-Standard")
    page = client.get(reverse("customer_create"))
    form = page.context["form"]
    groups = [value for value, _ in form.fields["feeRateGroup"].choices if value]
    assert groups == ["Retail-Standard"]
    assert "money" not in form.fields  # money moves only through the ledger

    response = client.post(reverse("customer_create"), _create_data())
    tenant = Tenant.objects.get(vos_account="newco")
    assert response.status_code == 302
    assert response["Location"] == reverse("customer_detail", args=[tenant.pk]) + "?created=1"
    assert tenant.kind == Tenant.Kind.CUSTOMER and tenant.parent == demo.tenants["globaltel"]
    assert tenant.server == demo.server and tenant.name == "New Company"
    info = _customer(demo.server, "newco")
    assert info["agentAccount"] == "globaltel" and info["feeRateGroup"] == "Retail-Standard"
    assert info["money"] == 0 and info["limitMoney"] == 10 and info["phoneBookLimit"] == 5
    assert info["infoCustomerAdditional"]["email"] == "ops@newco.test"
    assert info["infoCustomerAdditional"]["cardType"] == 1
    assert AuditEvent.objects.filter(action="vos.CreateCustomer", result="ok").count() == 1
    assert AuditEvent.objects.filter(action="tenant.create", target_id=str(tenant.pk)).exists()
    # The success page offers a first phone.
    success = client.get(response["Location"])
    assert f"/customers/{tenant.pk}/phones/new/" in success.text


def test_it_refuses_a_fee_rate_group_not_granted_and_saves_nothing(
    client, demo, globaltel, portal_sim
):
    FeeRateGroupGrant.objects.create(tenant=demo.tenants["globaltel"], group="Retail-Standard")
    before = vos_calls(portal_sim, "CreateCustomer")
    response = client.post(
        reverse("customer_create"), _create_data(feeRateGroup="Wholesale", account="bad one")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "feeRateGroup" in errors and "account" in errors
    assert vos_calls(portal_sim, "CreateCustomer") == before
    assert not Tenant.objects.filter(vos_account__in=["bad one", "newco"]).exists()


def test_it_shows_a_vos_error_in_words_and_makes_no_tenant(client, demo, globaltel, portal_sim):
    FeeRateGroupGrant.objects.create(tenant=demo.tenants["globaltel"], group="Retail-Standard")
    portal_sim.control("fault", endpoint="CreateCustomer", mode="http500")
    response = client.post(reverse("customer_create"), _create_data())
    assert response.status_code == 200
    # An HTTP 500 after sending may have applied the write: the page says so.
    assert "did not confirm that it created the account" in response.text
    assert not Tenant.objects.filter(vos_account="newco").exists()
    assert AuditEvent.objects.filter(action="vos.CreateCustomer", result="unknown").exists()
    # A refusal by VOS (the account exists already) is worded too.
    response = client.post(reverse("customer_create"), _create_data(account="acme-x"))
    assert response.status_code == 302
    Tenant.objects.filter(vos_account="acme-x").update(vos_account="acme-x-renamed")
    response = client.post(reverse("customer_create"), _create_data(account="acme-x"))
    assert response.status_code == 200 and "switch refused" in response.text


def test_it_creates_a_sub_reseller_as_a_reseller_tenant(client, demo, globaltel):
    response = client.post(
        reverse("customer_create"),
        _create_data(account="subres", feeRateGroup="", is_reseller="on"),
    )
    assert response.status_code == 302
    sub = Tenant.objects.get(vos_account="subres")
    assert sub.kind == Tenant.Kind.RESELLER and sub.parent == demo.tenants["globaltel"]
    # It is an agent the reseller can create below, and the sync keeps its kind.
    page = client.get(reverse("customer_create"))
    assert str(sub.pk) in dict(page.context["form"].fields["agent"].choices)
    client.post(
        reverse("customer_create"),
        _create_data(account="subcust", feeRateGroup="", agent=str(sub.pk)),
    )
    assert _customer(demo.server, "subcust")["agentAccount"] == "subres"
    sync_tenants_from_vos(demo.server)
    sub.refresh_from_db()
    assert sub.kind == Tenant.Kind.RESELLER
    assert Tenant.objects.get(vos_account="subcust").parent == sub


def test_it_lets_an_admin_choose_the_agent_and_any_group(client, demo):
    client.force_login(AdminFactory())
    form = client.get(reverse("customer_create")).context["form"]
    groups = {value for value, _ in form.fields["feeRateGroup"].choices if value}
    assert {"Wholesale", "Retail-Standard"} <= groups
    agents = dict(form.fields["agent"].choices)
    skyvoice = demo.tenants["skyvoice"]
    assert str(skyvoice.pk) in agents
    client.post(
        reverse("customer_create"),
        _create_data(account="skycust", feeRateGroup="Wholesale", agent=str(skyvoice.pk)),
    )
    assert Tenant.objects.get(vos_account="skycust").parent == skyvoice


def test_it_keeps_the_overdraft_for_people_who_move_money(client, demo):
    operator = UserFactory(tenant=demo.tenants["globaltel"], role=Role.RESELLER_OPERATOR)
    client.force_login(operator)
    form = client.get(reverse("customer_create")).context["form"]
    assert form.fields["limitMoney"].disabled
    client.post(reverse("customer_create"), _create_data(feeRateGroup="", limitMoney="999"))
    assert _customer(demo.server, "newco")["limitMoney"] == 0


# --- The account's page, edit, lock, valid time ----------------------------------------------
def test_it_shows_the_account_from_vos_with_the_read_time(client, demo, globaltel):
    manila = demo.tenants["manila-bpo"]
    response = client.get(reverse("customer_detail", args=[manila.pk]))
    assert response.status_code == 200
    info = response.context["info"]
    assert info["account"] == "manila-bpo" and info["limitMoney"] == Decimal("100.0")
    assert "Read from VOS" in response.text and "Overview" in response.text
    # Sub-resellers have a page too, with the accounts below them.
    citylink = client.get(reverse("customer_detail", args=[demo.tenants["citylink"].pk]))
    assert citylink.status_code == 200 and "Accounts below" in citylink.text


def test_it_edits_a_customer(client, demo, globaltel):
    manila = demo.tenants["manila-bpo"]
    url = reverse("customer_edit", args=[manila.pk])
    form = client.get(url).context["form"]
    assert form.initial["name"] == "Manila BPO Services"
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="Manila BPO Inc", memo="renamed", infoCustomerAdditional__fax="")
    # The current group stays possible though it is not granted to globaltel.
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    info = _customer(demo.server, "manila-bpo")
    assert info["name"] == "Manila BPO Inc" and info["memo"] == "renamed"
    assert info["feeRateGroup"] == "Retail-Premium" and info["limitMoney"] == 100
    manila.refresh_from_db()
    assert manila.name == "Manila BPO Inc" and manila.vos_memo == "renamed"
    assert AuditEvent.objects.filter(action="vos.ModifyCustomer").exists()
    assert AuditEvent.objects.filter(action="tenant.update", target_id=str(manila.pk)).exists()


def test_it_shows_bad_edit_input_on_the_form(client, demo, globaltel, portal_sim):
    manila = demo.tenants["manila-bpo"]
    before = vos_calls(portal_sim, "ModifyCustomer")
    response = client.post(
        reverse("customer_edit", args=[manila.pk]), {"name": "", "limitMoney": "-5"}
    )
    assert response.status_code == 200
    assert {"name", "limitMoney"} <= set(response.context["form"].errors)
    assert vos_calls(portal_sim, "ModifyCustomer") == before


def test_it_locks_and_unlocks_with_htmx_and_plain_posts(client, demo, globaltel):
    manila = demo.tenants["manila-bpo"]
    url = reverse("customer_lock", args=[manila.pk])
    response = client.post(url, {"lock": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="lock-state"' in response.text and "Unlock" in response.text
    assert "<html" not in response.text
    assert _customer(demo.server, "manila-bpo")["lockType"] == 1
    response = client.post(url, {"lock": "0"})
    assert response.status_code == 302
    assert _customer(demo.server, "manila-bpo")["lockType"] == 0
    assert AuditEvent.objects.filter(action="vos.ModifyCustomer").count() == 2


def test_it_sets_the_valid_time_in_the_users_time_zone(client, demo, globaltel):
    globaltel.time_zone = "Asia/Tokyo"
    globaltel.save()
    manila = demo.tenants["manila-bpo"]
    url = reverse("customer_valid_time", args=[manila.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"valid_until": "2031-01-02T09:30"})
    assert response.status_code == 302
    expected = ms_from_datetime(datetime(2031, 1, 2, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo")))
    assert _customer(demo.server, "manila-bpo")["validTime"] == expected
    assert client.post(url, {"valid_until": "not a date"}).status_code == 200


# --- Delete ------------------------------------------------------------------------------
def test_it_refuses_to_delete_while_money_or_phones_remain(client, demo, globaltel, portal_sim):
    manila = demo.tenants["manila-bpo"]
    url = reverse("customer_delete", args=[manila.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "not zero" in page.text and "phone(s) still belong" in page.text
    before = vos_calls(portal_sim, "DeleteCustomer")
    response = client.post(url, follow=True)
    assert "was not deleted" in response.text
    assert vos_calls(portal_sim, "DeleteCustomer") == before
    assert _customer(demo.server, "manila-bpo") is not None
    manila.refresh_from_db()
    assert manila.status == Tenant.Status.ACTIVE


def test_it_deletes_an_empty_account_and_deactivates_its_users(client, demo, globaltel):
    client.post(reverse("customer_create"), _create_data(feeRateGroup="", limitMoney="0"))
    tenant = Tenant.objects.get(vos_account="newco")
    owner = UserFactory(tenant=tenant, role=Role.CUSTOMER_OWNER)
    url = reverse("customer_delete", args=[tenant.pk])
    assert "cannot be deleted yet" not in client.get(url).text
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("customer_list")
    assert _customer(demo.server, "newco") is None
    tenant.refresh_from_db()
    owner.refresh_from_db()
    assert tenant.status == Tenant.Status.GONE and not owner.is_active
    assert AuditEvent.objects.filter(action="vos.DeleteCustomer", result="ok").exists()
    assert AuditEvent.objects.filter(action="tenant.delete").exists()
    assert AuditEvent.objects.filter(action="user.deactivate", target_id=str(owner.pk)).exists()


# --- Isolation ---------------------------------------------------------------------------
def test_it_hides_foreign_customers_from_a_reseller(client, demo, portal_sim):
    client.force_login(UserFactory(tenant=demo.tenants["skyvoice"], role=Role.RESELLER_MANAGER))
    manila = demo.tenants["manila-bpo"]
    before = sum(portal_sim.control("stats")["requests"].values())
    for name in ("customer_detail", "customer_edit", "customer_valid_time", "customer_delete"):
        assert client.get(reverse(name, args=[manila.pk])).status_code == 404, name
        assert client.post(reverse(name, args=[manila.pk]), {"name": "x"}).status_code == 404
    assert client.post(reverse("customer_lock", args=[manila.pk]), {"lock": "1"}).status_code == 404
    assert sum(portal_sim.control("stats")["requests"].values()) == before
    listed = {t.vos_account for t, _ in client.get(reverse("customer_list")).context["rows"]}
    assert listed == {"hanoi-pho", "sydney-surf"} or "manila-bpo" not in listed
    # Nor may it make an account under someone else's reseller.
    response = client.post(
        reverse("customer_create"),
        _create_data(feeRateGroup="", agent=str(demo.tenants["globaltel"].pk)),
    )
    assert response.status_code == 200 and "agent" in response.context["form"].errors
    assert _customer(demo.server, "newco") is None


def test_it_lets_a_reseller_not_change_its_own_account(client, demo, globaltel):
    own = demo.tenants["globaltel"]
    assert client.get(reverse("customer_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("customer_edit", args=[own.pk])).status_code == 404
    assert client.post(reverse("customer_delete", args=[own.pk])).status_code == 404


def test_it_never_lets_an_older_reading_replace_a_newer_one(vos_server):
    from datetime import timedelta

    from django.utils import timezone

    from billing.money.readings import record_balances

    now = timezone.now()
    info = {"account": "c1", "money": 10.5, "limitMoney": 2.0}
    assert record_balances(vos_server, [info], "page", now) == 1
    record_balances(vos_server, [{**info, "money": 99.0}], "page", now - timedelta(seconds=5))
    reading = BalanceReading.objects.get(vos_account="c1")
    assert reading.money == Decimal("10.5") and reading.read_at == now
    record_balances(vos_server, [{**info, "money": 7.25}], "dashboard", now + timedelta(seconds=1))
    reading.refresh_from_db()
    assert reading.money == Decimal("7.25") and reading.source == "dashboard"
    assert reading.limit_money == Decimal("2")
