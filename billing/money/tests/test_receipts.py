"""Receipts for every successful top-up, against the simulator over HTTP: one email per
person of the credited account (in their language and time zone), never a second one;
a printable page its account, the providers above it and admins see, and nobody else;
no VOS address, no key and no full PIN on either."""

from __future__ import annotations

import re
import zoneinfo
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from billing.models import MoneyTransfer
from billing.money import receipts, tasks
from billing.money import services as money
from vos3000.simulator import demo

pytestmark = pytest.mark.django_db

PORTAL = "https://portal.example.com"


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
def world(demo_vos_server, settings):
    settings.ALERTS_PORTAL_URL = PORTAL
    return World(demo_vos_server)


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks, eager_tasks):
    """Run what the code enqueues after its commit, in this thread (as a worker would)."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def html_of(message) -> str:
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    return html


def secrets_left(text: str, world, pin: str = "") -> list[str]:
    """The VOS server's address (and a full PIN) where a reader could see them."""
    base = world.server.base_url
    host = base.split("//", 1)[1].split("/", 1)[0]
    found = [bit for bit in (base, host) if bit in text]
    if pin and pin in text:
        found.append("the PIN")
    return found


# --- Email ------------------------------------------------------------------------------------
def test_it_emails_one_receipt_for_a_top_up_and_a_rerun_sends_none(world, run_tasks):
    transfer = run_tasks(
        lambda: money.topup(world.scope("reseller"), world.manila, "20.00", key="rcpt-topup-0001")
    )
    assert transfer.state == MoneyTransfer.State.SUCCEEDED
    assert len(mail.outbox) == 1
    [message] = mail.outbox
    number = receipts.receipt_number(transfer)
    assert number == f"R-{transfer.created_at.year}-{transfer.pk:06d}"
    assert message.to == [world.customer.email]  # the account's people, not the reseller
    assert message.subject == f"Receipt {number} — top-up of 20.00"
    url = f"{PORTAL}/ledger/{transfer.pk}/receipt/"
    credit = transfer.entries.get(leg="credit")
    for body in (message.body, html_of(message)):
        assert number in body and url in body
        assert "Top-up by your provider" in body and "GlobalTel" in body
        assert f"{credit.balance_after.quantize(Decimal('0.01')):,}" in body  # VOS's word
        assert secrets_left(body, world) == []
        assert transfer.idempotency_key not in body and credit.key not in body
    transfer.refresh_from_db()
    assert transfer.receipt_sent_at is not None
    assert AuditEvent.objects.filter(action="money.receipt.sent").count() == 1
    # Again (a task redelivered, the sweep racing it): nothing more.
    assert tasks.send_receipt(transfer.pk) == 0
    assert tasks.send_missed_receipts() == 0
    assert len(mail.outbox) == 1


def test_it_emails_a_receipt_for_a_phone_card_top_up_without_the_pin(world, run_tasks):
    pin = demo.PHONE_CARD_PINS[0]
    transfer = run_tasks(
        lambda: money.pin_topup(
            world.scope("customer"), world.manila, pin, demo.PHONE_CARD_PASSWORD, key="rcpt-pin-01"
        )
    )
    assert transfer.state == MoneyTransfer.State.SUCCEEDED
    [message] = mail.outbox
    for body in (message.subject, message.body, html_of(message)):
        assert secrets_left(body, world, pin) == []
    assert "Phone card" in message.body and transfer.card_hint in message.body
    assert pin[-4:] in transfer.card_hint


def test_it_emails_each_person_of_the_account_and_no_one_else(world, run_tasks):
    viewer = UserFactory(tenant=world.manila, role=Role.CUSTOMER_VIEWER)
    UserFactory(tenant=world.manila, role=Role.CUSTOMER_VIEWER, is_active=False)
    run_tasks(lambda: money.topup(world.scope("admin"), world.manila, "3", key="rcpt-two-0001"))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.customer.email, viewer.email])


