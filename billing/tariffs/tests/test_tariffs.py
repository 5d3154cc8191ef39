"""The platform's billing console against the simulator over HTTP: fee rate groups
(create, modify, delete with grants and customers), suites with gift times, phone card
lookup and activation (the PIN never in an address or the audit), CDR injection (seen
by GetCdr and by the next pull) and callee reservations; bad input keeps nothing, VOS
failures are said in words, auditors read only, everyone else gets a 404."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.tests.factories import ResellerFactory, UserFactory
from billing.cdrs import pull as cdr_pull
from billing.models import Cdr, FeeRateGroupGrant
from billing.tests import pages_world
from billing.tests.pages_world import raw

pytestmark = pytest.mark.django_db


GROUPS = reverse("console_fee_rate_groups")


SUITES = reverse("console_suites")


CARDS = reverse("console_phone_card")


CDRS = reverse("console_cdr_create")


RESERVE = reverse("console_reserve_callee")


ALL_PAGES = (reverse("billing_console"), GROUPS, SUITES, CARDS, CDRS, RESERVE)


@pytest.fixture
def world(demo_vos_server):
    return pages_world.build(demo_vos_server)


@pytest.fixture
def admin(client, world):
    return world.login(client, "admin")


def _sent(portal_sim, endpoint: str) -> list[dict]:
    entries = portal_sim.control("requests", endpoint=endpoint)["requests"]
    return [e["body"] if isinstance(e["body"], dict) else json.loads(e["body"]) for e in entries]


def _groups(world) -> dict[str, str]:
    rows = raw(world.server, "GetFeeRateGroup", {})["infoFeeRateGroups"]
    return {row["name"]: row["memo"] for row in rows}


def _edit_url(group: str) -> str:
    return reverse("console_fee_rate_group_edit", args=[group])


def _delete_url(group: str) -> str:
    return reverse("console_fee_rate_group_delete", args=[group])


def _audit_rows() -> str:
    """Every audit row, every column, as one text to search for secrets."""
    return json.dumps(list(AuditEvent.objects.values()), default=str)


# --- Access ------------------------------------------------------------------------------
def test_it_reaches_every_part_from_one_navigation_entry(client, admin):
    dashboard = client.get(reverse("dashboard")).text
    assert f'href="{reverse("billing_console")}"' in dashboard
    index = client.get(reverse("billing_console")).text
    for url in ALL_PAGES[1:]:
        assert f'href="{url}"' in index


@pytest.mark.parametrize("name", ["globaltel", "manila"])
def test_it_is_a_404_for_resellers_and_customers(client, world, portal_sim, name):
    world.login(client, name)
    for url in ALL_PAGES:
        assert client.get(url).status_code == 404
    assert client.post(GROUPS, {"name": "Sneaky"}).status_code == 404
    assert _sent(portal_sim, "CreateFeeRateGroup") == []


def test_an_auditor_reads_every_page_and_changes_nothing(client, world, portal_sim):
    auditor = UserFactory(tenant=world.users["admin"].tenant, role=Role.PLATFORM_AUDITOR)
    client.force_login(auditor)
    for url in ALL_PAGES:
        page = client.get(url)
        assert page.status_code == 200, url
        assert "read-only" in page.text
    assert "Retail-Premium" in client.get(GROUPS).text
    assert 'name="name"' not in client.get(GROUPS).text
    assert client.post(GROUPS, {"name": "Audited"}).status_code == 404
    assert client.post(_delete_url("Wholesale"), {"confirm": "yes"}).status_code == 404
    assert (
        client.post(CDRS, {"billingMode": 0, "calleeE164": "44", "billingTime": 1}).status_code
        == 404
    )
    assert "Audited" not in _groups(world) and "Wholesale" in _groups(world)
    assert _sent(portal_sim, "CreateFeeRateGroup") == _sent(portal_sim, "CreateCdr") == []


# --- Fee rate groups ---------------------------------------------------------------------
def test_it_lists_the_groups_with_links_to_their_rates(client, admin, world):
    FeeRateGroupGrant.objects.create(tenant=world.tenants["globaltel"], group="Wholesale")
    page = client.get(GROUPS)
    assert [g.name for g in page.context["groups"]] == [
        "Retail-Premium",
        "Retail-Standard",
        "Sub-Reseller",
        "Wholesale",
    ]
    assert {g.name: g.grants for g in page.context["groups"]}["Wholesale"] == 1
    assert f'href="{reverse("rate_detail", args=["Wholesale"])}"' in page.text
    assert world.server.base_url not in page.text


def test_it_creates_a_group_with_its_fake_minute_and_audits_it(client, admin, world, portal_sim):
    response = client.post(GROUPS, {"name": "Cards-50", "fakeMinute": "50", "memo": "cards"})
    assert response.status_code == 302
    assert _sent(portal_sim, "CreateFeeRateGroup") == [
        {"name": "Cards-50", "fakeMinute": 50, "memo": "cards"}
    ]
    assert _groups(world)["Cards-50"] == "cards"
    event = AuditEvent.objects.get(action="vos.CreateFeeRateGroup")
    assert event.result == "ok" and event.payload["fakeMinute"] == 50
    assert "Cards-50" in client.get(GROUPS).text
    assert client.get(_edit_url("Cards-50")).context["fake_minute"].seconds == 50


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "", "fakeMinute": "60"}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"name": "Bad", "fakeMinute": "0"}, "fakeMinute"),
        ({"name": "Bad", "fakeMinute": "abc"}, "fakeMinute"),
        ({"name": "Bad", "memo": "m" * 65}, "memo"),
        ({"name": "a/b"}, "name"),
    ],
)
def test_bad_group_input_is_refused_on_the_form_and_nothing_is_sent(
    client, admin, world, portal_sim, data, field
):
    response = client.post(GROUPS, data)
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert _sent(portal_sim, "CreateFeeRateGroup") == []
    assert set(_groups(world)) == {"Retail-Premium", "Retail-Standard", "Sub-Reseller", "Wholesale"}


def test_a_duplicate_name_gets_the_switchs_refusal_in_words(client, admin, portal_sim):
    response = client.post(GROUPS, {"name": "Wholesale"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "The switch refused the request" in response.text and "-19001" in response.text
    assert 'id="group-form"' in response.text


def test_it_modifies_memo_and_fake_minute(client, admin, world, portal_sim):
    page = client.get(_edit_url("Wholesale"))
    assert page.context["form"].initial == {"memo": _groups(world)["Wholesale"]}
    response = client.post(_edit_url("Wholesale"), {"memo": "new memo", "fakeMinute": "45"})
    assert response.status_code == 302 and response["Location"] == GROUPS
    assert _sent(portal_sim, "ModifyFeeRateGroup") == [
        {"name": "Wholesale", "memo": "new memo", "fakeMinute": 45}
    ]
    assert _groups(world)["Wholesale"] == "new memo"
    # The switch never tells the fake minute; the page says what was last set here.
    page = client.get(_edit_url("Wholesale"))
    assert page.context["fake_minute"].seconds == 45
    assert "last set through the portal: 45 s" in page.text
    # An empty fake minute is left out: VOS keeps the one it has.
    client.post(_edit_url("Wholesale"), {"memo": "", "fakeMinute": ""})
    assert _sent(portal_sim, "ModifyFeeRateGroup")[-1] == {"name": "Wholesale", "memo": ""}


def test_editing_a_group_the_switch_does_not_have_is_a_404(client, admin):
    assert client.get(_edit_url("No-Such-Group")).status_code == 404
    assert client.post(_delete_url("No-Such-Group"), {"confirm": "yes"}).status_code == 404


def test_deleting_a_granted_group_warns_and_removes_its_grants(client, admin, world, portal_sim):
    raw(world.server, "CreateFeeRateGroup", {"name": "Promo"})
    globaltel = world.tenants["globaltel"]
    FeeRateGroupGrant.objects.create(tenant=globaltel, group="Promo")
    FeeRateGroupGrant.objects.create(tenant=globaltel, group="Wholesale")
    # A reseller not linked yet: on a platform of one server its grant means that server's.
    unlinked = ResellerFactory(name="Unlinked Ltd", server=None)
    FeeRateGroupGrant.objects.create(tenant=unlinked, group="Promo")

    page = client.get(_delete_url("Promo"))
    assert page.status_code == 200
    assert "GlobalTel" in page.text and "Unlinked Ltd" in page.text
    assert "their grants are removed with the group" in page.text
    assert page.context["using"] == []
    assert 'hx-confirm="' in page.text
    # Without JavaScript the first POST asks again; nothing is deleted yet.
    assert client.post(_delete_url("Promo")).status_code == 200
    assert "Promo" in _groups(world)

    response = client.post(_delete_url("Promo"), {"confirm": "yes"})

    assert response.status_code == 302
    assert "Promo" not in _groups(world)
    assert list(
        FeeRateGroupGrant.objects.filter(tenant=globaltel).values_list("group", flat=True)
    ) == ["Wholesale"]
    assert not FeeRateGroupGrant.objects.filter(tenant=unlinked).exists()
    event = AuditEvent.objects.get(action="billing.fee_rate_grants", tenant=globaltel)
    assert event.before == {"groups": ["Promo", "Wholesale"]}
    assert event.after == {"groups": ["Wholesale"]}
    assert AuditEvent.objects.get(action="vos.DeleteFeeRateGroup").result == "ok"


def test_a_group_customers_use_cannot_be_deleted(client, admin, world, portal_sim):
    page = client.get(_delete_url("Retail-Premium"))
    assert "manila-bpo" in page.context["using"] and "sakura" in page.context["using"]
    assert "Delete the group</button>" not in page.text
    response = client.post(_delete_url("Retail-Premium"), {"confirm": "yes"})
    assert response.status_code == 200
    assert "customers still use this group" in response.context["error"]
    assert _sent(portal_sim, "DeleteFeeRateGroup") == []
    assert "Retail-Premium" in _groups(world)


def test_an_htmx_delete_redirects_with_hx_redirect(client, admin, world):
    raw(world.server, "CreateFeeRateGroup", {"name": "Gone"})
    assert client.get(reverse("rate_detail", args=["Gone"])).status_code == 200  # cached
    response = client.post(_delete_url("Gone"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == GROUPS
    assert "Gone" not in _groups(world)
    # Its rate table is not served from the cache any more: the switch says it is gone.
    assert "code -10007" in client.get(reverse("rate_detail", args=["Gone"])).text


def test_vos_failures_are_said_in_words(client, admin, world, portal_sim):
    portal_sim.control("fault", endpoint="GetFeeRateGroup", mode="http500", count=5)
    try:
        page = client.get(GROUPS)
        assert page.status_code == 200 and "cannot be reached" in page.context["error"]
        assert world.server.base_url not in page.text
        assert client.get(_edit_url("Wholesale")).status_code == 200
    finally:
        portal_sim.control("clear_faults")
    portal_sim.control("fault", endpoint="CreateFeeRateGroup", mode="garbage", count=1)
    try:
        response = client.post(GROUPS, {"name": "Garbled"})
    finally:
        portal_sim.control("clear_faults")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "switch" in errors and world.server.base_url not in response.text


# --- Suites ------------------------------------------------------------------------------
def _suite_data(**extra) -> dict:
    data = {
        "name": "Night Owl",
        "rentPeriod": "1",
        "rentType": "1",
        "rentFee": "9.50",
        "giftMoney": "2",
        "memo": "nights",
        "gift-TOTAL_FORMS": "2",
        "gift-INITIAL_FORMS": "0",
        "gift-MIN_NUM_FORMS": "0",
        "gift-MAX_NUM_FORMS": "20",
    }
    data.update(extra)
    return data


def _gift(index: int, **values) -> dict:
    return {f"gift-{index}-{name}": value for name, value in values.items()}


def _suites(world) -> dict[str, dict]:
    return {s["name"]: s for s in raw(world.server, "GetSuite", {})["infoSuites"]}


def test_it_creates_a_suite_with_gift_times(client, admin, world, portal_sim):
    data = _suite_data(
        **_gift(
            0,
            prefix="44, 49",
            startTime="20:00",
            endTime="24:00",
            giftTime="600",
            billingTime="60",
            memo="evenings",
        ),
        **_gift(
            1, prefix="33", startTime="00:00", endTime="06:30", giftTime="300", billingTime="6"
        ),
    )
    response = client.post(SUITES, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    suite = _suites(world)["Night Owl"]
    assert suite["rentFee"] == 9.5 and suite["rentType"] == 1 and suite["giftMoney"] == 2
    assert suite["infoGiftTimes"] == [
        {
            "prefix": "44,49",
            "startTime": 72000,
            "endTime": 86400,
            "giftTime": 600,
            "billingTime": 60,
            "memo": "evenings",
        },
        {
            "prefix": "33",
            "startTime": 0,
            "endTime": 23400,
            "giftTime": 300,
            "billingTime": 6,
            "memo": "",
        },
    ]
    page = client.get(SUITES).text
    assert "Night Owl" in page and "20:00\u201324:00" in page


def test_adding_a_gift_row_keeps_what_was_typed_and_sends_nothing(client, admin, portal_sim):
    data = _suite_data(action="add_row", **_gift(0, prefix="44", startTime="08:00"))
    response = client.post(SUITES, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'name="gift-TOTAL_FORMS" value="3"' in response.text
    assert 'data-gift-row="2"' in response.text and 'value="08:00"' in response.text
    assert 'value="Night Owl"' in response.text and "field-error" not in response.text
    # Without JavaScript the whole page comes back, the suites list included.
    page = client.post(SUITES, data)
    assert "Family Weekly" in page.text and len(page.context["gifts"].forms) == 3
    assert _sent(portal_sim, "CreateSuite") == []


@pytest.mark.parametrize(
    "row, field",
    [
        (
            {
                "prefix": "44",
                "startTime": "10:00",
                "endTime": "09:00",
                "giftTime": "60",
                "billingTime": "60",
            },
            "endTime",
        ),
        (
            {
                "prefix": "4x",
                "startTime": "00:00",
                "endTime": "09:00",
                "giftTime": "60",
                "billingTime": "60",
            },
            "prefix",
        ),
        (
            {
                "prefix": "44",
                "startTime": "25:00",
                "endTime": "09:00",
                "giftTime": "60",
                "billingTime": "60",
            },
            "startTime",
        ),
        (
            {"prefix": "44", "startTime": "00:00", "endTime": "09:00", "billingTime": "60"},
            "giftTime",
        ),
        (
            {
                "prefix": "44",
                "startTime": "00:00",
                "endTime": "09:00",
                "giftTime": "60",
                "billingTime": "0",
            },
            "billingTime",
        ),
        ({"startTime": "08:00"}, "prefix"),
    ],
)
def test_a_bad_gift_row_is_refused_and_nothing_is_created(
    client, admin, world, portal_sim, row, field
):
    response = client.post(SUITES, _suite_data(**_gift(0, **row)))
    assert response.status_code == 200
    assert response.context["gifts"].forms[0].errors[field]
    assert _sent(portal_sim, "CreateSuite") == []
    assert "Night Owl" not in _suites(world)


def test_overlapping_gift_times_and_bad_terms_are_refused(client, admin, world, portal_sim):
    overlap = {"prefix": "44", "giftTime": "60", "billingTime": "60"}
    response = client.post(
        SUITES,
        _suite_data(
            **_gift(0, startTime="08:00", endTime="12:00", **overlap),
            **_gift(1, startTime="11:00", endTime="13:00", **overlap),
        ),
    )
    assert "overlap" in " ".join(response.context["gifts"].non_form_errors())
    response = client.post(SUITES, _suite_data(rentPeriod="0", rentFee="-1"))
    assert response.context["form"].errors.keys() >= {"rentPeriod", "rentFee"}
    assert _sent(portal_sim, "CreateSuite") == []


def test_it_deletes_a_suite_after_confirming_and_forces_an_ordered_one(
    client, admin, world, portal_sim
):
    suites = _suites(world)
    family = suites["Family Weekly"]
    url = reverse("console_suite_delete", args=[family["id"]])
    assert 'hx-confirm="' in client.get(url).text
    assert client.post(url).status_code == 200  # asked again, without JavaScript
    raw(
        world.server,
        "CreateSuiteOrder",
        {"ownerType": 2, "ownerName": "manila-bpo", "suiteId": family["id"], "availableTime": 0},
    )
    refused = client.post(url, {"confirm": "yes"})
    assert refused.status_code == 200 and "still uses it" in refused.context["error"]
    assert "Family Weekly" in _suites(world)
    done = client.post(url, {"confirm": "yes", "force": "on"})
    assert done.status_code == 302 and done["Location"] == SUITES
    assert "Family Weekly" not in _suites(world)
    assert _sent(portal_sim, "DeleteSuite")[-1] == {"id": family["id"], "force": 1}
    assert client.get(url).status_code == 404


# --- Phone cards -------------------------------------------------------------------------
@pytest.fixture
def activatable_card(portal_sim):
    [card] = portal_sim.control(
        "create_phone_cards",
        count=1,
        value=15,
        seed=7,
        prefix="88",
        bits_of_config=2,
        fee_rate_group="Retail-Standard",
        memo="console test",
    )["cards"]
    return card


def test_it_looks_a_card_up_by_a_posted_pin(client, admin, activatable_card):
    pin = activatable_card["pin"]
    page = client.post(CARDS, {"action": "lookup", "pin": pin})
    assert page.status_code == 200
    card = page.context["card"]
    assert card.state == "unused" and card.activatable and card.money == 15
    assert card.fee_rate_group == "Retail-Standard" and card.functions == ["create_account"]
    assert f"…{pin[-4:]}" in page.text and "console test" in page.text
    assert page.context["activate"] is not None
    # A GET with a PIN in the address looks nothing up.
    assert client.get(CARDS, {"pin": pin}).context["card"] is None
    event = AuditEvent.objects.get(action="billing.phone_card.lookup")
    assert event.target_id == f"…{pin[-4:]}"
    assert pin not in _audit_rows()


def test_a_recharge_card_is_shown_without_activation(client, admin):
    partial = client.post(CARDS, {"pin": "700100000001"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and partial.text.lstrip().startswith(
        '<section id="card-result"'
    )
    assert "20.00" in partial.text and "…0001" in partial.text
    page = client.post(CARDS, {"pin": "700100000001"})
    assert page.context["card"].functions == ["recharge", "money_to_balance"]
    assert page.context["activate"] is None and "recharge card" in page.text


def test_unknown_pins_and_wrong_passwords_are_said_in_words(client, admin):
    page = client.post(CARDS, {"pin": "123456789012"})
    assert "No card …9012" in page.text
    page = client.post(CARDS, {"pin": "700100000001", "password": "nope"})
    assert "-19005" in page.context["error"]
    page = client.post(CARDS, {"pin": "12ab"})
    assert page.context["lookup"].errors["pin"]


def test_it_activates_a_card_with_the_pin_kept_out_of_urls_and_the_audit(
    client, admin, world, activatable_card
):
    pin, password = activatable_card["pin"], activatable_card["password"]
    response = client.post(
        CARDS, {"action": "activate", "pin": pin, "password": password, "bindedE164": "5551234"}
    )
    assert response.status_code == 200  # rendered in place: a redirect would need the PIN
    assert response.context["activated"] and response.context["card"].state == "used"
    [account] = raw(world.server, "GetCustomer", {"accounts": [pin]})["infoCustomers"]
    assert account["money"] == 15 and account["feeRateGroup"] == "Retail-Standard"
    [bound] = raw(world.server, "GetBindedE164", {"e164s": ["5551234"]})["infoBindedE164s"]
    assert bound["pin"] == pin
    vos_event = AuditEvent.objects.get(action="vos.PhoneCardActive")
    assert vos_event.result == "ok" and vos_event.payload["bindedE164"] == "5551234"
    assert AuditEvent.objects.get(action="billing.phone_card.activate").target_id == f"…{pin[-4:]}"
    rows = _audit_rows()
    assert pin not in rows and password not in rows
    assert pin not in response.wsgi_request.get_full_path()
    # Once used it cannot be activated again; the switch says why.
    again = client.post(CARDS, {"action": "activate", "pin": pin})
    assert "-19004" in again.text


def test_an_auditor_looks_cards_up_but_cannot_activate(client, world, activatable_card):
    auditor = UserFactory(tenant=world.users["admin"].tenant, role=Role.PLATFORM_AUDITOR)
    client.force_login(auditor)
    page = client.post(CARDS, {"pin": activatable_card["pin"]})
    assert page.context["card"].activatable and page.context["activate"] is None
    assert (
        client.post(CARDS, {"action": "activate", "pin": activatable_card["pin"]}).status_code
        == 404
    )


# --- CDR injection -----------------------------------------------------------------------
def _cdr_data(start: datetime, **extra) -> dict:
    data = {
        "billingMode": "0",
        "callerE164": "80002001",
        "calleeE164": "442079460123",
        "startTime": start.strftime("%Y-%m-%dT%H:%M:%S"),
        "stopTime": (start + timedelta(seconds=95)).strftime("%Y-%m-%dT%H:%M:%S"),
        "billingTime": "95",
        "endDirection": "0",
        "flowNo": "990001",
        "understood": "on",
    }
    data.update(extra)
    return data


@pytest.mark.dates
def test_an_injected_cdr_shows_in_getcdr_and_in_the_next_pull(client, world, portal_sim, settings):
    user = world.login(client, "admin")
    user.time_zone = "UTC"
    user.save()
    settings.CDR_PULL_PACE_SECONDS = 0
    now = datetime.fromtimestamp(portal_sim.control("now")["now"] / 1000, tz=UTC)
    start = (now - timedelta(minutes=30)).replace(microsecond=0)
    assert "For corrections only" in client.get(CDRS).text

    response = client.post(CDRS, _cdr_data(start))

    assert response.status_code == 302, response.context and response.context["form"].errors
    [sent] = _sent(portal_sim, "CreateCdr")
    assert sent["startTime"] == int(start.timestamp() * 1000) and sent["flowNo"] == 990001
    day = f"{start:%Y%m%d}"
    rows = raw(
        world.server, "GetCdr", {"accounts": ["manila-bpo"], "beginTime": day, "endTime": day}
    )
    [cdr] = [r for r in rows["infoCdrs"] if r["calleeE164"] == "442079460123"]
    assert cdr["holdTime"] == 95 and cdr["fee"] > 0
    event = AuditEvent.objects.get(action="vos.CreateCdr")
    assert event.result == "ok" and event.payload["calleeE164"] == "442079460123"
    # On the customer's own trail: the caller's phone names its account.
    assert event.tenant == world.tenants["manila"]

    cdr_pull.pull_server(world.server, now=now)

    stored = Cdr.objects.get(callee_e164="442079460123")
    assert stored.account == "manila-bpo" and stored.hold_time == 95
    assert stored.start == start


@pytest.mark.parametrize(
    "change, field",
    [
        ({"understood": ""}, "understood"),
        ({"calleeE164": ""}, "calleeE164"),
        ({"billingTime": "-5"}, "billingTime"),
        ({"billingMode": "9"}, "billingMode"),
        ({"stopTime": "2020-01-01T00:00:00"}, "stopTime"),
        ({"callerE164": "", "account": ""}, "callerE164"),
        ({"flowNo": "-2"}, "flowNo"),
    ],
)
def test_bad_cdr_input_is_refused_and_nothing_is_billed(client, admin, portal_sim, change, field):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    response = client.post(CDRS, _cdr_data(start, **change))
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert _sent(portal_sim, "CreateCdr") == []


def test_a_refused_cdr_is_said_in_words(client, admin, portal_sim):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    response = client.post(CDRS, _cdr_data(start, callerE164="", account="nobody-here"))
    assert "-10007" in " ".join(response.context["form"].non_field_errors())
    portal_sim.control("fault", endpoint="CreateCdr", mode="timeout_before", seconds=0.1)
    try:
        response = client.post(CDRS, _cdr_data(start, flowNo="990002"), HTTP_HX_REQUEST="true")
    finally:
        portal_sim.control("clear_faults")
    assert response.status_code == 200 and 'id="cdr-form"' in response.text
    assert "switch" in response.text


# --- Callee reservations -----------------------------------------------------------------
def _reserve_data(**extra) -> dict:
    data = {
        "accessE164": "80002001",
        "accessE164Password": "demo1234",
        "callerE164": "5550100",
        "calleeE164": "442079460999",
    }
    data.update(extra)
    return data


def test_it_reserves_a_callee_with_the_password_kept_out_of_the_audit(
    client, admin, world, portal_sim
):
    response = client.post(RESERVE, _reserve_data())
    assert response.status_code == 302
    calls = raw(world.server, "GetCurrentCall", {})["infoCurrentCalls"]
    assert any(c.get("calleeE164") == "442079460999" for c in calls)
    event = AuditEvent.objects.get(action="vos.ReserveCalleeE164")
    assert event.result == "ok" and event.payload["accessE164Password"] == "[redacted]"
    assert "demo1234" not in _audit_rows()


def test_a_reservation_with_a_wrong_password_or_bad_numbers_is_refused(client, admin, portal_sim):
    response = client.post(RESERVE, _reserve_data(accessE164Password="wrong"))
    assert "-19301" in " ".join(response.context["form"].non_field_errors())
    assert 'value="wrong"' not in response.text
    response = client.post(RESERVE, _reserve_data(calleeE164="5550100"))
    assert response.context["form"].errors["calleeE164"]
    response = client.post(RESERVE, _reserve_data(callerE164="abc"))
    assert response.context["form"].errors["callerE164"]
    assert len(_sent(portal_sim, "ReserveCalleeE164")) == 1


def test_a_bad_bound_number_keeps_the_card_unused(
    client, admin, world, portal_sim, activatable_card
):
    pin = activatable_card["pin"]
    page = client.post(CARDS, {"action": "activate", "pin": pin, "bindedE164": "12ab"})
    assert page.context["activate"].errors["bindedE164"]
    assert page.context["card"].state == "unused"
    assert _sent(portal_sim, "PhoneCardActive") == []
    assert client.post(CARDS, {"action": "activate", "pin": ""}).context["error"]


# --- A switch that does not answer ---------------------------------------------------------
def test_every_page_says_so_in_words_when_the_switch_is_down(client, db):
    from accounts.tests.factories import AdminFactory
    from switch.models import VosServer

    server = VosServer.objects.create(name="down", base_url="http://127.0.0.1:9/external/server/")
    client.force_login(AdminFactory())
    assert client.post(reverse("billing_console")).status_code == 405
    urls = [
        *ALL_PAGES[1:],
        _edit_url("Wholesale"),
        _delete_url("Wholesale"),
        reverse("console_suite_delete", args=[1]),
    ]
    for url in urls:
        for answer in (
            client.get(url),
            client.post(url, {}),
            client.post(url, {"confirm": "yes", "name": "X", "pin": "1234"}),
        ):
            assert answer.status_code == 200, (url, answer.status_code)
            assert server.base_url not in answer.text and "127.0.0.1" not in answer.text
    assert "cannot be reached" in client.get(GROUPS).text
    # Nothing was sent, so nothing can have changed: said so.
    assert "Nothing was changed" in client.post(GROUPS, {"name": "New"}).text
    assert AuditEvent.objects.filter(action="vos.CreateFeeRateGroup").latest("id").result == "error"


@pytest.mark.parametrize(
    "endpoint, mode, words",
    [
        # A write that got no proper answer may have been applied: said so, never "failed".
        ("CreateSuite", "http500", "may or may not have been made"),
        ("GetPhoneCard", "reset", "cannot be reached"),
        ("PhoneCardActive", "timeout_after", "may or may not have been made"),
        ("ReserveCalleeE164", "garbage", "may or may not have been made"),
        ("ModifyFeeRateGroup", "http500", "may or may not have been made"),
        ("DeleteSuite", "reset", "may or may not have been made"),
    ],
)
def test_every_write_and_lookup_says_a_switch_failure_in_words(
    client, admin, world, portal_sim, activatable_card, endpoint, mode, words
):
    family = _suites(world)["Family Weekly"]["id"]
    requests = {
        "CreateSuite": (SUITES, _suite_data()),
        "GetPhoneCard": (CARDS, {"pin": activatable_card["pin"]}),
        "PhoneCardActive": (CARDS, {"action": "activate", "pin": activatable_card["pin"]}),
        "ReserveCalleeE164": (RESERVE, _reserve_data()),
        "ModifyFeeRateGroup": (_edit_url("Wholesale"), {"memo": "x"}),
        "DeleteSuite": (reverse("console_suite_delete", args=[family]), {"confirm": "yes"}),
    }
    url, data = requests[endpoint]
    portal_sim.control("fault", endpoint=endpoint, mode=mode, count=5, seconds=0.2)
    try:
        response = client.post(url, data)
    finally:
        portal_sim.control("clear_faults")
    assert response.status_code == 200
    assert words in response.text
    assert world.server.base_url not in response.text and "127.0.0.1" not in response.text
    if endpoint != "GetPhoneCard":
        event = AuditEvent.objects.filter(action=f"vos.{endpoint}").latest("id")
        assert event.result == "unknown"
