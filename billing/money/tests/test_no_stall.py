"""No stall on one lost answer (issue 15): calls in flight on one VOS account need only
differ in amount, so a reseller's Pay whose answer was lost holds up only its top-ups of
that same amount, and those are accepted and wait in the worker (never in the web
request, never refused). Reconciliation matches by amount, so legs of other amounts that
ran alongside never confuse it. Against the simulator over HTTP; VOS's balances and pay
history are the referee."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.browser import sign_in
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from billing.models import LedgerEntry, MoneySettings, MoneyTransfer
from billing.money import services as money
from billing.money import tasks
from switch import vos
from vos3000.simulator import demo

pytestmark = pytest.mark.django_db

Leg = LedgerEntry.Leg
T = MoneyTransfer.State
HTMX = {"HX-Request": "true"}


def vos_call(sim, endpoint, **payload) -> dict:
    answer = requests.post(sim.base_url + endpoint, json=payload, timeout=5).json()
    assert answer["retCode"] == 0, answer
    return answer


def vos_balance(sim, account) -> Decimal:
    info = vos_call(sim, "GetCustomer", accounts=[account])["infoCustomers"][0]
    return Decimal(str(info["money"])).quantize(Decimal("0.01"))


def pay_rows(sim, account) -> list[dict]:
    now = timezone.now()
    return vos_call(
        sim,
        "GetPayHistory",
        account=account,
        beginTime=(now - timedelta(days=2)).strftime("%Y%m%d%H%M%S"),
        endTime=(now + timedelta(days=2)).strftime("%Y%m%d%H%M%S"),
    )["infoPayHistorys"]


def row_time(sim, account, fee: str) -> int:
    [row] = [r for r in pay_rows(sim, account) if Decimal(str(r["fee"])) == Decimal(fee)]
    return row["payTime"]


def pay_requests(sim) -> int:
    return sim.control("stats")["requests"].get("Pay", 0)


ACCOUNTS = ("globaltel", "manila-bpo", "delhi-soft", "lagos-trade")


class World:
    def __init__(self, server, sim):
        self.server = server
        self.sim = sim
        self.globaltel = ResellerFactory(name="GlobalTel", server=server, vos_account="globaltel")
        self.manila, self.delhi, self.lagos = (
            TenantFactory(name=account, parent=self.globaltel, server=server, vos_account=account)
            for account in ACCOUNTS[1:]
        )
        self.reseller = UserFactory(tenant=self.globaltel, role=Role.RESELLER_MANAGER)
        self.customer = UserFactory(tenant=self.manila, role=Role.CUSTOMER_OWNER)
        self.admin = AdminFactory()
        self.before = {account: vos_balance(sim, account) for account in ACCOUNTS}

    def scope(self) -> Scope:
        return Scope(user=self.reseller)

    def top_up(self, customer, amount: str, key: str) -> MoneyTransfer:
        return money.topup(self.scope(), customer, amount, key=f"{key:-<24}")

    def moved(self) -> dict[str, Decimal]:
        """How each account's balance moved on the switch since the world began."""
        return {a: vos_balance(self.sim, a) - self.before[a] for a in ACCOUNTS}


@pytest.fixture
def world(demo_vos_server, portal_sim, settings):
    rules = MoneySettings.current()
    rules.reseller_funded_topups = True
    rules.save()
    # Reconciliation never declares a leg absent unless a test ages it on purpose.
    settings.MONEY_RECONCILE_GRACE_SECONDS = 3600
    yield World(demo_vos_server, portal_sim)
    portal_sim.control("clear_faults")


def lose_next_pay(sim, *, applied: bool) -> None:
    """The next Pay's answer is lost: VOS applied it (or not), then the connection
    closed without an answer."""
    mode = "timeout_after" if applied else "timeout_before"
    sim.control("fault", endpoint="Pay", mode=mode, seconds=0.2, count=1)


@pytest.fixture
def forbid_sleep(monkeypatch):
    """Call it once the lost answer is in (the in-process simulator sleeps for that
    fault): from then on nothing may sleep, so no top-up waits in the request."""

    def forbid():
        def forbidden(seconds):
            raise AssertionError(f"slept {seconds} s: a top-up must never wait in the request")

        monkeypatch.setattr(money.time, "sleep", forbidden)

    return forbid


