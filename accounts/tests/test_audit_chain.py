import pytest

from accounts import audit
from accounts.models import AuditEvent
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_chains_each_row_to_the_previous_one():
    first = audit.record("test.first", actor=UserFactory())
    second = audit.record("test.second", actor=UserFactory())
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.row_hash
    stored = AuditEvent.objects.get(pk=second.pk)
    assert audit.chain_hash(stored.prev_hash, stored) == stored.row_hash


def test_it_redacts_secrets_at_any_depth():
    event = audit.record(
        "vos.CreatePhone",
        actor=UserFactory(),
        payload={"e164": "100", "password": "s3cret", "info": {"pin": "1234", "areaCode": "44"}},
        before={"customerPassword": "x"},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.payload == {
        "e164": "100",
        "password": audit.REDACTED,
        "info": {"pin": audit.REDACTED, "areaCode": "44"},
    }
    assert stored.before == {"customerPassword": audit.REDACTED}


def test_it_records_both_identities_under_view_as():
    admin, customer = AdminFactory(), UserFactory()
    event = audit.record("test.view_as", scope=Scope(user=customer, acting_user=admin))
    assert event.actor == admin and event.on_behalf_of == customer
    assert event.actor_email == admin.email and event.on_behalf_of_email == customer.email


def test_it_records_the_request_context(client):
    user = UserFactory()
    client.force_login(user)
    client.post(
        "/preferences/",
        {"full_name": "New", "language": "en", "time_zone": "UTC"},
        HTTP_USER_AGENT="pytest-agent",
        HTTP_X_REQUEST_ID="req-12345678",
    )
    event = AuditEvent.objects.get(action="user.preferences")
    assert (event.ip, event.user_agent, event.request_id) == (
        "127.0.0.1",
        "pytest-agent",
        "req-12345678",
    )
    assert event.before["full_name"] != "New" and event.after["full_name"] == "New"
