"""Taking money back (issue 15) against the simulator over HTTP: the customer is debited
and the reseller credited (VOS's balances and pay history are the referee), a replayed
form pays once, never more than the balance VOS states, a lost or refused credit to the
reseller is retried by proof or refunded to the customer, corrections of a top-up are
linked and capped, and "return the balance and delete" leaves nothing half done."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Tenant
from accounts.roles import Role
from accounts.scope import OutOfScope, Scope
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from billing.models import LedgerEntry, MoneyTransfer
from billing.money import services as money
from billing.money import tasks

pytestmark = pytest.mark.django_db

Leg = LedgerEntry.Leg
T = MoneyTransfer.State


def vos_call(sim, endpoint, **payload) -> dict:
    answer = requests.post(sim.base_url + endpoint, json=payload, timeout=5).json()
    assert int(answer["retCode"]) == 0, answer
    return answer


def vos_balance(sim, account) -> Decimal:
    info = vos_call(sim, "GetCustomer", accounts=[account])["infoCustomers"][0]
    return Decimal(str(info["money"]))


def pay_fees(sim, account) -> list[Decimal]:
    now = timezone.now()
    rows = vos_call(
        sim,
        "GetPayHistory",
        account=account,
        beginTime=(now - timedelta(days=2)).strftime("%Y%m%d%H%M%S"),
        endTime=(now + timedelta(days=2)).strftime("%Y%m%d%H%M%S"),
    )["infoPayHistorys"]
    return [Decimal(str(r["fee"])).quantize(Decimal("0.0001")) for r in rows]


def legs(transfer) -> list[tuple]:
    return list(
        transfer.entries.order_by("seq").values_list("leg", "state", "attempt", "proven_absent")
    )


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

    def scope(self, who: str = "reseller") -> Scope:
        return Scope(user=getattr(self, who))


@pytest.fixture
def world(demo_vos_server, settings, portal_sim):
    settings.MONEY_LEG_RETRY_SECONDS = 0
    settings.MONEY_LEG_MAX_ATTEMPTS = 3
    settings.MONEY_RECONCILE_GRACE_SECONDS = 3600
    settings.REAUTH_MONEY_ABOVE = Decimal("100000")
    yield World(demo_vos_server)
    portal_sim.control("clear_faults")


@pytest.fixture
def fault_on_leg(monkeypatch, portal_sim):
    """Arm a simulator fault on Pay just before the first call of one leg."""

    def arm(leg: str, mode: str, *, count: int = 1):
        real = money._run_leg

        def run_leg(scope, transfer, **kwargs):
            if kwargs["leg"] == leg and kwargs.get("retry_of") is None:
                portal_sim.control("fault", endpoint="Pay", mode=mode, count=count)
            return real(scope, transfer, **kwargs)

        monkeypatch.setattr(money, "_run_leg", run_leg)

    return arm


def age_unknown_legs() -> None:
    LedgerEntry.objects.filter(state="unknown").update(
        sent_at=timezone.now() - timedelta(seconds=5)
    )


# --- Moving money back -----------------------------------------------------------------------
def test_it_takes_money_from_the_customer_back_to_the_reseller(world, portal_sim):
    before = (vos_balance(portal_sim, "globaltel"), vos_balance(portal_sim, "manila-bpo"))
    transfer = money.reverse(world.scope(), world.manila, "12.50", key="r" * 32, memo="oops")
    assert transfer.state == T.SUCCEEDED
    assert transfer.kind == MoneyTransfer.Kind.REVERSAL
    assert transfer.funded_by == world.globaltel
    assert list(transfer.entries.values_list("leg", "vos_account", "amount")) == [
        (Leg.DEBIT_CUSTOMER, "manila-bpo", Decimal("-12.50")),
        (Leg.CREDIT_FUNDER, "globaltel", Decimal("12.50")),
    ]
    assert vos_balance(portal_sim, "manila-bpo") == before[1] - Decimal("12.50")
    assert vos_balance(portal_sim, "globaltel") == before[0] + Decimal("12.50")
    assert pay_fees(portal_sim, "manila-bpo").count(Decimal("-12.50")) == 1
    assert pay_fees(portal_sim, "globaltel").count(Decimal("12.50")) == 1
    event = AuditEvent.objects.get(action="money.reversal.requested")
    assert event.after["amount"] == "12.50" and event.after["funded_by"] == "globaltel"


def test_an_admin_takes_money_back_in_one_leg(world, portal_sim):
    before = vos_balance(portal_sim, "acme")
    transfer = money.reverse(world.scope("admin"), world.acme, "5", key="a" * 32)
    assert transfer.state == T.SUCCEEDED and transfer.funded_by is None
    assert legs(transfer) == [(Leg.DEBIT_CUSTOMER, "succeeded", 1, False)]
    assert vos_balance(portal_sim, "acme") == before - 5


def test_the_same_form_twice_takes_money_once(world, portal_sim, client):
    before = vos_balance(portal_sim, "manila-bpo")
    client.force_login(world.reseller)
    url = reverse("money_take_back", args=[world.manila.pk])
    form = {"amount": "3.00", "key": "same-key-" + "x" * 20}
    first = client.post(url, form)
    second = client.post(url, form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert MoneyTransfer.objects.filter(kind="reversal").count() == 1
    assert vos_balance(portal_sim, "manila-bpo") == before - 3
    assert pay_fees(portal_sim, "manila-bpo").count(Decimal("-3")) == 1


def test_it_never_takes_more_than_the_balance_vos_states(world, portal_sim, client):
    balance = vos_balance(portal_sim, "manila-bpo")  # 321.7685, overdraft 100
    pays = portal_sim.control("stats")["requests"].get("Pay", 0)
    with pytest.raises(money.MoneyRefused, match="cannot take back"):
        money.reverse(world.scope(), world.manila, "321.77", key="over" * 8)
    # The overdraft is not money the customer has.
    with pytest.raises(money.MoneyRefused, match="cannot take back"):
        money.reverse(world.scope(), world.manila, "400", key="over2" * 6)
    client.force_login(world.reseller)
    page = client.post(
        reverse("money_take_back", args=[world.manila.pk]), {"amount": "500", "key": "o" * 20}
    )
    assert page.status_code == 200 and "you cannot take back 500" in page.text
    assert not MoneyTransfer.objects.exists()
    assert vos_balance(portal_sim, "manila-bpo") == balance
    assert portal_sim.control("stats")["requests"].get("Pay", 0) == pays


def test_it_takes_money_back_from_a_sparse_server(sparse_vos_server, portal_sim):
    """Real servers send every number as a string: the balance is still read right."""
    globaltel = ResellerFactory(server=sparse_vos_server, vos_account="globaltel")
    manila = TenantFactory(parent=globaltel, server=sparse_vos_server, vos_account="manila-bpo")
    reseller = UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER)
    before = vos_balance(portal_sim, "manila-bpo")
    transfer = money.reverse(Scope(user=reseller), manila, "2.25", key="sparse" * 6)
    assert transfer.state == T.SUCCEEDED
    assert vos_balance(portal_sim, "manila-bpo") == before - Decimal("2.25")
    with pytest.raises(money.MoneyRefused, match="cannot take back"):
        money.reverse(Scope(user=reseller), manila, "1000", key="sparse-over" * 3)


@pytest.fixture
def money_left_out(monkeypatch):
    """GetCustomer answers without ``money`` (and ``limitMoney``), as a server leaving
    null fields out would (the same shaping as test_sparse_answers)."""
    from switch import vos

    real_call = vos.call

    def call(scope, server, name, payload, **kwargs):
        answer = real_call(scope, server, name, payload, **kwargs)
        if name == "GetCustomer":
            for info in answer.get("infoCustomers") or []:
                info.pop("money", None)
                info.pop("limitMoney", None)
        return answer

    monkeypatch.setattr(vos, "call", call)


def test_it_refuses_an_unknown_balance_with_words(world, portal_sim, money_left_out, client):
    """VOS's answer without a money field: the balance is unknown, never zero."""
    pays = portal_sim.control("stats")["requests"].get("Pay", 0)
    client.force_login(world.reseller)
    page = client.post(
        reverse("money_take_back", args=[world.manila.pk]), {"amount": "1", "key": "u" * 20}
    )
    assert page.status_code == 200
    assert "did not say the customer&#x27;s balance" in page.text
    assert not MoneyTransfer.objects.exists()
    assert portal_sim.control("stats")["requests"].get("Pay", 0) == pays
    # The delete page does not offer to return a balance it does not know.
    vos_call(portal_sim, "CreateCustomer", account="quiet", name="Quiet", agentAccount="globaltel")
    quiet = TenantFactory(parent=world.globaltel, server=world.server, vos_account="quiet")
    page = client.get(reverse("customer_delete", args=[quiet.pk])).text
    assert "did not say the balance" in page
    assert "Return the balance to me and delete" not in page