def age_sent_legs(transfer, seconds: int = 30) -> None:
    transfer.entries.filter(state=LedgerEntry.State.UNKNOWN).update(
        sent_at=timezone.now() - timedelta(seconds=seconds)
    )


def legs(transfer) -> list[tuple]:
    return list(transfer.entries.order_by("seq").values_list("leg", "state"))


# --- Different amounts go through, the same amount waits ---------------------------------
def test_it_lets_another_amount_through_while_a_debit_is_in_doubt(world, portal_sim, forbid_sleep):
    lose_next_pay(portal_sim, applied=True)
    lost = world.top_up(world.manila, "10.00", "lost-debit")
    assert lost.state == T.UNKNOWN
    forbid_sleep()
    assert legs(lost) == [(Leg.DEBIT_FUNDER, "unknown")]

    other = world.top_up(world.delhi, "7.00", "other-amount")
    assert other.state == T.SUCCEEDED  # before any reconciliation ran
    assert legs(other) == [(Leg.DEBIT_FUNDER, "succeeded"), (Leg.CREDIT, "succeeded")]
    assert world.moved() == {
        "globaltel": Decimal("-17.00"),  # the lost debit was applied, and this one
        "manila-bpo": Decimal("0.00"),  # its credit waits for reconciliation
        "delhi-soft": Decimal("7.00"),
        "lagos-trade": Decimal("0.00"),
    }
    lost.refresh_from_db()
    assert lost.state == T.UNKNOWN


def test_it_accepts_a_same_amount_top_up_as_processing_and_completes_it_later(
    world, portal_sim, monkeypatch, forbid_sleep, django_capture_on_commit_callbacks
):
    lose_next_pay(portal_sim, applied=True)
    lost = world.top_up(world.manila, "10.00", "lost-debit")
    assert lost.state == T.UNKNOWN
    pays = pay_requests(portal_sim)
    forbid_sleep()
    sent: list[tuple] = []
    real_apply_async = tasks.advance_transfer.apply_async

    def spy(args=None, kwargs=None, **options):  # records, then sends as it would
        sent.append((tuple(args), options.get("countdown")))
        return real_apply_async(args, kwargs, **options)

    monkeypatch.setattr(tasks.advance_transfer, "apply_async", spy)

    with django_capture_on_commit_callbacks(execute=True):  # as when the request commits
        queued = world.top_up(world.delhi, "10.00", "same-amount")
    # Accepted, not refused; no call made, nothing recorded as a leg yet.
    assert queued.state == T.PENDING and queued.queued_at is not None
    assert not queued.entries.exists()
    assert pay_requests(portal_sim) == pays
    assert sent == [((queued.pk, 1), 1.0)]  # the worker looks again in a second

    # The worker's look while the lost debit is still in doubt: it waits on, and looks
    # again a little later (a growing countdown, never a sleep).
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.advance_transfer(queued.pk, 1) == T.PENDING
    assert sent[-1] == ((queued.pk, 2), 2.0)
    assert not queued.entries.exists()

    # Reconciliation finds the lost debit in the pay history; the lost transfer goes on.
    assert tasks.reconcile_transfer(lost.pk) == T.SUCCEEDED
    assert tasks.advance_transfer(queued.pk, 2) == T.SUCCEEDED
    queued.refresh_from_db()
    assert legs(queued) == [(Leg.DEBIT_FUNDER, "succeeded"), (Leg.CREDIT, "succeeded")]
    assert world.moved() == {
        "globaltel": Decimal("-20.00"),
        "manila-bpo": Decimal("10.00"),
        "delhi-soft": Decimal("10.00"),
        "lagos-trade": Decimal("0.00"),
    }
    # One Pay per leg: nothing doubled.
    assert pay_requests(portal_sim) == pays + 3
    fees = [Decimal(str(r["fee"])) for r in pay_rows(portal_sim, "globaltel")]
    assert fees.count(Decimal("-10")) == 2


