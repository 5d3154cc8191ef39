"""Money against the simulator over HTTP: top-ups (reseller-funded and not), idempotency,
limits, faults, reconciliation and phone cards. Balances are read back from VOS, and
VOS's pay history is the referee."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scope import OutOfScope, Scope
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from billing.models import LedgerEntry, MoneySettings, MoneyTransfer
from billing.money import services as money
from billing.money import tasks
from vos3000.simulator import demo

pytestmark = pytest.mark.django_db


def vos_call(sim, endpoint, **payload) -> dict:
    answer = requests.post(sim.base_url + endpoint, json=payload, timeout=5).json()
    assert answer["retCode"] == 0, answer
    return answer


def vos_balance(sim, account) -> Decimal:
    info = vos_call(sim, "GetCustomer", accounts=[account])["infoCustomers"][0]
    return Decimal(str(info["money"]))


def pay_rows(sim, account) -> list[dict]:
    now = timezone.now()
    return vos_call(
        sim,
        "GetPayHistory",
        account=account,
        beginTime=(now - timedelta(days=2)).strftime("%Y%m%d%H%M%S"),
        endTime=(now + timedelta(days=2)).strftime("%Y%m%d%H%M%S"),
    )["infoPayHistorys"]


def pay_requests(sim) -> int:
    return sim.control("stats")["requests"].get("Pay", 0)


class World:
    def __init__(self, server):
        self.server = server
        self.globaltel = ResellerFactory(name="GlobalTel", server=server, vos_account="globaltel")
        self.manila = TenantFactory(
            name="Manila BPO", parent=self.globaltel, server=server, vos_account="manila-bpo"
        )
        self.acme = TenantFactory(name="Acme", server=server, vos_account="acme")
        self.reseller = UserFactory(tenant=self.globaltel, role=Role.RESELLER_MANAGER)
        self.customer = UserFactory(tenant=self.manila, role=Role.CUSTOMER_OWNER)
        self.admin = AdminFactory()

    def scope(self, who: str) -> Scope:
        return Scope(user=getattr(self, who))


@pytest.fixture
def world(demo_vos_server):
    return World(demo_vos_server)


# --- Top-ups ---------------------------------------------------------------------------------
def test_it_moves_money_from_the_reseller_to_the_customer(world, portal_sim):
    before = (vos_balance(portal_sim, "globaltel"), vos_balance(portal_sim, "manila-bpo"))
    transfer = money.topup(world.scope("reseller"), world.manila, "20.00", key="k" * 32)
    assert transfer.state == MoneyTransfer.State.SUCCEEDED
    legs = list(transfer.entries.order_by("seq").values_list("leg", "vos_account", "amount"))
    assert legs == [
        ("debit_funder", "globaltel", Decimal("-20.00")),
        ("credit", "manila-bpo", Decimal("20.00")),
    ]
    assert vos_balance(portal_sim, "globaltel") == before[0] - 20
    assert vos_balance(portal_sim, "manila-bpo") == before[1] + 20
    credit = transfer.entries.get(leg="credit")
    assert credit.balance_after == before[1] + 20 and credit.settled_by == "answer"


def test_it_pays_once_when_the_same_form_is_sent_twice(world, portal_sim, client):
    client.force_login(world.reseller)
    url = reverse("money_topup", args=[world.manila.pk])
    form = {"amount": "15.00", "memo": "", "key": "double-click-key-0001"}
    first = client.post(url, form)
    second = client.post(url, form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert MoneyTransfer.objects.count() == 1
    assert pay_requests(portal_sim) == 2  # the two legs, once
    assert [r["fee"] for r in pay_rows(portal_sim, "manila-bpo")].count(15.0) == 1


def test_it_tops_up_without_the_reseller_paying_when_the_platform_says_so(world, portal_sim):
    MoneySettings.current()
    MoneySettings.objects.update(reseller_funded_topups=False)
    before = vos_balance(portal_sim, "globaltel")
    transfer = money.topup(world.scope("reseller"), world.manila, "5", key="unfunded-key-000001")
    assert transfer.state == "succeeded" and transfer.funded_by is None
    assert vos_balance(portal_sim, "globaltel") == before


def test_it_refuses_up_front_when_the_reseller_cannot_cover_it(world, portal_sim):
    MoneySettings.current()
    MoneySettings.objects.update(max_per_transaction=Decimal("100000"), max_per_day=Decimal("1e6"))
    with pytest.raises(money.MoneyRefused, match="available credit"):
        money.topup(world.scope("reseller"), world.manila, "90000", key="too-much-key-000001")
    assert MoneyTransfer.objects.count() == 0 and pay_requests(portal_sim) == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "more than zero"), ("-5", "more than zero"), ("1.005", "two decimals"), ("x", "amount")],
)
def test_it_refuses_bad_amounts_before_recording_anything(world, amount, message):
    with pytest.raises(money.MoneyRefused, match=message):
        money.topup(world.scope("reseller"), world.manila, amount, key="bad-amount-key-0001")
    assert MoneyTransfer.objects.count() == 0


@pytest.mark.dates
def test_it_keeps_to_the_limits_per_transaction_and_per_day(world, portal_sim):
    MoneySettings.current()
    MoneySettings.objects.update(max_per_transaction=Decimal("30"), max_per_day=Decimal("50"))
    scope = world.scope("reseller")
    with pytest.raises(money.MoneyRefused, match="at once"):
        money.topup(scope, world.manila, "31", key="limit-key-000000001")
    money.topup(scope, world.manila, "30", key="limit-key-000000002")
    with pytest.raises(money.MoneyRefused, match="today's limit"):
        money.topup(scope, world.manila, "25", key="limit-key-000000003")
    assert MoneyTransfer.objects.count() == 1


def test_it_shows_bad_input_on_the_form_and_saves_nothing(world, client):
    client.force_login(world.reseller)
    response = client.post(
        reverse("money_topup", args=[world.manila.pk]),
        {"amount": "12.345", "key": "form-error-key-00001"},
    )
    assert response.status_code == 200
    assert "two decimals" in response.text
    assert MoneyTransfer.objects.count() == 0


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity", "1e999"])
def test_it_never_answers_a_non_number_amount_with_a_500(world, client, amount):
    client.force_login(world.reseller)
    response = client.post(
        reverse("money_topup", args=[world.manila.pk]), {"amount": amount, "key": "k" * 20}
    )
    # Asked for the password again (an unreadable amount is the safe side) or refused on
    # the form; never a 500, and nothing recorded.
    assert response.status_code in (200, 302)
    assert MoneyTransfer.objects.count() == 0


def test_it_refuses_customers_topping_themselves_up_and_foreign_accounts(world, client):
    with pytest.raises(OutOfScope):
        money.topup(world.scope("customer"), world.manila, "5", key="self-topup-key-0001")
    with pytest.raises(OutOfScope):
        money.topup(world.scope("reseller"), world.acme, "5", key="foreign-key-0000001")
    client.force_login(world.customer)
    assert client.get(reverse("money_topup", args=[world.manila.pk])).status_code == 404


def test_it_gives_the_reseller_its_money_back_when_the_credit_fails(world, portal_sim):
    ghost = TenantFactory(
        name="Ghost", parent=world.globaltel, server=world.server, vos_account="ghost"
    )
    before = vos_balance(portal_sim, "globaltel")
    transfer = money.topup(world.scope("reseller"), ghost, "7.50", key="compensate-key-0001")
    assert transfer.state == MoneyTransfer.State.COMPENSATED
    states = list(transfer.entries.order_by("seq").values_list("leg", "state"))
    assert states == [
        ("debit_funder", "succeeded"),
        ("credit", "failed"),
        ("refund_funder", "succeeded"),
    ]
    assert vos_balance(portal_sim, "globaltel") == before


def test_it_lets_an_admin_credit_and_debit_without_a_reseller_paying(world, portal_sim):
    before = (vos_balance(portal_sim, "globaltel"), vos_balance(portal_sim, "manila-bpo"))
    scope = world.scope("admin")
    money.adjust(scope, world.manila, "10", direction="credit", key="adj-key-00000001", memo="fix")
    money.adjust(scope, world.manila, "3", direction="debit", key="adj-key-00000002", memo="fix")
    assert vos_balance(portal_sim, "manila-bpo") == before[1] + 7
    assert vos_balance(portal_sim, "globaltel") == before[0]
    with pytest.raises(OutOfScope):
        money.adjust(
            world.scope("reseller"), world.manila, "1", direction="credit", key="adj-k3", memo="x"
        )


# --- Faults and reconciliation ---------------------------------------------------------------
def test_it_settles_a_lost_answer_as_succeeded_with_exactly_one_payment(world, portal_sim):
    portal_sim.control("fault", endpoint="Pay", mode="timeout_after", seconds=0.2)
    before = len(pay_rows(portal_sim, "acme"))
    transfer = money.topup(world.scope("admin"), world.acme, "12.34", key="timeout-after-0001")
    assert transfer.state == MoneyTransfer.State.UNKNOWN
    assert transfer.entries.get().state == LedgerEntry.State.UNKNOWN
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.SUCCEEDED
    entry = transfer.entries.get()
    assert entry.settled_by == "reconciliation" and entry.vos_pay_time
    rows = pay_rows(portal_sim, "acme")
    assert len(rows) == before + 1 and rows[-1]["fee"] == 12.34
    assert entry.balance_after == Decimal(str(rows[-1]["customerMoney"]))
    assert pay_requests(portal_sim) == 1  # never retried


def test_it_settles_a_request_that_never_arrived_as_failed(world, portal_sim, settings):
    portal_sim.control("fault", endpoint="Pay", mode="timeout_before", seconds=0.2)
    before = len(pay_rows(portal_sim, "acme"))
    transfer = money.topup(world.scope("admin"), world.acme, "8.00", key="timeout-before-001")
    assert transfer.state == MoneyTransfer.State.UNKNOWN
    # Within the grace period VOS might still be working on it: no verdict yet.
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.UNKNOWN
    settings.MONEY_RECONCILE_GRACE_SECONDS = 0
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.FAILED
    assert len(pay_rows(portal_sim, "acme")) == before and pay_requests(portal_sim) == 1


def test_it_never_claims_an_earlier_answered_payment_of_the_same_amount(
    world, portal_sim, settings
):
    scope = world.scope("admin")
    money.topup(scope, world.acme, "9.99", key="same-amount-key-001")
    portal_sim.control("fault", endpoint="Pay", mode="timeout_before", seconds=0.2)
    lost = money.topup(scope, world.acme, "9.99", key="same-amount-key-002")
    settings.MONEY_RECONCILE_GRACE_SECONDS = 0
    assert tasks.reconcile_transfer(lost.pk) == MoneyTransfer.State.FAILED


def test_it_sends_an_ambiguous_payment_to_the_admins(world, portal_sim, mailoutbox):
    portal_sim.control("fault", endpoint="Pay", mode="timeout_before", seconds=0.2)
    lost = money.topup(world.scope("admin"), world.acme, "4.44", key="ambiguous-key-0001")
    for _ in range(2):  # someone paid the same amount twice on the switch meanwhile
        vos_call(portal_sim, "Pay", ownerName="acme", ownerType=2, money=4.44)
    assert tasks.reconcile_transfer(lost.pk) == MoneyTransfer.State.REVIEW
    lost.refresh_from_db()
    assert "match" in lost.needs_review_reason
    assert AuditEvent.objects.filter(action="money.transfer.state").exists()


def test_it_continues_a_funded_top_up_once_the_debit_is_confirmed(world, portal_sim):
    portal_sim.control("fault", endpoint="Pay", mode="timeout_after", seconds=0.2, count=1)
    before = vos_balance(portal_sim, "manila-bpo")
    transfer = money.topup(world.scope("reseller"), world.manila, "6", key="funded-unknown-001")
    assert transfer.state == MoneyTransfer.State.UNKNOWN
    assert list(transfer.entries.values_list("leg", "state")) == [("debit_funder", "unknown")]
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.SUCCEEDED
    assert vos_balance(portal_sim, "manila-bpo") == before + 6


def test_it_shows_a_clear_page_when_vos_is_down_and_leaves_nothing_in_flight(
    world, client, portal_sim
):
    world.server.base_url = "http://127.0.0.1:9/external/server/"
    world.server.save()
    client.force_login(world.admin)
    response = client.post(
        reverse("money_topup", args=[world.acme.pk]),
        {"amount": "5", "key": "vos-down-key-000001"},
        follow=True,
    )
    assert response.status_code == 200
    assert "did not go through" in response.text
    assert not LedgerEntry.objects.filter(state__in=LedgerEntry.IN_FLIGHT).exists()
    assert MoneyTransfer.objects.get().state == MoneyTransfer.State.FAILED
    # A reseller is refused before anything is recorded (its balance cannot be read).
    client.force_login(world.reseller)
    response = client.post(
        reverse("money_topup", args=[world.manila.pk]),
        {"amount": "5", "key": "vos-down-key-000002"},
    )
    assert response.status_code == 200 and "cannot be reached" in response.text
    assert "127.0.0.1:9" not in response.text
    assert MoneyTransfer.objects.count() == 1


def test_it_makes_one_money_call_at_a_time_per_account_and_amount(world, portal_sim):
    """An entry in flight holds up the next call of the same amount on the same account
    (queued, not refused, not waited for); another amount goes through meanwhile."""
    portal_sim.control("fault", endpoint="Pay", mode="timeout_before", seconds=0.2)
    money.topup(world.scope("admin"), world.acme, "1", key="busy-key-000000001")
    other = money.topup(world.scope("admin"), world.acme, "2", key="busy-key-000000002")
    assert other.state == MoneyTransfer.State.SUCCEEDED
    same = money.topup(world.scope("admin"), world.acme, "1", key="busy-key-000000003")
    assert same.state == MoneyTransfer.State.PENDING and same.queued_at is not None
    assert not same.entries.exists()


# --- Phone cards ---------------------------------------------------------------------------------
def test_it_tops_up_with_a_phone_card(world, portal_sim):
    before = vos_balance(portal_sim, "manila-bpo")
    pin = demo.PHONE_CARD_PINS[0]
    transfer = money.pin_topup(
        world.scope("customer"), world.manila, pin, demo.PHONE_CARD_PASSWORD, key="pin-key-0000001"
    )
    assert transfer.state == "succeeded" and transfer.amount == Decimal("20.00")
    assert transfer.card_hint.endswith(pin[-4:]) and pin not in transfer.card_hint
    assert vos_balance(portal_sim, "manila-bpo") == before + 20
    assert pin not in str(list(AuditEvent.objects.values("payload")))


def test_a_customer_tops_itself_up_with_a_phone_card_on_its_page(world, portal_sim, client):
    client.force_login(world.customer)
    before = vos_balance(portal_sim, "manila-bpo")
    pin = demo.PHONE_CARD_PINS[3]
    response = client.post(
        reverse("money_pin_topup", args=[world.manila.pk]),
        {"pin": pin, "password": demo.PHONE_CARD_PASSWORD, "key": "page-pin-key-000001"},
    )
    assert response.status_code == 302
    assert vos_balance(portal_sim, "manila-bpo") == before + 20
    assert pin not in response["Location"]
    # The menu entry leads to the same page.
    assert client.get(reverse("money_my_pin_topup"))["Location"] == reverse(
        "money_pin_topup", args=[world.manila.pk]
    )


def test_it_says_what_is_wrong_with_a_card(world, portal_sim):
    scope = world.scope("customer")
    pin = demo.PHONE_CARD_PINS[1]
    money.pin_topup(scope, world.manila, pin, demo.PHONE_CARD_PASSWORD, key="pin-key-0000002")
    with pytest.raises(money.MoneyRefused, match="already been used"):
        money.pin_topup(scope, world.manila, pin, demo.PHONE_CARD_PASSWORD, key="pin-key-0000003")
    with pytest.raises(money.MoneyRefused, match="no phone card"):
        money.pin_topup(scope, world.manila, "999999999999", "1", key="pin-key-0000004")
    expired = portal_sim.control(
        "create_phone_cards", value=5, password="1111", expire_time=1000, seed=7
    )["cards"][0]
    with pytest.raises(money.MoneyRefused, match="expired"):
        money.pin_topup(scope, world.manila, expired["pin"], "1111", key="pin-key-0000005")
    with pytest.raises(money.MoneyRefused, match="password"):
        money.pin_topup(
            scope, world.manila, demo.PHONE_CARD_PINS[2], "000000", key="pin-key-0000006"
        )
    assert MoneyTransfer.objects.count() == 1


def test_it_limits_phone_card_attempts(world, client):
    client.force_login(world.customer)
    url = reverse("money_pin_topup", args=[world.manila.pk])
    statuses = [
        client.post(
            url, {"pin": "1234", "password": "1", "key": f"rate-limit-key-{n:05d}"}
        ).status_code
        for n in range(6)
    ]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


# --- Balances and the push -----------------------------------------------------------------------
def test_it_takes_the_balance_from_a_customer_money_change_push(world, client, settings):
    from billing.models import BalanceReading

    settings.VOS_PUSH_TOKEN = "push-token-123"
    url = reverse("vos_push_customer_money_change", args=["push-token-123", world.server.name])
    answer = client.post(url, {"account": "manila-bpo", "money": 42.5}, "application/json")
    assert answer.json() == {"retCode": 0}
    # The receiver (telephony.push_receiver) answers at once; a task does the work.
    from switch import push_inbox

    push_inbox.sweep(older_than=0)
    reading = BalanceReading.objects.get(vos_account="manila-bpo")
    assert reading.money == Decimal("42.5") and reading.source == "push"
    wrong = reverse("vos_push_customer_money_change", args=["nope", world.server.name])
    assert (
        client.post(wrong, {"account": "acme", "money": 1}, "application/json").status_code == 404
    )
    bad = client.post(url, {"account": "acme"}, "application/json").json()
    assert bad["retCode"] != 0


def test_it_shows_the_balance_with_the_time_it_was_read(world, client, portal_sim):
    client.force_login(world.customer)
    page = client.get(reverse("money_account", args=[world.manila.pk])).text
    assert f"{vos_balance(portal_sim, 'manila-bpo'):.2f}" in page
    assert "Read from the switch" in page


# --- The ledger stays append-only -------------------------------------------------------------
def test_it_never_deletes_or_rewinds_a_ledger_entry(world):
    transfer = money.topup(world.scope("admin"), world.acme, "1", key="append-only-key-001")
    entry = transfer.entries.get()
    with pytest.raises(Exception, match="never deleted"):
        entry.delete()
    entry.state = LedgerEntry.State.PENDING
    with pytest.raises(Exception, match="cannot go from"):
        entry.save()


@pytest.mark.postgres
def test_it_refuses_rewriting_the_ledger_in_sql(world):
    from django.db import connection, transaction

    transfer = money.topup(world.scope("admin"), world.acme, "1", key="sql-guard-key-0001")
    entry = transfer.entries.get()
    for sql in (
        "UPDATE billing_ledgerentry SET state = 'pending' WHERE id = %s",
        "UPDATE billing_ledgerentry SET amount = 1000 WHERE id = %s",
        "DELETE FROM billing_ledgerentry WHERE id = %s",
    ):
        with pytest.raises(Exception, match="ledger"), transaction.atomic():
            connection.cursor().execute(sql, [entry.pk])


def test_it_shows_a_reseller_only_its_own_ledger(world, client):
    money.topup(world.scope("admin"), world.acme, "1", key="ledger-scope-key-01")
    money.topup(world.scope("reseller"), world.manila, "1", key="ledger-scope-key-02")
    client.force_login(world.reseller)
    page = client.get(reverse("money_ledger")).text
    assert "manila-bpo" in page and "<code>acme</code>" not in page


@pytest.mark.dates
def test_it_counts_debits_by_their_size_in_the_daily_limit(world, portal_sim):
    MoneySettings.current()
    MoneySettings.objects.update(max_per_transaction=Decimal("30"), max_per_day=Decimal("40"))
    scope = world.scope("admin")
    money.adjust(scope, world.acme, "20", direction="credit", key="day-key-0000001", memo="a")
    money.adjust(scope, world.acme, "15", direction="debit", key="day-key-0000002", memo="b")
    with pytest.raises(money.MoneyRefused, match="today's limit"):  # 20 + 15 + 10 > 40
        money.adjust(scope, world.acme, "10", direction="credit", key="day-key-0000003", memo="c")


def test_it_reads_both_balances_of_a_funded_top_up_in_one_call(world, client, portal_sim):
    client.force_login(world.reseller)
    before = portal_sim.control("stats")["requests"].get("GetCustomer", 0)
    page = client.get(reverse("money_topup", args=[world.manila.pk])).text
    assert portal_sim.control("stats")["requests"]["GetCustomer"] == before + 1
    assert "globaltel" in page and "manila-bpo" in page