def test_it_refuses_when_vos_cannot_be_asked(world, portal_sim, client):
    portal_sim.control("fault", endpoint="GetCustomer", mode="http500", count=5)
    client.force_login(world.reseller)
    page = client.post(
        reverse("money_take_back", args=[world.manila.pk]), {"amount": "1", "key": "v" * 20}
    )
    assert page.status_code == 200 and "form-errors" in page.text
    assert not MoneyTransfer.objects.exists()


def test_a_foreign_customer_is_a_404(world, portal_sim, client):
    client.force_login(world.reseller)
    url = reverse("money_take_back", args=[world.acme.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"amount": "1", "key": "f" * 20}).status_code == 404
    with pytest.raises(OutOfScope):
        money.reverse(world.scope(), world.acme, "1", key="foreign" * 5)
    # A customer cannot take money from itself either.
    client.force_login(world.customer)
    assert client.get(reverse("money_take_back", args=[world.manila.pk])).status_code == 404
    assert not MoneyTransfer.objects.exists()


# --- The reseller's credit fails ----------------------------------------------------------------
def test_a_credit_to_the_reseller_lost_in_a_500_is_retried_by_proof(
    world, portal_sim, fault_on_leg, settings
):
    before = (vos_balance(portal_sim, "globaltel"), vos_balance(portal_sim, "manila-bpo"))
    fault_on_leg(Leg.CREDIT_FUNDER, "http500")
    transfer = money.reverse(world.scope(), world.manila, "6.60", key="credit500" * 3)
    assert transfer.state == T.UNKNOWN
    assert legs(transfer)[-1] == (Leg.CREDIT_FUNDER, "unknown", 1, False)
    settings.MONEY_RECONCILE_GRACE_SECONDS = 1
    age_unknown_legs()
    assert tasks.reconcile_transfer(transfer.pk) == T.SUCCEEDED
    assert legs(transfer) == [
        (Leg.DEBIT_CUSTOMER, "succeeded", 1, False),
        (Leg.CREDIT_FUNDER, "failed", 1, True),
        (Leg.CREDIT_FUNDER, "succeeded", 2, False),
    ]
    assert vos_balance(portal_sim, "manila-bpo") == before[1] - Decimal("6.60")
    assert vos_balance(portal_sim, "globaltel") == before[0] + Decimal("6.60")
    assert pay_fees(portal_sim, "globaltel").count(Decimal("6.60")) == 1
    assert AuditEvent.objects.filter(action="money.leg.retry").count() == 1