def test_it_completes_a_queued_top_up_in_beats_sweep_after_the_lost_leg_proves_absent(
    world, portal_sim, settings
):
    lose_next_pay(portal_sim, applied=False)
    lost = world.top_up(world.manila, "12.00", "lost-not-applied")
    assert lost.state == T.UNKNOWN
    queued = world.top_up(world.lagos, "12.00", "same-amount-queued")
    assert queued.state == T.PENDING

    # The sweep, with no task message ever delivered: still in grace, nothing moves.
    tasks.reconcile_open_transfers()
    queued.refresh_from_db()
    assert queued.state == T.PENDING and not queued.entries.exists()

    settings.MONEY_RECONCILE_GRACE_SECONDS = 5
    age_sent_legs(lost)
    tasks.reconcile_open_transfers()
    lost.refresh_from_db()
    queued.refresh_from_db()
    # The lost debit never reached VOS's books: the first leg, so the transfer failed and
    # nothing moved; the queued one then went through.
    assert lost.state == T.FAILED
    assert legs(lost) == [(Leg.DEBIT_FUNDER, "failed")]
    assert lost.entries.get().proven_absent
    if queued.state == T.PENDING:  # the sweep looked at it before the lost one settled
        tasks.reconcile_open_transfers()
        queued.refresh_from_db()
    assert queued.state == T.SUCCEEDED
    assert world.moved() == {
        "globaltel": Decimal("-12.00"),
        "manila-bpo": Decimal("0.00"),
        "delhi-soft": Decimal("0.00"),
        "lagos-trade": Decimal("12.00"),
    }


def test_it_gives_up_a_top_up_that_waited_too_long_and_pays_nothing(
    world, portal_sim, settings, client
):
    lose_next_pay(portal_sim, applied=True)
    world.top_up(world.manila, "4.00", "lost-blocker")
    queued = world.top_up(world.delhi, "4.00", "waits-too-long")
    assert queued.state == T.PENDING
    settings.MONEY_QUEUE_MAX_WAIT_SECONDS = 60
    MoneyTransfer.objects.filter(pk=queued.pk).update(
        queued_at=timezone.now() - timedelta(seconds=61)
    )
    assert tasks.advance_transfer(queued.pk, 3) == T.FAILED
    assert not queued.entries.exists()
    assert world.moved()["delhi-soft"] == Decimal("0.00")
    client.force_login(world.reseller)
    page = client.get(reverse("money_transfer", args=[queued.pk])).text
    assert "waited too long" in page and "nothing was paid" in page


def test_it_backs_off_with_a_bounded_countdown(settings):
    settings.MONEY_QUEUE_RETRY_MAX_SECONDS = 15
    assert [money.queue_countdown(n) for n in range(7)] == [1, 2, 4, 8, 15, 15, 15]
    assert money.queue_countdown(10_000) == 15


# --- Reconciling legs that ran alongside each other ---------------------------------------
def test_it_settles_two_concurrent_legs_of_different_amounts_one_lost(
    world, portal_sim, monkeypatch, settings
):
    """The 7.00 debit is recorded (and sent) first, but VOS books it after the 10.00 debit
    whose answer is lost: the older leg's row comes after the lost one's. Only legs of
    the same amount order the rows, so the lost leg still finds its own."""
    real_call = vos.call
    inner: dict = {}

    def call(scope, server, endpoint, payload, **kw):
        if endpoint == "Pay" and payload["money"] == -7.0 and not inner:
            # While the 7.00 debit is in flight, another top-up's debit runs and is lost.
            lose_next_pay(portal_sim, applied=True)
            inner["transfer"] = world.top_up(world.delhi, "10.00", "lost-inside")
        return real_call(scope, server, endpoint, payload, **kw)

    monkeypatch.setattr(vos, "call", call)
    answered = world.top_up(world.manila, "7.00", "answered-outside")
    monkeypatch.setattr(vos, "call", real_call)
    lost = inner["transfer"]
    assert answered.state == T.SUCCEEDED
    assert lost.state == T.UNKNOWN
    answered_debit = answered.entries.get(leg=Leg.DEBIT_FUNDER)
    lost_debit = lost.entries.get(leg=Leg.DEBIT_FUNDER)
    assert answered_debit.pk < lost_debit.pk
    assert row_time(portal_sim, "globaltel", "-10") <= row_time(portal_sim, "globaltel", "-7")

    # Past the grace period: a leg not found now would be declared absent.
    settings.MONEY_RECONCILE_GRACE_SECONDS = 5
    age_sent_legs(lost)
    assert tasks.reconcile_transfer(lost.pk) == T.SUCCEEDED
    lost_debit.refresh_from_db()
    answered_debit.refresh_from_db()
    assert lost_debit.state == "succeeded" and lost_debit.settled_by == "reconciliation"
    assert lost_debit.vos_pay_time == row_time(portal_sim, "globaltel", "-10")
    # The answered leg claimed its own row (amount and balance after).
    assert answered_debit.vos_pay_time == row_time(portal_sim, "globaltel", "-7")
    assert world.moved() == {
        "globaltel": Decimal("-17.00"),
        "manila-bpo": Decimal("7.00"),
        "delhi-soft": Decimal("10.00"),
        "lagos-trade": Decimal("0.00"),
    }


