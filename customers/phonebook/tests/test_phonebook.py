"""Phone book per customer: add, edit and remove entries with plain forms and htmx;
customers keep their own, viewers only read, nobody reaches another customer's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from billing.tests import pages_world
from billing.tests.pages_world import raw

pytestmark = pytest.mark.django_db


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(demo_vos_server):
    return pages_world.build(demo_vos_server)


def _book(world, account="manila-bpo") -> dict[str, dict]:
    rows = raw(world.server, "GetCustomerPhoneBook", {"account": account})
    return {r["e164"]: r for r in rows["infoCustomerPhoneBooks"]}


def _url(world, name="manila") -> str:
    return reverse("customer_phonebook", args=[world.tenants[name].pk])


def _entry_url(world, view: str, e164: str, name="manila") -> str:
    return reverse(f"customer_phonebook_{view}", args=[world.tenants[name].pk, e164])


def _add(world, e164: str, name: str, account="manila-bpo"):
    raw(world.server, "CreateCustomerPhoneBook", {"account": account, "e164": e164, "name": name})


def test_a_customer_adds_edits_and_removes_entries_with_plain_forms(client, world):
    world.login(client, "manila")
    added = client.post(
        _url(world),
        {
            "e164": "+44 20 7946 0000",
            "name": "London office",
            "department": "Sales",
            "shortE164s": "11, 12",
            "deviceType": "2",
            "addressType": "1",
            "memo": "",
        },
    )
    assert added.status_code == 302
    entry = _book(world)["+442079460000"]
    assert entry["name"] == "London office" and entry["shortE164s"] == ["11", "12"]
    assert entry["deviceType"] == 2 and entry["addressType"] == 1
    page = client.get(_url(world))
    assert "London office" in page.text and "Sales" in page.text

    edited = client.post(
        _entry_url(world, "edit", "+442079460000"),
        {"newE164": "442079460001", "name": "London HQ", "department": "", "shortE164s": "11"},
    )
    assert edited.status_code == 302
    book = _book(world)
    assert set(book) == {"442079460001"}
    assert book["442079460001"]["name"] == "London HQ"
    assert book["442079460001"]["department"] == ""  # emptied on purpose
    assert book["442079460001"]["shortE164s"] == ["11"]

    confirm = client.get(_entry_url(world, "delete", "442079460001"))
    assert confirm.status_code == 200 and "Yes, remove it" in confirm.text
    assert client.post(_entry_url(world, "delete", "442079460001")).status_code == 302
    assert _book(world) == {}
    actions = list(
        AuditEvent.objects.filter(tenant=world.tenants["manila"], action__startswith="vos.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "vos.CreateCustomerPhoneBook",
        "vos.ModifyCustomerPhoneBook",
        "vos.DeleteCustomerPhoneBook",
    ]


def test_htmx_edits_inline(client, world):
    _add(world, "4930123456", "Berlin")
    world.login(client, "globaltel")
    form = client.get(_entry_url(world, "edit", "4930123456"), **HTMX)
    assert "<html" not in form.text and 'value="Berlin"' in form.text
    row = client.post(
        _entry_url(world, "edit", "4930123456"),
        {"newE164": "4930123456", "name": "Berlin branch"},
        **HTMX,
    )
    assert row.status_code == 200
    assert "<html" not in row.text and "Berlin branch" in row.text and "<tr" in row.text
    cancelled = client.post(_entry_url(world, "edit", "4930123456"), {"cancel": "1"}, **HTMX)
    assert "Berlin branch" in cancelled.text and '<form method="post"' not in cancelled.text
    added = client.post(_url(world), {"e164": "331234", "name": "Paris"}, **HTMX)
    assert "<html" not in added.text and "Paris" in added.text and "Berlin branch" in added.text
    removed = client.post(_entry_url(world, "delete", "331234"), **HTMX)
    assert removed.status_code == 200 and "Removed from the phone book." in removed.text
    assert set(_book(world)) == {"4930123456"}


def test_bad_input_is_shown_on_the_form_and_nothing_is_sent(client, world, portal_sim):
    world.login(client, "manila")
    response = client.post(_url(world), {"e164": "call me", "name": "x" * 65})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "e164" in errors and "name" in errors
    assert portal_sim.control("requests", endpoint="CreateCustomerPhoneBook")["requests"] == []


def test_a_duplicate_number_is_refused_in_words(client, world):
    _add(world, "4930123456", "Berlin")
    world.login(client, "manila")
    response = client.post(_url(world), {"e164": "4930123456", "name": "Again"})
    assert response.status_code == 200
    assert "The switch refused the request" in str(response.context["form"].non_field_errors())
    assert _book(world)["4930123456"]["name"] == "Berlin"


def test_viewers_read_only(client, world):
    _add(world, "4930123456", "Berlin")
    world.login(client, "manila_viewer")
    page = client.get(_url(world))
    assert "Berlin" in page.text and "Add a number" not in page.text
    assert client.post(_url(world), {"e164": "331234"}).status_code == 404
    assert client.get(_entry_url(world, "edit", "4930123456")).status_code == 404
    assert client.post(_entry_url(world, "delete", "4930123456")).status_code == 404
    assert set(_book(world)) == {"4930123456"}


def test_nobody_reaches_another_customers_phone_book(client, world):
    _add(world, "8112345678", "Tokyo", account="sakura")
    world.login(client, "globaltel")
    assert client.get(_url(world, "sakura")).status_code == 404
    assert client.post(_entry_url(world, "delete", "8112345678", "sakura")).status_code == 404
    # Through its own customer's URL, another customer's number is simply not there.
    assert client.post(_entry_url(world, "delete", "8112345678")).status_code == 404
    assert client.get(_entry_url(world, "edit", "8112345678")).status_code == 404
    assert set(_book(world, "sakura")) == {"8112345678"}


def test_it_says_when_the_customer_is_not_linked(client, db):
    from accounts.tests.factories import TenantFactory, UserFactory

    tenant = TenantFactory(server=None, vos_account="")
    client.force_login(UserFactory(tenant=tenant))
    response = client.get(reverse("customer_phonebook", args=[tenant.pk]))
    assert response.status_code == 200
    assert "not linked to a VOS server" in response.text


def test_a_failed_htmx_delete_keeps_the_row_and_says_why(client, world, portal_sim):
    _add(world, "4930123456", "Berlin")
    world.login(client, "manila")
    portal_sim.control("fault", endpoint="DeleteCustomerPhoneBook", mode="http500")
    response = client.post(_entry_url(world, "delete", "4930123456"), **HTMX)
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert "hx-swap-oob" in response.text and "switch" in response.text
    assert set(_book(world)) == {"4930123456"}


def test_an_entry_no_url_can_carry_is_listed_without_links(client, world):
    _add(world, "12/34", "Made elsewhere")
    world.login(client, "manila")
    page = client.get(_url(world))
    assert page.status_code == 200 and "Made elsewhere" in page.text
