"""Active phone cards, bound numbers, E164 converts and limited-E164 groups against the
simulator over HTTP, each scoped to the customer's own account (groups to their owner)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.tests.factories import AdminFactory
from telephony.models import LimitedE164Group
from telephony.numbers import selectors as number_selectors
from telephony.phones.tests.test_phones import calls, delta, everything_in_the_database, url

pytestmark = pytest.mark.django_db


def cards_of(sim_call, account):
    return {
        c["pin"]: c
        for c in sim_call("GetActivePhoneCard", {"accounts": [account]})["infoActivePhoneCards"]
    }


def bindings_of(sim_call, account):
    return {
        b["e164"]: b for b in sim_call("GetBindedE164", {"account": account})["infoBindedE164s"]
    }


def converts_of(sim_call, account):
    return sim_call("GetE164Convert", {"account": account})["infoE164Converts"]


# --- Active phone cards ------------------------------------------------------------------
def test_it_adds_a_card_showing_the_generated_password_once(client, demo, as_user, sim_call):
    _server, t = demo
    as_user(t["globaltel"])
    response = client.post(url("card_list", t["manila"]), {"pin": "5550001234", "memo": "desk"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = response.text.split('id="card-password">', 1)[1].split("<", 1)[0]
    card = cards_of(sim_call, "manila-bpo")["5550001234"]
    assert card["password"] == password and card["memo"] == "desk"
    assert password not in everything_in_the_database()
    listing = client.get(url("card_list", t["manila"]))
    assert "••••1234" in listing.text and password not in listing.text
    assert "5550001234" not in listing.text  # PINs are masked in lists, never in URLs


def test_it_edits_and_deletes_a_card(client, demo, as_user, sim_call):
    _server, t = demo
    sim_call(
        "CreateActivePhoneCard", {"pin": "5550002222", "account": "manila-bpo", "password": "1111"}
    )
    as_user(t["globaltel"])
    ref = number_selectors.card_ref(t["manila"], "5550002222")
    page = client.get(url("card_edit", t["manila"], card_ref=ref))
    assert page.status_code == 200 and "5550002222" in page.text and "1111" not in page.text
    response = client.post(
        url("card_edit", t["manila"], card_ref=ref),
        {"displayE164": "777", "bindLimit": "2", "memo": "m"},
    )
    assert response.status_code == 302
    card = cards_of(sim_call, "manila-bpo")["5550002222"]
    assert (card["displayE164"], card["bindLimit"], card["memo"], card["password"]) == (
        "777",
        2,
        "m",
        "1111",
    )
    client.post(url("card_edit", t["manila"], card_ref=ref), {"password": "2468", "memo": "m"})
    assert cards_of(sim_call, "manila-bpo")["5550002222"]["password"] == "2468"
    assert client.get(url("card_delete", t["manila"], card_ref=ref)).status_code == 200
    response = client.post(url("card_delete", t["manila"], card_ref=ref))
    assert response.status_code == 302
    assert "5550002222" not in cards_of(sim_call, "manila-bpo")


def test_a_card_of_another_customer_is_a_404(client, demo, as_user, sim_call):
    _server, t = demo
    sim_call("CreateActivePhoneCard", {"pin": "5550003333", "account": "delhi-soft"})
    as_user(t["globaltel"])
    # Its ref under delhi is real, but not among manila's cards.
    for ref in (
        number_selectors.card_ref(t["delhi"], "5550003333"),
        number_selectors.card_ref(t["manila"], "5550003333"),
    ):
        assert client.get(url("card_edit", t["manila"], card_ref=ref)).status_code == 404
        assert (
            client.post(url("card_edit", t["manila"], card_ref=ref), {"memo": "x"}).status_code
            == 404
        )
        assert client.post(url("card_delete", t["manila"], card_ref=ref)).status_code == 404
    assert "5550003333" in cards_of(sim_call, "delhi-soft")
    assert not AuditEvent.objects.filter(action__startswith="vos.ModifyActivePhoneCard").exists()


def test_cards_are_for_the_provider(client, demo, as_user):
    _server, t = demo
    as_user(t["manila"])
    assert client.get(url("card_list", t["manila"])).status_code == 404
    assert client.post(url("card_list", t["manila"]), {"pin": "1"}).status_code == 404
    as_user(t["skyvoice"])
    assert client.get(url("card_list", t["manila"])).status_code == 404


def test_a_card_with_bound_numbers_is_not_deleted_and_says_why(client, demo, as_user, sim_call):
    _server, t = demo
    sim_call("CreateActivePhoneCard", {"pin": "5550004444", "account": "manila-bpo"})
    sim_call("CreateBindedE164", {"pin": "5550004444", "e164": "4479001"})
    as_user(t["globaltel"])
    ref = number_selectors.card_ref(t["manila"], "5550004444")
    response = client.post(url("card_delete", t["manila"], card_ref=ref))
    assert response.status_code == 200 and "The switch refused the request" in response.text
    response = client.post(url("card_delete", t["manila"], card_ref=ref), HTTP_HX_REQUEST="true")
    assert response["HX-Reswap"] == "none" and "toast-error" in response.text


# --- Bound numbers -----------------------------------------------------------------------
def test_it_binds_edits_and_unbinds_numbers(client, demo, as_user, sim_call):
    _server, t = demo
    sim_call("CreateActivePhoneCard", {"pin": "5550005555", "account": "manila-bpo"})
    sim_call("CreateActivePhoneCard", {"pin": "5550006666", "account": "manila-bpo"})
    as_user(t["globaltel"])
    first = number_selectors.card_ref(t["manila"], "5550005555")
    second = number_selectors.card_ref(t["manila"], "5550006666")
    response = client.post(
        url("number_list", t["manila"]),
        {"card": first, "e164": "4479002", "language": "en", "memo": "mobile"},
    )
    assert response.status_code == 302
    bound = bindings_of(sim_call, "manila-bpo")["4479002"]
    assert (bound["pin"], bound["language"], bound["memo"]) == ("5550005555", "en", "mobile")
    listing = client.get(url("number_list", t["manila"]))
    assert "4479002" in listing.text and "5550005555" not in listing.text
    response = client.post(
        url("binding_edit", t["manila"], e164="4479002"),
        {"card": second, "displayE164": "88", "memo": ""},
    )
    assert response.status_code == 302
    bound = bindings_of(sim_call, "manila-bpo")["4479002"]
    assert (bound["pin"], bound["displayE164"], bound["memo"]) == ("5550006666", "88", "")
    response = client.post(
        url("binding_delete", t["manila"], e164="4479002"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "no longer bound" in response.text
    assert bindings_of(sim_call, "manila-bpo") == {}


def test_numbers_bind_only_to_own_cards(client, demo, as_user, sim_call, portal_sim):
    _server, t = demo
    sim_call("CreateActivePhoneCard", {"pin": "5550007777", "account": "delhi-soft"})
    sim_call("CreateBindedE164", {"pin": "5550007777", "e164": "4479003"})
    sim_call("CreateActivePhoneCard", {"pin": "5550008888", "account": "manila-bpo"})
    as_user(t["globaltel"])
    before = calls(portal_sim)
    foreign_ref = number_selectors.card_ref(t["delhi"], "5550007777")
    response = client.post(
        url("number_list", t["manila"]), {"card": foreign_ref, "e164": "4479004"}
    )
    assert response.status_code == 200 and "field-error" in response.text
    assert "CreateBindedE164" not in delta(before, calls(portal_sim))
    # delhi's bound number is not manila's to see or change.
    assert client.get(url("binding_edit", t["manila"], e164="4479003")).status_code == 404
    assert client.post(url("binding_delete", t["manila"], e164="4479003")).status_code == 404
    assert "4479003" in bindings_of(sim_call, "delhi-soft")


# --- E164 converts -----------------------------------------------------------------------
def test_it_adds_edits_and_deletes_converts_of_own_phones(client, demo, as_user, sim_call):
    _server, t = demo
    as_user(t["globaltel"])
    response = client.post(
        url("convert_list", t["manila"]),
        {
            "phone": "80002001",
            "mappingGatewayCallerE164": "6321111",
            "routingGatewayCalleeE164": "6322222",
        },
    )
    assert response.status_code == 302
    [convert] = converts_of(sim_call, "manila-bpo")
    assert (convert["e164"], convert["mappingGatewayCallerE164"], convert["memo"]) == (
        "80002001",
        "6321111",
        "",
    )
    response = client.post(
        url("convert_edit", t["manila"], convert_id=convert["id"]),
        {"mappingGatewayCallerE164": "6321112", "routingGatewayCalleeE164": "6322223", "memo": "m"},
    )
    assert response.status_code == 302
    [convert] = converts_of(sim_call, "manila-bpo")
    assert (
        convert["mappingGatewayCallerE164"],
        convert["routingGatewayCalleeE164"],
        convert["memo"],
    ) == (
        "6321112",
        "6322223",
        "m",
    )
    response = client.post(url("convert_delete", t["manila"], convert_id=convert["id"]))
    assert response.status_code == 302 and converts_of(sim_call, "manila-bpo") == []


def test_converts_are_scoped_to_own_phones(client, demo, as_user, sim_call, portal_sim):
    _server, t = demo
    created = sim_call(
        "CreateE164Convert",
        {
            "e164": "80002011",
            "mappingGatewayCallerE164": "91",
            "routingGatewayCalleeE164": "92",
            "memo": "",
        },
    )
    as_user(t["globaltel"])
    before = calls(portal_sim)
    # A phone of another customer cannot be picked (not among the choices)...
    response = client.post(
        url("convert_list", t["manila"]),
        {"phone": "80002011", "mappingGatewayCallerE164": "93", "routingGatewayCalleeE164": "94"},
    )
    assert response.status_code == 200 and "field-error" in response.text
    assert "CreateE164Convert" not in delta(before, calls(portal_sim))
    # ... and delhi's convert is a 404 under manila.
    assert client.get(url("convert_edit", t["manila"], convert_id=created["id"])).status_code == 404
    assert (
        client.post(url("convert_delete", t["manila"], convert_id=created["id"])).status_code == 404
    )
    assert len(converts_of(sim_call, "delhi-soft")) == 1


def test_a_failed_convert_write_is_worded(client, demo, as_user, portal_sim):
    _server, t = demo
    as_user(t["globaltel"])
    portal_sim.control("fault", endpoint="CreateE164Convert", mode="timeout_before", seconds=0.3)
    response = client.post(
        url("convert_list", t["manila"]),
        {
            "phone": "80002001",
            "mappingGatewayCallerE164": "6321111",
            "routingGatewayCalleeE164": "6322222",
        },
    )
    assert response.status_code == 200 and "switch" in response.text


# --- Limited-E164 groups -----------------------------------------------------------------
def make_group(client, owner, name, numbers="4420001\n4420002, office"):
    return client.post(
        reverse("limited_group_list"), {"owner": f"t:{owner.pk}", "name": name, "numbers": numbers}
    )


def test_a_reseller_creates_a_group_named_after_its_account(client, demo, as_user, portal_sim):
    _server, t = demo
    as_user(t["globaltel"])
    response = make_group(client, t["globaltel"], "blocked")
    group = LimitedE164Group.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "limited_group_detail", args=[group.pk]
    )
    assert (group.name, group.owner) == ("globaltel:blocked", t["globaltel"])
    assert portal_sim.control("limited_numbers", group="globaltel:blocked")["numbers"] == {
        "4420001": "",
        "4420002": "office",
    }
    page = client.get(reverse("limited_group_detail", args=[group.pk]))
    assert "4420002" in page.text and "office" in page.text
    # The same short name from another reseller is another VOS group.
    as_user(t["skyvoice"])
    assert make_group(client, t["skyvoice"], "blocked").status_code == 302
    assert portal_sim.control("limited_numbers", group="skyvoice:blocked")["numbers"]
    assert portal_sim.control("limited_numbers", group="globaltel:blocked")["numbers"] == {
        "4420001": "",
        "4420002": "office",
    }


def test_groups_are_seen_by_their_owner_subtree_and_admins(client, demo, as_user):
    _server, t = demo
    as_user(t["citylink"])
    make_group(client, t["citylink"], "city")
    city = LimitedE164Group.objects.get(name="citylink:city")
    as_user(t["skyvoice"])
    make_group(client, t["skyvoice"], "sky")
    sky = LimitedE164Group.objects.get(name="skyvoice:sky")
    # globaltel sees its sub-reseller's group, not skyvoice's.
    as_user(t["globaltel"])
    listing = client.get(reverse("limited_group_list")).text
    assert "citylink:city" in listing and "skyvoice:sky" not in listing
    assert client.get(reverse("limited_group_detail", args=[city.pk])).status_code == 200
    assert client.get(reverse("limited_group_detail", args=[sky.pk])).status_code == 404
    assert (
        client.post(
            reverse("limited_group_detail", args=[sky.pk]), {"action": "delete"}
        ).status_code
        == 404
    )
    # A reseller cannot make a group for another reseller, even by posting its id.
    response = make_group(client, t["skyvoice"], "mine")
    assert response.status_code in (200, 404)
    assert not LimitedE164Group.objects.filter(name="skyvoice:mine").exists()
    # citylink does not see its parent's groups.
    make_group(client, t["globaltel"], "parent")
    as_user(t["citylink"])
    assert "globaltel:parent" not in client.get(reverse("limited_group_list")).text
    # Admins see them all.
    client.force_login(AdminFactory())
    listing = client.get(reverse("limited_group_list")).text
    assert all(name in listing for name in ("citylink:city", "skyvoice:sky", "globaltel:parent"))
    # Customers see none.
    as_user(t["manila"])
    page = client.get(reverse("limited_group_list"))
    assert page.status_code == 200 and "managed by your provider" in page.text
    assert "globaltel:parent" not in page.text
    assert client.get(reverse("limited_group_detail", args=[city.pk])).status_code == 404


def test_it_refuses_a_duplicate_and_a_bad_name_before_asking_vos(client, demo, as_user, portal_sim):
    _server, t = demo
    as_user(t["globaltel"])
    make_group(client, t["globaltel"], "dup")
    before = calls(portal_sim)
    response = make_group(client, t["globaltel"], "dup")
    assert response.status_code == 200 and "exists already" in response.text
    response = make_group(client, t["globaltel"], "has:colon")
    assert response.status_code == 200 and "field-error" in response.text
    response = make_group(client, t["globaltel"], "ok", numbers="not a number at all!")
    assert response.status_code == 200 and "Line 1" in response.text
    assert "CreateLimitedE164" not in delta(before, calls(portal_sim))


def test_it_adds_and_removes_numbers_and_deletes_the_group(client, demo, as_user, portal_sim):
    _server, t = demo
    as_user(t["globaltel"])
    make_group(client, t["globaltel"], "g")
    group = LimitedE164Group.objects.get()
    detail = reverse("limited_group_detail", args=[group.pk])
    client.post(detail, {"action": "add", "numbers": "4420003"})
    assert set(portal_sim.control("limited_numbers", group="globaltel:g")["numbers"]) == {
        "4420001",
        "4420002",
        "4420003",
    }
    client.post(detail, {"action": "remove", "e164": ["4420001", "not-in-group"]})
    assert set(portal_sim.control("limited_numbers", group="globaltel:g")["numbers"]) == {
        "4420002",
        "4420003",
    }
    assert set(group.numbers.values_list("e164", flat=True)) == {"4420002", "4420003"}
    # Without JS, deleting asks first; nothing changes until confirmed.
    page = client.post(detail, {"action": "delete"})
    assert page.status_code == 200 and 'name="confirm" value="yes"' in page.text
    assert LimitedE164Group.objects.exists()
    response = client.post(detail, {"action": "delete", "confirm": "yes"})
    assert response.status_code == 302
    assert portal_sim.control("limited_numbers", group="globaltel:g")["numbers"] == {}
    assert not LimitedE164Group.objects.exists()
    assert AuditEvent.objects.filter(action="telephony.limited_group.delete").exists()


def test_a_failed_group_write_records_nothing(client, demo, as_user, portal_sim):
    _server, t = demo
    as_user(t["globaltel"])
    portal_sim.control("fault", endpoint="CreateLimitedE164", mode="http500")
    response = make_group(client, t["globaltel"], "g")
    assert response.status_code == 200 and "switch" in response.text
    assert not LimitedE164Group.objects.exists()


def test_an_admin_makes_a_platform_group(client, demo, portal_sim):
    server, _t = demo
    client.force_login(AdminFactory())
    response = client.post(
        reverse("limited_group_list"), {"owner": f"p:{server.pk}", "name": "global", "numbers": "1"}
    )
    assert response.status_code == 302
    assert portal_sim.control("limited_numbers", group="global")["numbers"] == {"1": ""}
