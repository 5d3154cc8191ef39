"""Webhooks out against the simulator and a real local receiver: a reseller's endpoint
hears of its customer's top-up, signed as README documents; a sibling reseller's hears
nothing; failures are tried again on the schedule, redirects are not followed, and a
delivery can be replayed with the same event id."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Tenant
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from billing.money import services as money
from webhooks import keys, services, signing, tasks
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.django_db


def make_endpoint(tenant, url, events=("transfer.succeeded",), secret="whsec_test-secret"):
    return WebhookEndpoint.objects.create(
        tenant=tenant,
        url=url,
        events=list(events),
        secret_token=keys.encrypt(secret),
        secret_hint=keys.hint(secret),
    )


def verify_as_readme(secret: str, body: bytes, header: str, tolerance: int = 300) -> bool:
    """The README's receiver check, word for word (not the portal's own code)."""
    import hashlib
    import hmac
    import time

    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


class World:
    def __init__(self, server):
        root = Tenant.platform_root()
        self.globaltel = ResellerFactory(
            name="GlobalTel", server=server, vos_account="globaltel", parent=root
        )
        self.manila = TenantFactory(
            name="Manila BPO", parent=self.globaltel, server=server, vos_account="manila-bpo"
        )
        self.sibling = ResellerFactory(
            name="SkyVoice", server=server, vos_account="skyvoice", parent=root
        )
        self.manager = UserFactory(tenant=self.globaltel, role=Role.RESELLER_MANAGER)
        self.admin = AdminFactory()


@pytest.fixture
def world(demo_vos_server):
    return World(demo_vos_server)


def test_it_sends_a_signed_transfer_succeeded_after_a_real_top_up(
    world, receiver, local_delivery, eager_tasks, django_capture_on_commit_callbacks
):
    ours = make_endpoint(world.globaltel, receiver.url, secret="whsec_ours")
    sibling_receiver = Receiver().start()
    try:
        make_endpoint(world.sibling, sibling_receiver.url, secret="whsec_sibling")
        with django_capture_on_commit_callbacks(execute=True):
            transfer = money.topup(Scope(user=world.manager), world.manila, "20.00", key="w" * 32)
        assert transfer.state == "succeeded"
        # The sibling reseller hears nothing of another reseller's customer.
        assert sibling_receiver.received == []
    finally:
        sibling_receiver.stop()
    [sent] = receiver.received
    assert sent.headers["Content-Type"] == "application/json"
    assert verify_as_readme("whsec_ours", sent.body, sent.headers[signing.HEADER])
    assert not verify_as_readme("whsec_sibling", sent.body, sent.headers[signing.HEADER])
    assert signing.verify("whsec_ours", sent.body, sent.headers[signing.HEADER])
    document = json.loads(sent.body)
    assert document["type"] == "transfer.succeeded"
    assert document["id"] == sent.headers[signing.EVENT_ID_HEADER]
    assert document["data"]["transfer_id"] == transfer.pk
    assert document["data"]["amount"] == "20.0000"
    assert document["data"]["account"] == "manila-bpo"
    assert "created" in document
    [row] = WebhookDelivery.objects.filter(endpoint=ours)
    assert (row.status, row.attempts, row.answer_code) == ("succeeded", 1, 200)


def test_it_gives_the_platform_everything_and_alarms_to_the_platform_only(world):
    platform = make_endpoint(
        Tenant.platform_root(), "https://hooks.example.com/p", ("transfer.failed", "alarm.raised")
    )
    reseller = make_endpoint(
        world.globaltel, "https://hooks.example.com/r", ("transfer.failed", "alarm.raised")
    )
    customer = make_endpoint(world.manila, "https://hooks.example.com/c", ("transfer.failed",))
    assert set(services.listeners("transfer.failed", world.manila.path)) == {
        platform,
        reseller,
        customer,
    }
    assert services.listeners("transfer.failed", world.globaltel.path) == [platform, reseller]
    assert services.listeners("transfer.failed", world.sibling.path) == [platform]
    assert services.listeners("alarm.raised", world.manila.path) == [platform]
    reseller.enabled = False
    reseller.save()
    assert reseller not in services.listeners("transfer.failed", world.manila.path)


def test_it_stores_nothing_when_nobody_listens(world):
    assert services.on_announced(None, "transfer.failed", world.manila.path, {}) is None
    assert not WebhookEvent.objects.exists()


def test_it_waits_longer_after_each_failure_for_up_to_a_day():
    minutes = [int(delay.total_seconds() // 60) for delay in services.RETRY_DELAYS]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360]
    assert sum(services.RETRY_DELAYS, timedelta()) <= timedelta(hours=24)
    assert services.retry_delay(len(minutes) + 1) is None


def _announce(world, endpoint):
    _event, [row] = services.on_announced(
        None, "transfer.succeeded", world.manila.path, {"transfer_id": 1}
    )
    assert row.endpoint == endpoint
    return row


def test_it_tries_a_failed_delivery_again_on_the_schedule_then_gives_up(
    world, receiver, local_delivery, eager_tasks
):
    receiver.status = 500
    endpoint = make_endpoint(world.globaltel, receiver.url)
    row = _announce(world, endpoint)
    assert tasks.deliver(row.pk) == "pending"
    row.refresh_from_db()
    assert (row.attempts, row.answer_code, row.problem) == (1, 500, "answer")
    assert row.next_attempt_at - row.last_attempt_at == timedelta(minutes=1)
    # Not due yet: nothing is sent.
    assert tasks.deliver_due() == 0
    assert tasks.deliver(row.pk) == "not due"
    # Due: the sweep sends it again, and the next wait doubles.
    WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert tasks.deliver_due() == 1
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at - row.last_attempt_at == timedelta(minutes=2)
    # The last try of the day fails: it gives up.
    WebhookDelivery.objects.filter(pk=row.pk).update(
        attempts=len(services.RETRY_DELAYS), next_attempt_at=timezone.now()
    )
    assert tasks.deliver(row.pk) == "failed"
    row.refresh_from_db()
    assert row.next_attempt_at is None
    assert len(receiver.received) == 3
    # The same event each time: one id, one body.
    assert len({sent.headers[signing.EVENT_ID_HEADER] for sent in receiver.received}) == 1
    assert len({sent.body for sent in receiver.received}) == 1


def test_it_never_follows_a_redirect(world, receiver, local_delivery):
    elsewhere = Receiver().start()
    try:
        receiver.status, receiver.location = 302, elsewhere.url
        row = _announce(world, make_endpoint(world.globaltel, receiver.url))
        tasks.deliver(row.pk)
        row.refresh_from_db()
        assert (row.status, row.answer_code, row.problem) == ("pending", 302, "redirect")
        assert elsewhere.received == []
        assert len(receiver.received) == 1
    finally:
        elsewhere.stop()


def test_it_replays_a_delivery_with_the_same_event_id(world, receiver, local_delivery):
    endpoint = make_endpoint(world.globaltel, receiver.url)
    first = _announce(world, endpoint)
    tasks.deliver(first.pk)
    again = services.replay(Scope(user=world.manager), first)
    assert again.pk != first.pk and again.replay_of == first and again.event == first.event
    assert tasks.deliver(again.pk) == "succeeded"
    one, two = receiver.received
    assert one.body == two.body
    assert one.headers[signing.EVENT_ID_HEADER] == two.headers[signing.EVENT_ID_HEADER]


def test_it_sends_nothing_to_a_disabled_endpoint(world, receiver, local_delivery):
    endpoint = make_endpoint(world.globaltel, receiver.url)
    row = _announce(world, endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    assert tasks.deliver(row.pk) == "failed"
    row.refresh_from_db()
    assert row.problem == "disabled" and receiver.received == []


def test_it_fails_a_delivery_whose_secret_cannot_be_read(world, receiver, local_delivery):
    endpoint = make_endpoint(world.globaltel, receiver.url)
    row = _announce(world, endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret_token="not-a-fernet-token")
    assert tasks.deliver(row.pk) == "failed"
    row.refresh_from_db()
    assert row.problem == "secret" and receiver.received == []
