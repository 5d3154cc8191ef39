"""Fixtures of the card payment tests: a platform and a reseller payment account on the
offline test provider, against the simulator's demo platform."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
import requests
from django.urls import reverse

from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from billing.models import CardPayment, OfflineCheckoutSession, PaymentAccount
from billing.payments import keys
from billing.payments.providers import offline

SECRET_KEY = "sk_test_platform_0123456789"
WEBHOOK_SECRET = "whsec_platform_abcdefghij"
RESELLER_SECRET_KEY = "sk_test_reseller_9876543210"
RESELLER_WEBHOOK_SECRET = "whsec_reseller_zyxwvutsrq"


def vos_call(sim, endpoint, **payload) -> dict:
    answer = requests.post(sim.base_url + endpoint, json=payload, timeout=5).json()
    assert answer["retCode"] == 0, answer
    return answer


def vos_balance(sim, account) -> Decimal:
    info = vos_call(sim, "GetCustomer", accounts=[account])["infoCustomers"][0]
    return Decimal(str(info["money"]))


def pay_requests(sim) -> int:
    return sim.control("stats")["requests"].get("Pay", 0)


def make_account(owner, acts_as, *, secret=SECRET_KEY, webhook_secret=WEBHOOK_SECRET, **extra):
    fields = {
        "kind": "offline",
        "currency": "usd",
        "min_amount": Decimal("5.00"),
        "max_amount": Decimal("500.00"),
        "enabled": True,
    } | extra
    return PaymentAccount.objects.create(
        owner=owner,
        secret_key_token=keys.encrypt(secret),
        webhook_secret_token=keys.encrypt(webhook_secret),
        acts_as=acts_as,
        tenant_path=owner.path,
        **fields,
    )


def signed_post(client, account, body: bytes, secret: str, *, stamp=None):
    return client.post(
        reverse("payments_webhook", args=[account.pk]),
        data=body,
        content_type="application/json",
        HTTP_PORTAL_SIGNATURE=offline.sign(body, secret, stamp),
    )


def event(session, event_type="payment.succeeded", **data) -> bytes:
    body = json.loads(offline.event_body(session, event_type))
    body["data"].update(data)
    return json.dumps(body).encode()


class World:
    def __init__(self, server):
        self.server = server
        self.root = Tenant.platform_root()
        self.globaltel = ResellerFactory(name="GlobalTel", server=server, vos_account="globaltel")
        self.manila = TenantFactory(
            name="Manila BPO", parent=self.globaltel, server=server, vos_account="manila-bpo"
        )
        self.acme = TenantFactory(name="Acme", server=server, vos_account="acme")
        self.admin = AdminFactory()
        self.reseller = UserFactory(tenant=self.globaltel, role=Role.RESELLER_MANAGER)
        self.manila_owner = UserFactory(tenant=self.manila, role=Role.CUSTOMER_OWNER)
        self.acme_owner = UserFactory(tenant=self.acme, role=Role.CUSTOMER_OWNER)
        self.platform_account = make_account(self.root, self.admin)

    def reseller_account(self, **extra):
        return make_account(
            self.globaltel,
            self.reseller,
            secret=RESELLER_SECRET_KEY,
            webhook_secret=RESELLER_WEBHOOK_SECRET,
            **extra,
        )


@pytest.fixture
def world(demo_vos_server):
    return World(demo_vos_server)


def start_payment(client, user, amount="20.00") -> tuple[CardPayment, OfflineCheckoutSession]:
    """The customer's pages: the amount, the total, then off to the checkout."""
    client.force_login(user)
    shown = client.post(reverse("payments_pay"), {"amount": amount})
    assert shown.status_code == 200 and "data-total" in shown.text
    answer = client.post(reverse("payments_pay"), {"amount": amount, "confirm": "1"})
    assert answer.status_code == 302, answer.status_code
    session_id = answer["Location"].rstrip("/").rsplit("/", 1)[-1]
    session = OfflineCheckoutSession.objects.get(session_id=session_id)
    payment = CardPayment.objects.get(reference=session.reference)
    return payment, session


def now() -> int:
    return int(time.time())