def test_it_sends_a_receipt_once_reconciliation_confirms_a_lost_answer(
    world, run_tasks, portal_sim
):
    portal_sim.control("fault", endpoint="Pay", mode="timeout_after", seconds=0.2)
    transfer = money.topup(world.scope("admin"), world.manila, "7.25", key="rcpt-lost-0001")
    assert transfer.state == MoneyTransfer.State.UNKNOWN and mail.outbox == []
    assert run_tasks(lambda: tasks.reconcile_transfer(transfer.pk)) == "succeeded"
    [message] = mail.outbox
    assert receipts.receipt_number(transfer) in message.subject


def test_it_sends_no_receipt_for_a_failed_transfer_or_an_adjustment(world, run_tasks):
    adjustment = run_tasks(
        lambda: money.adjust(
            world.scope("admin"), world.manila, "5", direction="credit", key="rcpt-adj-01", memo="x"
        )
    )
    assert adjustment.state == MoneyTransfer.State.SUCCEEDED
    world.server.base_url = "http://127.0.0.1:9/external/server/"  # nothing listens
    world.server.save()
    failed = run_tasks(lambda: money.topup(world.scope("admin"), world.manila, "5", key="rcpt-f1"))
    assert failed.state == MoneyTransfer.State.FAILED
    assert mail.outbox == []
    assert tasks.send_receipt(adjustment.pk) == tasks.send_receipt(failed.pk) == 0
    assert tasks.send_missed_receipts() == 0 and mail.outbox == []