@pytest.mark.parametrize("first_applied", [True, False])
def test_it_finds_the_right_leg_when_two_of_different_amounts_are_lost(
    world, portal_sim, settings, first_applied
):
    lose_next_pay(portal_sim, applied=first_applied)
    first = world.top_up(world.manila, "9.00", "first-lost")
    lose_next_pay(portal_sim, applied=not first_applied)
    second = world.top_up(world.delhi, "6.00", "second-lost")  # not held up by the first
    assert (first.state, second.state) == (T.UNKNOWN, T.UNKNOWN)

    settings.MONEY_RECONCILE_GRACE_SECONDS = 5
    age_sent_legs(first)
    age_sent_legs(second)
    # The later one first: the order of the looks does not matter.
    tasks.reconcile_transfer(second.pk)
    tasks.reconcile_transfer(first.pk)
    applied, absent = (first, second) if first_applied else (second, first)
    applied.refresh_from_db()
    absent.refresh_from_db()
    assert applied.state == T.SUCCEEDED
    assert applied.entries.get(leg=Leg.DEBIT_FUNDER).settled_by == "reconciliation"
    assert absent.state == T.FAILED
    assert absent.entries.get().proven_absent
    moved = world.moved()
    assert moved["globaltel"] == -applied.amount
    assert moved[applied.customer.vos_account] == applied.amount
    assert moved[absent.customer.vos_account] == Decimal("0.00")


def test_it_lets_a_lost_leg_and_later_legs_of_its_amount_each_claim_their_own_row(
    world, portal_sim
):
    lose_next_pay(portal_sim, applied=True)
    lost = world.top_up(world.manila, "5.00", "lost-five")
    later = world.top_up(world.delhi, "5.00", "later-five")
    assert later.state == T.PENDING
    assert tasks.reconcile_transfer(lost.pk) == T.SUCCEEDED
    assert tasks.advance_transfer(later.pk, 1) == T.SUCCEEDED
    lost_debit = lost.entries.get(leg=Leg.DEBIT_FUNDER)
    later_debit = later.entries.get(leg=Leg.DEBIT_FUNDER)
    assert lost_debit.created_at <= later_debit.created_at
    # A third look at the reseller's account: the answered later leg claims the other
    # -5 row, never the lost leg's.
    lose_next_pay(portal_sim, applied=True)
    third = world.top_up(world.lagos, "5.00", "third-five")
    assert third.state == T.UNKNOWN
    assert tasks.reconcile_transfer(third.pk) == T.SUCCEEDED
    times = sorted(
        r["payTime"]
        for r in pay_rows(portal_sim, "globaltel")
        if Decimal(str(r["fee"])) == Decimal("-5")
    )
    claimed = [
        LedgerEntry.objects.get(pk=e.pk).vos_pay_time
        for e in (lost_debit, later_debit, third.entries.get(leg=Leg.DEBIT_FUNDER))
    ]
    assert claimed == times
    assert world.moved()["globaltel"] == Decimal("-15.00")