def test_a_credit_refused_for_good_refunds_the_customer(demo_vos_server, portal_sim, client):
    """A reseller whose VOS account is gone: its credit is refused, the customer is put
    back as it was."""
    ghost = ResellerFactory(name="Ghost Tel", server=demo_vos_server, vos_account="ghost-tel")
    lagos = TenantFactory(parent=ghost, server=demo_vos_server, vos_account="lagos-trade")
    user = UserFactory(tenant=ghost, role=Role.RESELLER_MANAGER)
    before = vos_balance(portal_sim, "lagos-trade")
    transfer = money.reverse(Scope(user=user), lagos, "4.00", key="ghostcredit" * 3)
    assert transfer.state == T.COMPENSATED
    assert legs(transfer) == [
        (Leg.DEBIT_CUSTOMER, "succeeded", 1, False),
        (Leg.CREDIT_FUNDER, "failed", 1, False),
        (Leg.REFUND_CUSTOMER, "succeeded", 1, False),
    ]
    assert vos_balance(portal_sim, "lagos-trade") == before
    fees = pay_fees(portal_sim, "lagos-trade")
    assert fees.count(Decimal("-4")) == 1 and fees.count(Decimal("4")) == 1
    client.force_login(user)
    page = client.get(reverse("money_transfer", args=[transfer.pk])).text
    assert "the money went back to the customer" in page
    assert "Failed, customer refunded" in page