def test_it_writes_the_receipt_in_each_readers_language_and_time_zone(world, run_tasks):
    world.customer.language = "zh-hans"
    world.customer.time_zone = "Asia/Shanghai"
    world.customer.save()
    pin = demo.PHONE_CARD_PINS[1]
    transfer = run_tasks(
        lambda: money.pin_topup(
            world.scope("customer"), world.manila, pin, demo.PHONE_CARD_PASSWORD, key="rcpt-zh-1"
        )
    )
    [message] = mail.outbox
    assert message.extra_headers["Content-Language"] == "zh-hans"
    assert message.message()["Content-Language"] == "zh-hans"
    # Words the catalog already translates ("Phone card", "Amount").
    assert "电话卡" in message.body and "金额" in message.body
    shanghai = timezone.localtime(transfer.settled_at, zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert f"{date_format(shanghai, 'Y-m-d H:i')} CST" in message.body
    assert secrets_left(message.body + html_of(message), world, pin) == []


def test_it_sweeps_up_a_receipt_whose_task_was_lost(world):
    # Enqueued after a commit that a test transaction never makes: the task is "lost".
    transfer = money.topup(world.scope("admin"), world.manila, "2", key="rcpt-sweep-01")
    old = money.topup(world.scope("admin"), world.manila, "3", key="rcpt-sweep-02")
    assert mail.outbox == []
    now = timezone.now()
    MoneyTransfer.objects.filter(pk=transfer.pk).update(settled_at=now - timedelta(minutes=10))
    MoneyTransfer.objects.filter(pk=old.pk).update(settled_at=now - timedelta(days=3))
    assert tasks.send_missed_receipts() == 1
    [message] = mail.outbox
    assert receipts.receipt_number(transfer) in message.subject
    assert tasks.send_missed_receipts() == 0 and len(mail.outbox) == 1


class BrokenMailServer(BaseEmailBackend):
    """An SMTP server that is down (configured as EMAIL_BACKEND, as any backend is)."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


def test_it_tries_again_later_when_the_mail_server_is_down(world, settings):
    transfer = money.topup(world.scope("admin"), world.manila, "4", key="rcpt-down-01")
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    with pytest.raises(ConnectionRefusedError):
        tasks.send_receipt(transfer.pk)
    transfer.refresh_from_db()
    assert transfer.receipt_sent_at is None  # not claimed: not sent
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    MoneyTransfer.objects.filter(pk=transfer.pk).update(
        settled_at=timezone.now() - timedelta(minutes=5)
    )
    assert tasks.send_missed_receipts() == 1 and len(mail.outbox) == 1


# --- The printable page -----------------------------------------------------------------------
@pytest.fixture
def topped_up(world):
    return money.topup(world.scope("reseller"), world.manila, "12.50", key="rcpt-page-0001")


def test_it_shows_the_receipt_to_its_account_its_reseller_and_admins(world, client, topped_up):
    url = reverse("money_receipt", args=[topped_up.pk])
    assert url == f"/ledger/{topped_up.pk}/receipt/"
    number = receipts.receipt_number(topped_up)
    for user in (world.customer, world.reseller, world.admin):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        text = response.text
        assert number in text and "12.50" in text and "Manila BPO" in text
        # The print button is the script's (it shows it): none that does nothing without.
        assert '<button type="button" data-print hidden>' in text and "js/print.js" in text
        assert secrets_left(text, world) == []
        assert topped_up.idempotency_key not in text
    assert client.post(url).status_code == 405


def test_it_hides_the_receipt_from_everyone_else(world, client, topped_up):
    url = reverse("money_receipt", args=[topped_up.pk])
    other_reseller = ResellerFactory(name="OtherTel", server=world.server, vos_account="othertel")
    cebu = TenantFactory(name="Cebu", parent=world.globaltel, server=world.server, vos_account="c")
    strangers = [
        UserFactory(tenant=world.acme, role=Role.CUSTOMER_OWNER),  # another customer
        UserFactory(tenant=cebu, role=Role.CUSTOMER_OWNER),  # same reseller, other account
        UserFactory(tenant=other_reseller, role=Role.RESELLER_MANAGER),
    ]
    for user in strangers:
        client.force_login(user)
        assert client.get(url).status_code == 404, user
        assert client.post(url).status_code == 404, user


def test_it_has_no_receipt_page_for_what_is_not_a_successful_top_up(world, client):
    adjustment = money.adjust(
        world.scope("admin"), world.manila, "5", direction="debit", key="rcpt-adj-02", memo="x"
    )
    world.server.base_url = "http://127.0.0.1:9/external/server/"
    world.server.save()
    failed = money.topup(world.scope("admin"), world.manila, "5", key="rcpt-f2")
    client.force_login(world.admin)
    for transfer in (adjustment, failed):
        assert client.get(reverse("money_receipt", args=[transfer.pk])).status_code == 404
        assert "data-receipt" not in client.get(reverse("money_transfer", args=[transfer.pk])).text


def test_it_shows_a_phone_card_receipt_with_the_card_masked(world, client):
    pin = demo.PHONE_CARD_PINS[2]
    transfer = money.pin_topup(
        world.scope("customer"), world.manila, pin, demo.PHONE_CARD_PASSWORD, key="rcpt-pin-02"
    )
    client.force_login(world.customer)
    text = client.get(reverse("money_receipt", args=[transfer.pk])).text
    assert "Phone card" in text and transfer.card_hint in text
    assert secrets_left(text, world, pin) == []


def test_it_links_the_receipt_from_the_transfer_and_the_accounts_list(world, client, topped_up):
    url = reverse("money_receipt", args=[topped_up.pk])
    client.force_login(world.customer)
    assert url in client.get(reverse("money_transfer", args=[topped_up.pk])).text
    assert url in client.get(reverse("money_account", args=[world.manila.pk])).text
    client.force_login(world.reseller)
    assert url in client.get(reverse("money_ledger")).text
    assert url in client.get(reverse("dashboard")).text  # its recent top-ups


def test_it_says_the_new_balance_is_unknown_when_the_switch_did_not_say(world, client):
    # Settled by an admin from the switch's own records: no answer stated a balance.
    transfer = MoneyTransfer.objects.create(
        idempotency_key="rcpt-no-balance-01",
        kind="card_topup",
        state=MoneyTransfer.State.SUCCEEDED,
        server=world.server,
        customer=world.manila,
        amount=Decimal("9.00"),
        requested_by=world.customer,
        payer_tenant=world.manila,
        tenant_path=world.manila.path,
        settled_at=timezone.now(),
    )
    assert receipts.receipt_for(transfer).balance_after is None
    client.force_login(world.customer)
    text = client.get(reverse("money_receipt", args=[transfer.pk])).text
    assert "Card payment" in text
    assert re.search(r"data-balance-after>\s*<span class=\"unknown\"", text)
    assert tasks.send_receipt(transfer.pk) == 1
    assert "Balance after: —" in mail.outbox[0].body