# --- Adjustments and phone cards ---------------------------------------------------------
def test_it_queues_an_adjustment_like_a_top_up(world, portal_sim, forbid_sleep):
    admin = Scope(user=world.admin)
    lose_next_pay(portal_sim, applied=True)

    def adjust(amount, key):
        return money.adjust(
            admin, world.lagos, amount, direction="credit", key=f"{key:-<24}", memo="m"
        )

    lost = adjust("3.00", "adjust-lost")
    assert lost.state == T.UNKNOWN
    forbid_sleep()
    assert adjust("4.00", "adjust-other").state == T.SUCCEEDED
    queued = adjust("3.00", "adjust-same")
    assert queued.state == T.PENDING
    tasks.reconcile_transfer(lost.pk)
    assert tasks.advance_transfer(queued.pk, 1) == T.SUCCEEDED
    assert world.moved()["lagos-trade"] == Decimal("10.00")


def test_it_refuses_a_phone_card_of_an_amount_in_flight_in_words_at_once(
    world, portal_sim, forbid_sleep
):
    admin = Scope(user=world.admin)
    rules = MoneySettings.current()
    rules.reseller_funded_topups = False
    rules.save()
    lose_next_pay(portal_sim, applied=True)
    # The admin's 20.00 credit of manila is in doubt; the card is worth 20.00 too.
    assert money.topup(admin, world.manila, "20.00", key="admin-credit-lost-001").state == (
        T.UNKNOWN
    )
    forbid_sleep()
    pin = demo.PHONE_CARD_PINS[1]
    with pytest.raises(money.MoneyRefused, match="still being processed"):
        money.pin_topup(
            Scope(user=world.customer),
            world.manila,
            pin,
            demo.PHONE_CARD_PASSWORD,
            key="card-while-busy-0001",
        )
    assert not MoneyTransfer.objects.filter(kind=MoneyTransfer.Kind.PIN_TOPUP).exists()
    assert portal_sim.control("stats")["requests"].get("PayByPhoneCard", 0) == 0
    # Once the credit is settled the same card goes through.
    tasks.reconcile_open_transfers()
    card = money.pin_topup(
        Scope(user=world.customer), world.manila, pin, demo.PHONE_CARD_PASSWORD, key="card-later-1"
    )
    assert card.state == T.SUCCEEDED


# --- The page that answers a top-up ---------------------------------------------------------
def test_it_shows_processing_on_the_answer_page_and_updates_it(world, portal_sim, client):
    lose_next_pay(portal_sim, applied=True)
    lost = world.top_up(world.manila, "8.00", "page-lost")
    client.force_login(world.reseller)
    response = client.post(
        reverse("money_topup", args=[world.delhi.pk]),
        {"amount": "8.00", "key": "page-same-amount-00001"},
        follow=True,
    )
    assert response.status_code == 200
    queued = MoneyTransfer.objects.get(idempotency_key="page-same-amount-00001")
    assert queued.state == T.PENDING
    status_url = reverse("money_transfer_status", args=[queued.pk])
    assert "Processing…" in response.text
    assert f'hx-get="{status_url}"' in response.text and 'hx-trigger="every 2s"' in response.text
    # Without JavaScript: a link that shows where it stands.
    assert f'href="{reverse("money_transfer", args=[queued.pk])}"' in response.text

    fragment = client.get(status_url, headers=HTMX)
    assert fragment.status_code == 200
    text = fragment.text.strip()
    assert text.startswith('<section id="transfer-status"'), text[:100]
    assert "<html" not in text and "<nav" not in text and "<h1" not in text
    assert 'hx-trigger="every 2s"' in text and "Processing…" in text

    tasks.reconcile_transfer(lost.pk)
    tasks.advance_transfer(queued.pk, 1)
    final = client.get(status_url, headers=HTMX).text
    assert 'data-state="succeeded"' in final
    assert "hx-trigger" not in final  # final: the polling stops
    # Opened without htmx, the status URL is the whole transfer page.
    page = client.get(status_url)
    assert page.status_code == 200 and "<html" in page.text