def test_a_refund_that_cannot_be_made_goes_to_the_admins(
    demo_vos_server, portal_sim, fault_on_leg, settings, mailoutbox
):
    settings.MONEY_LEG_RETRY_SECONDS = 0
    settings.MONEY_LEG_MAX_ATTEMPTS = 2
    settings.ADMINS = [("Ops", "ops@example.com")]
    ghost = ResellerFactory(server=demo_vos_server, vos_account="ghost-tel")
    lagos = TenantFactory(parent=ghost, server=demo_vos_server, vos_account="lagos-trade")
    user = UserFactory(tenant=ghost, role=Role.RESELLER_MANAGER)
    fault_on_leg(Leg.REFUND_CUSTOMER, "http500", count=10)
    transfer = money.reverse(Scope(user=user), lagos, "2.00", key="refundfail" * 3)
    settings.MONEY_RECONCILE_GRACE_SECONDS = 1
    for _ in range(4):
        age_unknown_legs()
        tasks.reconcile_transfer(transfer.pk)
    transfer.refresh_from_db()
    portal_sim.control("clear_faults")
    assert transfer.state == T.REVIEW
    assert "customer's refund failed" in transfer.needs_review_reason
    assert mailoutbox


# --- Corrections of a top-up ---------------------------------------------------------------------
def test_a_correction_is_linked_and_capped(world, portal_sim, client):
    topup = money.topup(world.scope(), world.manila, "30.00", key="topup-to-fix" * 3)
    assert topup.state == T.SUCCEEDED
    client.force_login(world.reseller)
    url = reverse("money_take_back", args=[world.manila.pk])
    form = client.get(url, {"corrects": topup.pk})
    assert form.status_code == 200
    assert 'value="30.0000"' in form.text or 'value="30.00"' in form.text
    assert f"Correcting top-up #{topup.pk}" in form.text
    # Part of it, then not more than what is left.
    first = client.post(url, {"amount": "10", "key": "c" * 20, "corrects": topup.pk})
    assert first.status_code == 302
    correction = MoneyTransfer.objects.get(kind="reversal")
    assert correction.corrects == topup and correction.state == T.SUCCEEDED
    assert money.correctable_amount(topup) == Decimal("20.00")
    over = client.post(url, {"amount": "20.01", "key": "d" * 20, "corrects": topup.pk})
    assert over.status_code == 200 and "At most 20.00 of top-up" in over.text
    assert MoneyTransfer.objects.filter(kind="reversal").count() == 1
    # Shown both ways.
    page = client.get(reverse("money_transfer", args=[topup.pk])).text
    assert f"Corrected by #{correction.pk}" in page
    page = client.get(reverse("money_transfer", args=[correction.pk])).text
    assert f"Corrects #{topup.pk}" in page
    ledger = client.get(reverse("money_account", args=[world.manila.pk])).text
    assert f"Correction of top-up #{topup.pk}" in ledger and "Correct this top-up" in ledger
    # The customer reads it in words.
    client.force_login(world.customer)
    own = client.get(reverse("money_account", args=[world.manila.pk])).text
    assert "Money taken back by your provider" in own
    assert "Correct this top-up" not in own
    # And in its payments as VOS lists them, each row of the portal's in words.
    payments = client.get(reverse("customer_payments", args=[world.manila.pk])).text
    assert f"Money taken back by your provider (#{correction.pk})" in payments
    assert f"Correction of top-up #{topup.pk}" in payments
    assert f"Top-up #{topup.pk}" in payments


