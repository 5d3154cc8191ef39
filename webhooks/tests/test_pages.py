"""The webhook pages (Settings > Webhooks): add an endpoint (its secret shown once and
stored encrypted), change its events, disable it, send a test event, replay a delivery,
replace the secret, delete it; each audited. Viewers read; foreign endpoints are 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Tenant
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from webhooks import keys
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.tests.test_delivery import make_endpoint

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/portal"


@pytest.fixture
def reseller():
    return ResellerFactory(parent=Tenant.platform_root())


@pytest.fixture
def manager(client, reseller):
    user = UserFactory(tenant=reseller, role=Role.RESELLER_MANAGER)
    client.force_login(user)
    return user


def _actions():
    return list(
        AuditEvent.objects.filter(action__startswith="webhooks.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_it_adds_an_endpoint_and_shows_its_secret_once(client, manager, reseller):
    answer = client.post(
        reverse("webhook_create"),
        {"url": URL, "description": "CRM", "events": ["transfer.succeeded", "balance.low"]},
    )
    assert answer.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    secret = answer.context["secret"]
    assert secret.startswith("whsec_") and secret in answer.text
    assert endpoint.tenant == reseller and endpoint.created_by == manager
    assert endpoint.events == ["transfer.succeeded", "balance.low"]
    assert secret not in endpoint.secret_token and keys.decrypt(endpoint.secret_token) == secret
    page = client.get(reverse("webhook_detail", args=[endpoint.pk])).text
    assert secret not in page and f"…{secret[-4:]}" in page
    assert _actions() == ["webhooks.endpoint.created"]
    trail = AuditEvent.objects.get(action="webhooks.endpoint.created")
    assert secret not in str(trail.after) and trail.after["url"] == URL


@pytest.mark.parametrize(
    "url",
    ["http://hooks.example.com/x", "https://u:p@hooks.example.com/", "https://10.0.0.1/x", "x"],
)
def test_it_refuses_an_address_it_would_not_send_to(client, manager, url):
    answer = client.post(reverse("webhook_create"), {"url": url, "events": ["balance.low"]})
    assert answer.status_code == 200 and answer.context["form"].errors["url"]
    assert not WebhookEndpoint.objects.exists()


def test_it_offers_alarms_to_the_platform_only(client, manager):
    answer = client.post(reverse("webhook_create"), {"url": URL, "events": ["alarm.raised"]})
    assert answer.context["form"].errors["events"]
    assert 'value="alarm.raised"' not in client.get(reverse("webhook_create")).text
    client.force_login(AdminFactory())
    assert 'value="alarm.raised"' in client.get(reverse("webhook_create")).text


def test_it_changes_the_events_and_disables(client, manager, reseller):
    endpoint = make_endpoint(reseller, URL)
    answer = client.post(
        reverse("webhook_detail", args=[endpoint.pk]),
        {"url": URL, "description": "", "events": ["customer.created"], "enabled": ""},
    )
    assert answer.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["customer.created"] and not endpoint.enabled
    trail = AuditEvent.objects.get(action="webhooks.endpoint.changed")
    assert trail.before["enabled"] is True and trail.after["enabled"] is False


def test_it_sends_a_test_event_and_replays_from_the_log(client, manager, reseller):
    endpoint = make_endpoint(reseller, URL)
    assert client.post(reverse("webhook_test", args=[endpoint.pk])).status_code == 302
    [first] = WebhookDelivery.objects.all()
    assert first.event.type == "webhook.test" and first.status == "pending"
    page = client.get(reverse("webhook_detail", args=[endpoint.pk])).text
    assert reverse("webhook_replay", args=[first.pk]) in page and "webhook.test" in page
    assert client.post(reverse("webhook_replay", args=[first.pk])).status_code == 302
    again = WebhookDelivery.objects.exclude(pk=first.pk).get()
    assert again.event == first.event and again.replay_of == first
    assert _actions() == ["webhooks.endpoint.tested", "webhooks.delivery.replayed"]


def test_it_replaces_the_secret_and_deletes(client, manager, reseller):
    endpoint = make_endpoint(reseller, URL)
    answer = client.post(reverse("webhook_secret", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert keys.decrypt(endpoint.secret_token) == answer.context["secret"] != "whsec_test-secret"
    assert client.post(reverse("webhook_delete", args=[endpoint.pk])).status_code == 302
    assert not WebhookEndpoint.objects.exists()
    assert _actions() == ["webhooks.endpoint.secret_replaced", "webhooks.endpoint.deleted"]


def test_it_keeps_other_resellers_endpoints_out_of_reach(client, manager, reseller):
    other = make_endpoint(ResellerFactory(parent=Tenant.platform_root()), URL + "/other")
    below = make_endpoint(TenantFactory(parent=reseller), URL + "/below")
    listing = client.get(reverse("webhook_list")).text
    assert below.url in listing and other.url not in listing
    assert client.get(reverse("webhook_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("webhook_delete", args=[other.pk])).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=other.pk).exists()


def test_it_lets_viewers_read_but_not_change(client, reseller):
    customer = TenantFactory(parent=reseller)
    endpoint = make_endpoint(customer, URL)
    client.force_login(UserFactory(tenant=customer, role=Role.CUSTOMER_VIEWER))
    assert client.get(reverse("webhook_list")).status_code == 200
    page = client.get(reverse("webhook_detail", args=[endpoint.pk]))
    assert page.status_code == 200 and page.context["form"] is None
    assert client.get(reverse("webhook_create")).status_code == 302
    assert client.post(reverse("webhook_delete", args=[endpoint.pk])).status_code == 404
    assert client.post(reverse("webhook_test", args=[endpoint.pk])).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