def test_it_scopes_the_status_url(world, portal_sim, client, demo_vos_server):
    transfer = world.top_up(world.manila, "2.00", "scoped-status")
    url = reverse("money_transfer_status", args=[transfer.pk])
    client.force_login(world.customer)  # the customer's own transfer
    assert client.get(url, headers=HTMX).status_code == 200
    delhi_user = UserFactory(tenant=world.delhi, role=Role.CUSTOMER_OWNER)
    client.force_login(delhi_user)
    assert client.get(url, headers=HTMX).status_code == 404
    skyvoice = ResellerFactory(server=demo_vos_server, vos_account="skyvoice")
    client.force_login(UserFactory(tenant=skyvoice, role=Role.RESELLER_MANAGER))
    assert client.get(url, headers=HTMX).status_code == 404
    assert client.get(url).status_code == 404


# --- In a real worker ----------------------------------------------------------------------------
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_completes_a_queued_top_up_in_the_worker_by_itself(
    demo_vos_server, portal_sim, celery_worker_process, monkeypatch
):
    """Submitted while a call of the same amount is in flight on the account: accepted as
    processing; the worker reconciles the lost answer and then makes the waiting top-up,
    with nobody asking."""
    acme = TenantFactory(server=demo_vos_server, vos_account="acme")
    admin = Scope(user=AdminFactory())
    before = vos_balance(portal_sim, "acme")
    real_call = vos.call
    inner: dict = {}

    def call(scope, server, endpoint, payload, **kw):
        if endpoint == "Pay" and not inner:
            # While the first top-up's Pay is in flight, the same amount is asked for.
            inner["queued"] = money.topup(admin, acme, "2.50", key="worker-queued-key-001")
            lose_next_pay(portal_sim, applied=True)
        return real_call(scope, server, endpoint, payload, **kw)

    monkeypatch.setattr(vos, "call", call)
    try:
        lost = money.topup(admin, acme, "2.50", key="worker-lost-key-00001")
    finally:
        portal_sim.control("clear_faults")
    monkeypatch.setattr(vos, "call", real_call)
    queued = inner["queued"]
    assert lost.state == T.UNKNOWN
    assert queued.state == T.PENDING and not queued.entries.exists()

    deadline = timezone.now() + timedelta(seconds=60)
    while timezone.now() < deadline:
        queued.refresh_from_db()
        lost.refresh_from_db()
        if queued.state != T.PENDING and lost.state != T.UNKNOWN:
            break
        time.sleep(0.2)
    assert (lost.state, queued.state) == (T.SUCCEEDED, T.SUCCEEDED)
    assert lost.entries.get().settled_by == "reconciliation"
    assert queued.entries.get().settled_by == "answer"
    assert vos_balance(portal_sim, "acme") == before + Decimal("5.00")


# --- In a browser ---------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_turns_the_transfer_page_from_processing_to_done_by_itself(
    page, demo_vos_server, portal_sim
):
    globaltel = ResellerFactory(name="GlobalTel", server=demo_vos_server, vos_account="globaltel")
    manila, delhi = (
        TenantFactory(name=account, parent=globaltel, server=demo_vos_server, vos_account=account)
        for account in ("manila-bpo", "delhi-soft")
    )
    reseller = UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER)
    lose_next_pay(portal_sim, applied=True)
    lost = money.topup(Scope(user=reseller), manila, "11.00", key="browser-lost-key-0001")
    assert lost.state == T.UNKNOWN

    sign_in(page, reseller.email, totp=True)
    page.goto(f"/customers/{delhi.pk}/top-up/")
    page.fill("input[name=amount]", "11.00")
    page.click("main form button[type=submit]")
    status = page.locator("#transfer-status [data-state]").first
    expect(status).to_have_attribute("data-state", "pending")
    expect(status).to_have_text("Processing…")
    url = page.url

    queued = MoneyTransfer.objects.get(customer=delhi)
    tasks.reconcile_transfer(lost.pk)
    tasks.advance_transfer(queued.pk, 1)
    # The page asks for its status every 2 s: it shows the end without a reload.
    expect(status).to_have_attribute("data-state", "succeeded", timeout=10_000)
    assert page.url == url
    expect(page.locator("tr[data-leg=credit] [data-state]")).to_have_text("Succeeded")
