"""Deliveries cannot be pointed inside: private, loopback, link-local (cloud metadata),
IPv6 loopback and names that resolve there are refused before any connection, unless the
platform allows private addresses; the request goes to the address that was checked."""

from __future__ import annotations

import socket

import pytest
from django.utils import timezone

from accounts.tests.factories import ResellerFactory
from webhooks import delivery, services, tasks
from webhooks.models import WebhookDelivery
from webhooks.tests.test_delivery import make_endpoint

REFUSED = [
    "https://127.0.0.1/hook",
    "https://10.1.2.3/hook",
    "https://192.168.0.10:8443/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://100.64.0.1/hook",
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://localhost/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_it_refuses_addresses_that_are_not_public(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(delivery.Refused) as refused:
        delivery.target_of(url)
    assert refused.value.problem == "refused_address"
    assert delivery.literal_private(url)


def _resolving_to(monkeypatch, *addresses):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(delivery.socket, "getaddrinfo", getaddrinfo)


def test_it_refuses_a_name_when_any_of_its_addresses_is_private(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    _resolving_to(monkeypatch, "93.184.216.34", "10.0.0.7")
    with pytest.raises(delivery.Refused):
        delivery.target_of("https://hooks.example.com/x")


def test_it_sends_to_the_address_it_checked_with_the_name_for_tls(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    _resolving_to(monkeypatch, "93.184.216.34")
    target = delivery.target_of("https://hooks.example.com/in?x=1")
    assert target.url == "https://93.184.216.34:443/in?x=1"
    assert (target.host, target.host_header) == ("hooks.example.com", "hooks.example.com")
    target = delivery.target_of("https://hooks.example.com:8443/in")
    assert target.host_header == "hooks.example.com:8443"


def test_it_refuses_plain_http_and_credentials_in_the_address(settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    assert delivery.url_problem("http://hooks.example.com/x") == "bad_address"
    assert delivery.url_problem("https://user:pw@hooks.example.com/x") == "bad_address"
    assert delivery.url_problem("ftp://hooks.example.com/x") == "bad_address"
    assert delivery.url_problem("https://hooks.example.com/x") is None


@pytest.mark.django_db
def test_it_records_a_refusal_and_the_receiver_hears_nothing(settings, receiver):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    reseller = ResellerFactory()
    endpoint = make_endpoint(reseller, receiver.url)
    _event, [row] = services.on_announced(None, "transfer.succeeded", reseller.path, {})
    assert tasks.deliver(row.pk) == "pending"  # tried again later: DNS may change
    row.refresh_from_db()
    assert (row.problem, row.problem_detail, row.answer_code) == (
        "refused_address",
        "127.0.0.1",
        None,
    )
    assert receiver.received == []
    # The same receiver is reached once the platform allows private addresses.
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert tasks.deliver(row.pk) == "succeeded"
    assert len(receiver.received) == 1 and row.endpoint == endpoint
