"""The per-endpoint guard in switch.vos.call: nothing reaches VOS naming an account or
phone outside the caller's scope, or an endpoint the caller's role may not use."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scope import OutOfScope, Scope
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from switch import vos
from vos3000.client import VosUnavailable

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(demo_vos_server):
    globaltel = ResellerFactory(server=demo_vos_server, vos_account="globaltel")
    manila = TenantFactory(parent=globaltel, server=demo_vos_server, vos_account="manila-bpo")
    acme = TenantFactory(server=demo_vos_server, vos_account="acme")
    return {
        "server": demo_vos_server,
        "manila": manila,
        "acme": acme,
        "reseller": Scope(user=UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER)),
        "operator": Scope(user=UserFactory(tenant=globaltel, role=Role.RESELLER_OPERATOR)),
        "viewer": Scope(user=UserFactory(tenant=manila, role=Role.CUSTOMER_VIEWER)),
        "owner": Scope(user=UserFactory(tenant=manila, role=Role.CUSTOMER_OWNER)),
        "admin": Scope(user=AdminFactory()),
    }


def sent(portal_sim, endpoint: str) -> int:
    return portal_sim.control("stats")["requests"].get(endpoint, 0)


def test_it_lets_a_reseller_name_accounts_of_its_subtree(tree):
    answer = vos.call(tree["reseller"], tree["server"], "GetCustomer", {"accounts": ["manila-bpo"]})
    assert answer["infoCustomers"][0]["account"] == "manila-bpo"


def test_it_refuses_a_foreign_account_before_anything_is_sent(tree, portal_sim):
    with pytest.raises(OutOfScope):
        vos.call(tree["reseller"], tree["server"], "GetCustomer", {"accounts": ["acme"]})
    with pytest.raises(OutOfScope):
        vos.call(
            tree["reseller"],
            tree["server"],
            "GetCustomer",
            {"accounts": ["manila-bpo", "acme"]},  # one foreign name spoils the list
        )
    with pytest.raises(OutOfScope):
        vos.call(
            tree["reseller"],
            tree["server"],
            "Pay",
            {"ownerName": "acme", "ownerType": 2, "money": 1},
        )
    assert sent(portal_sim, "GetCustomer") == 0 and sent(portal_sim, "Pay") == 0


def test_it_checks_the_owner_of_every_phone_a_call_names(tree, portal_sim):
    # 80001001 is acme's phone: a globaltel reseller may not touch it.
    with pytest.raises(OutOfScope):
        vos.call(tree["reseller"], tree["server"], "DeletePhone", {"e164": "80001001"})
    assert sent(portal_sim, "DeletePhone") == 0
    # manila-bpo's own phone passes (looked up once with GetPhone).
    answer = vos.call(tree["reseller"], tree["server"], "GetPhoneOnline", {"e164s": ["80002001"]})
    assert answer["retCode"] == 0


def test_it_skips_the_lookup_for_phones_the_caller_has_verified(tree, portal_sim):
    before = sent(portal_sim, "GetPhone")
    vos.call(
        tree["reseller"],
        tree["server"],
        "GetPhoneOnline",
        {"e164s": ["80002001"]},
        verified={"80002001"},
    )
    assert sent(portal_sim, "GetPhone") == before


def test_it_keeps_platform_endpoints_for_the_platform(tree, portal_sim):
    for scope in ("reseller", "owner"):
        with pytest.raises(OutOfScope):
            vos.call(tree[scope], tree["server"], "GetGatewayRouting", {})
    assert sent(portal_sim, "GetGatewayRouting") == 0
    assert vos.call(tree["admin"], tree["server"], "GetGatewayRouting", {})["retCode"] == 0


def test_it_wants_the_right_to_change_or_to_move_money(tree):
    with pytest.raises(OutOfScope):  # viewers only look
        vos.call(
            tree["viewer"],
            tree["server"],
            "ModifyCustomer",
            {"account": "manila-bpo", "memo": "x"},
        )
    with pytest.raises(OutOfScope):  # operators change, but move no money
        vos.call(
            tree["operator"],
            tree["server"],
            "Pay",
            {"ownerName": "manila-bpo", "ownerType": 2, "money": 1},
        )
    answer = vos.call(
        tree["operator"], tree["server"], "ModifyCustomer", {"account": "manila-bpo", "memo": "ok"}
    )
    assert answer["retCode"] == 0


def test_it_wants_ids_read_through_the_scope_for_id_keyed_writes(tree, portal_sim):
    with pytest.raises(OutOfScope):
        vos.call(tree["reseller"], tree["server"], "DeleteSuiteOrder", {"id": 1})
    assert sent(portal_sim, "DeleteSuiteOrder") == 0


def test_it_records_nothing_for_a_refused_call(tree):
    before = AuditEvent.objects.filter(action__startswith="vos.").count()
    with pytest.raises(OutOfScope):
        vos.call(tree["owner"], tree["server"], "DeleteCustomer", {"account": "acme"})
    assert AuditEvent.objects.filter(action__startswith="vos.").count() == before


def test_it_lets_a_new_customer_be_created_only_under_an_agent_in_the_scope(tree):
    with pytest.raises(OutOfScope):
        vos.call(
            tree["reseller"],
            tree["server"],
            "CreateCustomer",
            {"account": "newco", "agentAccount": "skyvoice"},
        )
    answer = vos.call(
        tree["reseller"],
        tree["server"],
        "CreateCustomer",
        {"account": "newco", "agentAccount": "globaltel"},
    )
    assert answer["retCode"] == 0


def test_it_checks_every_number_of_a_callback_that_decides_who_pays(tree, portal_sim):
    with pytest.raises(OutOfScope):
        vos.call(
            tree["owner"],
            tree["server"],
            "CallBack",
            {
                "callerE164": "80002001",  # manila-bpo's own phone
                "calleeE164s": "4420000000",
                "accessE164": "80001001",  # acme's phone: acme would pay
                "accessE164Password": "x",
            },
        )
    assert sent(portal_sim, "CallBack") == 0


def test_it_refuses_reads_that_would_answer_about_everyone(tree, portal_sim):
    for endpoint in ("GetCustomer", "GetPhone", "GetCustomerPhoneBook"):
        with pytest.raises(OutOfScope):
            vos.call(tree["reseller"], tree["server"], endpoint, {})
        assert sent(portal_sim, endpoint) == 0


def test_it_allows_minutes_left_only_for_the_own_phones_billing(tree, portal_sim):
    with pytest.raises(OutOfScope):  # a phone-card or gateway mode names what we cannot check
        vos.call(
            tree["owner"],
            tree["server"],
            "GetAvailableTime",
            {"billingName": "manila-bpo", "billingMode": 3, "calleeE164": "4420000000"},
        )
    with pytest.raises(OutOfScope):
        vos.call(
            tree["owner"],
            tree["server"],
            "GetAvailableTime",
            {"billingName": "80001001", "billingMode": 0, "calleeE164": "4420000000"},
        )
    answer = vos.call(
        tree["owner"],
        tree["server"],
        "GetAvailableTime",
        {"billingName": "80002001", "billingMode": 0, "calleeE164": "4420000000"},
    )
    assert answer["retCode"] == 0


def test_it_words_a_read_that_went_unanswered_without_talk_of_changes():
    from vos3000.errors import VosUnavailable

    read = VosUnavailable("x", may_have_been_applied=True, endpoint="GetCustomer")
    write = VosUnavailable("x", may_have_been_applied=True, endpoint="Pay")
    assert "changed" not in vos.describe_error(read) and "may" not in vos.describe_error(read)
    assert "may or may not" in vos.describe_error(write)


def test_it_wants_an_own_account_on_reads_filtered_by_cards_or_numbers(tree, portal_sim):
    for endpoint, payload in (
        ("GetActivePhoneCard", {"pins": ["123"]}),
        ("GetBindedE164", {"e164s": ["80001001"]}),
        ("GetE164Convert", {"e164": "80001001"}),
    ):
        with pytest.raises(OutOfScope):
            vos.call(tree["reseller"], tree["server"], endpoint, payload)
        assert sent(portal_sim, endpoint) == 0


def test_it_wants_both_the_card_and_the_account_checked_to_modify_a_card(tree):
    payload = {"pin": "5551234", "account": "manila-bpo", "memo": "x"}
    with pytest.raises(OutOfScope):  # the PIN was not read through the scope
        vos.call(tree["reseller"], tree["server"], "ModifyActivePhoneCard", payload)
    with pytest.raises(OutOfScope):  # a checked PIN moved to a foreign account
        vos.call(
            tree["reseller"],
            tree["server"],
            "ModifyActivePhoneCard",
            {**payload, "account": "acme"},
            verified={"5551234"},
        )


def test_it_lets_tenants_add_phones_only_to_an_existing_own_account(tree, portal_sim):
    for payload in (
        {"autoCreateAccount": True, "e164": "99990001"},
        {"autoCreateAccount": True, "e164": "99990002", "account": "manila-bpo"},
        {"autoCreateAccount": False, "e164": "99990003", "account": "acme"},
    ):
        with pytest.raises(OutOfScope):
            vos.call(tree["reseller"], tree["server"], "CreatePhone", payload)
    assert sent(portal_sim, "CreatePhone") == 0


# --- read_soon: a read started early, on a thread of the process -----------------------


def test_it_reads_soon_what_call_reads(tree):
    future = vos.read_soon(
        tree["reseller"], tree["server"], "GetCustomer", {"accounts": ["manila-bpo"]}
    )
    assert future.result(timeout=10)["infoCustomers"][0]["account"] == "manila-bpo"


def test_it_guards_a_soon_read_on_the_callers_thread(tree, portal_sim):
    # Refused before the future exists: nothing sent, nothing queued.
    with pytest.raises(OutOfScope):
        vos.read_soon(tree["reseller"], tree["server"], "GetCustomer", {"accounts": ["acme"]})
    assert sent(portal_sim, "GetCustomer") == 0


def test_it_refuses_to_start_a_write_soon(tree, portal_sim):
    with pytest.raises(ValueError):
        vos.read_soon(
            tree["admin"], tree["server"], "Pay", {"ownerName": "acme", "ownerType": 2, "money": 1}
        )
    assert sent(portal_sim, "Pay") == 0


def test_it_raises_a_soon_reads_vos_error_from_its_result(tree, portal_sim):
    portal_sim.control("fault", endpoint="GetCustomer", mode="http500", count=5)
    future = vos.read_soon(tree["admin"], tree["server"], "GetCustomer", {"accounts": ["acme"]})
    with pytest.raises(VosUnavailable):
        future.result(timeout=30)