def test_only_a_succeeded_topup_of_the_account_can_be_corrected(world, portal_sim, client):
    other = TenantFactory(parent=world.globaltel, server=world.server, vos_account="delhi-soft")
    topup = money.topup(world.scope(), other, "5", key="topup-other" * 3)
    client.force_login(world.reseller)
    url = reverse("money_take_back", args=[world.manila.pk])
    page = client.post(url, {"amount": "1", "key": "e" * 20, "corrects": topup.pk})
    assert page.status_code == 200 and "Only a top-up of this account" in page.text
    foreign = money.topup(world.scope("admin"), world.acme, "5", key="topup-acme" * 3)
    assert client.get(url, {"corrects": foreign.pk}).status_code == 404
    assert not MoneyTransfer.objects.filter(kind="reversal").exists()


# --- Return the balance, then delete -----------------------------------------------------------
@pytest.fixture
def leaving(world, portal_sim):
    """A customer of GlobalTel with money and no phones, on the switch and in the portal."""
    vos_call(
        portal_sim, "CreateCustomer", account="leaving", name="Leaving", agentAccount="globaltel"
    )
    vos_call(portal_sim, "Pay", ownerName="leaving", ownerType=2, money=17.4321, memo="setup")
    return TenantFactory(
        name="Leaving", parent=world.globaltel, server=world.server, vos_account="leaving"
    )


def test_it_returns_the_balance_then_deletes(world, portal_sim, client, leaving):
    assert vos_balance(portal_sim, "leaving") == Decimal("17.4321")
    before = vos_balance(portal_sim, "globaltel")
    client.force_login(world.reseller)
    url = reverse("customer_delete", args=[leaving.pk])
    page = client.get(url).text
    assert "Return the balance to me and delete" in page
    done = client.post(url, {"action": "return_and_delete", "key": "z" * 20})
    assert done.status_code == 302 and done["Location"] == reverse("customer_list")
    leaving.refresh_from_db()
    assert leaving.status == Tenant.Status.GONE
    transfer = MoneyTransfer.objects.get(kind="reversal")
    assert transfer.state == T.SUCCEEDED and transfer.amount == Decimal("17.4321")
    assert vos_balance(portal_sim, "globaltel") == before + Decimal("17.4321")
    accounts = vos_call(portal_sim, "GetAllCustomers")["accounts"]
    assert "leaving" not in accounts


def test_it_does_not_delete_while_the_return_is_in_doubt(
    world, portal_sim, client, leaving, fault_on_leg, settings
):
    fault_on_leg(Leg.CREDIT_FUNDER, "http500")
    client.force_login(world.reseller)
    url = reverse("customer_delete", args=[leaving.pk])
    answer = client.post(url, {"action": "return_and_delete", "key": "y" * 20}, follow=True)
    assert "being confirmed" in answer.text
    leaving.refresh_from_db()
    assert leaving.status == Tenant.Status.ACTIVE
    assert "leaving" in vos_call(portal_sim, "GetAllCustomers")["accounts"]
    transfer = MoneyTransfer.objects.get(kind="reversal")
    assert transfer.state == T.UNKNOWN
    assert vos_balance(portal_sim, "leaving") == 0
    # While the switch has not settled it, the delete waits (a refund may still come).
    page = client.get(url).text
    assert "still being confirmed" in page and "Delete the account" not in page
    assert client.post(url).status_code == 200
    leaving.refresh_from_db()
    assert leaving.status == Tenant.Status.ACTIVE
    # Once it settles, the account can be deleted (its balance is zero now).
    settings.MONEY_RECONCILE_GRACE_SECONDS = 1
    age_unknown_legs()
    assert tasks.reconcile_transfer(transfer.pk) == T.SUCCEEDED
    page = client.get(url).text
    assert "Delete the account" in page
    assert client.post(url).status_code == 302
    leaving.refresh_from_db()
    assert leaving.status == Tenant.Status.GONE


def test_it_returns_nothing_when_something_else_blocks_the_delete(world, portal_sim, client):
    """Manila has phones: the money is not taken for a delete that cannot happen."""
    before = vos_balance(portal_sim, "manila-bpo")
    client.force_login(world.reseller)
    url = reverse("customer_delete", args=[world.manila.pk])
    page = client.get(url).text
    assert "Return the balance to me and delete" not in page
    assert reverse("money_take_back", args=[world.manila.pk]) in page  # says what to do
    client.post(url, {"action": "return_and_delete", "key": "w" * 20})
    assert not MoneyTransfer.objects.exists()
    assert vos_balance(portal_sim, "manila-bpo") == before
    world.manila.refresh_from_db()
    assert world.manila.status == Tenant.Status.ACTIVE


# --- The password again, htmx -------------------------------------------------------------------
def test_it_asks_the_password_again_above_the_threshold(
    world, portal_sim, client, settings, leaving
):
    settings.REAUTH_MONEY_ABOVE = Decimal("10")
    client.force_login(world.reseller)
    url = reverse("money_take_back", args=[world.manila.pk])
    response = client.post(url, {"amount": "50", "key": "reauth-key-00001"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    small = client.post(url, {"amount": "5", "key": "reauth-key-00002"})
    assert small.status_code == 302 and small["Location"].startswith("/ledger/")
    # Returning a balance of 17.4321 before a delete asks too; nothing moves first.
    delete = reverse("customer_delete", args=[leaving.pk])
    response = client.post(delete, {"action": "return_and_delete", "key": "reauth-key-00003"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert MoneyTransfer.objects.filter(customer=leaving).count() == 0
    assert vos_balance(portal_sim, "leaving") == Decimal("17.4321")


def test_it_answers_htmx_with_the_form_alone(world, portal_sim, client):
    client.force_login(world.reseller)
    response = client.post(
        reverse("money_take_back", args=[world.manila.pk]),
        {"amount": "100000", "key": "htmx-take-back-001"},
        headers={"HX-Request": "true"},
    )
    text = response.text.strip()
    assert response.status_code == 200
    assert text.startswith('<form method="post" id="take-back-form"'), text[:200]
    assert "<nav" not in text and "balance-card" not in text


def test_two_corrections_at_once_never_pass_the_cap(world, portal_sim, monkeypatch):
    """Another correction recorded while this one reads the balance: this one moves nothing."""
    from switch import vos

    topup = money.topup(world.scope(), world.manila, "30", key="topup-race" * 3)
    real_call, made = vos.call, []

    def call(scope, server, name, payload, **kwargs):
        if name == "GetCustomer" and not made:
            made.append(None)  # the rival's own reads pass straight through
            made[0] = money.reverse(
                world.scope(), world.manila, "20", key="rival" * 7, corrects=topup
            )
        return real_call(scope, server, name, payload, **kwargs)

    monkeypatch.setattr(vos, "call", call)
    before = vos_balance(portal_sim, "manila-bpo")
    with pytest.raises(money.MoneyRefused, match="came first"):
        money.reverse(world.scope(), world.manila, "15", key="late" * 8, corrects=topup)
    assert made[0].state == T.SUCCEEDED
    late = MoneyTransfer.objects.get(idempotency_key="late" * 8)
    assert late.state == T.FAILED and not late.entries.exists()
    assert vos_balance(portal_sim, "manila-bpo") == before - 20
    assert money.correctable_amount(topup) == Decimal("10.00")
