"""The API against the simulator over HTTP: keys and their checks, problem details,
customers, phones, balances and idempotent money."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from api.models import ApiKey
from api.tests.helpers import bearer, make_key
from billing.models import FeeRateGroupGrant, MoneyTransfer

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


class World:
    def __init__(self, server):
        self.server = server
        self.globaltel = ResellerFactory(name="GlobalTel", server=server, vos_account="globaltel")
        self.manila = TenantFactory(
            name="Manila BPO", parent=self.globaltel, server=server, vos_account="manila-bpo"
        )
        self.delhi = TenantFactory(
            name="Delhi", parent=self.globaltel, server=server, vos_account="delhi-soft"
        )
        self.acme = TenantFactory(name="Acme", server=server, vos_account="acme")
        self.reseller = UserFactory(tenant=self.globaltel, role=Role.RESELLER_MANAGER)
        self.customer = UserFactory(tenant=self.manila, role=Role.CUSTOMER_OWNER)
        self.admin = AdminFactory()
        FeeRateGroupGrant.objects.create(tenant=self.globaltel, group="Retail-Premium")


@pytest.fixture
def world(demo_vos_server):
    return World(demo_vos_server)


@pytest.fixture
def reseller_token(world):
    return make_key(world.reseller)[1]


def test_it_serves_openapi_3_1_without_a_key(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/customers" in document["paths"]
    assert "bearer" in str(document["components"]["securitySchemes"]).lower()


def test_it_serves_the_documentation_page_from_its_own_files(client):
    answer = client.get("/api/v1/docs/")
    assert answer.status_code == 200
    body = answer.text
    assert "vendor/swagger-ui-5.36.0/swagger-ui-bundle.js" in body
    assert "js/api-docs.js" in body
    assert "<script>" not in body and "style=" not in body
    assert "unsafe-inline" not in answer["Content-Security-Policy"]


def test_it_answers_problem_details_without_a_key(client, world):
    answer = client.get("/api/v1/customers")
    assert answer.status_code == 401
    assert answer["Content-Type"] == PROBLEM
    assert answer.json()["status"] == 401 and answer.json()["title"]
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_unknown_revoked_and_expired_keys(client, world):
    key, token = make_key(world.reseller)
    assert client.get("/api/v1/customers", **bearer(token + "x")).status_code == 401
    assert client.get("/api/v1/customers", **bearer(token)).status_code == 200
    key.expires_at = timezone.now() - timedelta(seconds=1)
    key.save()
    answer = client.get("/api/v1/customers", **bearer(token))
    assert answer.status_code == 401 and answer.json()["code"] == "key_expired"
    key.expires_at = None
    key.revoked_at = timezone.now()
    key.save()
    answer = client.get("/api/v1/customers", **bearer(token))
    assert answer.status_code == 401 and answer.json()["code"] == "key_revoked"


def test_it_refuses_a_key_used_from_another_address(client, world):
    _, token = make_key(world.reseller, allowed_ips="10.0.0.0/8\n192.0.2.7")
    answer = client.get("/api/v1/customers", **bearer(token))  # from 127.0.0.1
    assert answer.status_code == 403 and answer.json()["code"] == "ip_refused"
    answer = client.get("/api/v1/customers", REMOTE_ADDR="10.1.2.3", **bearer(token))
    assert answer.status_code == 200


def test_it_refuses_writes_with_a_read_only_key(client, world):
    _, token = make_key(world.reseller, read_only=True)
    answer = client.post(
        f"/api/v1/customers/{world.manila.pk}/lock",
        content_type="application/json",
        **bearer(token),
    )
    assert answer.status_code == 403 and answer.json()["code"] == "read_only_key"
    assert client.get(f"/api/v1/customers/{world.manila.pk}", **bearer(token)).status_code == 200


def test_it_limits_the_rate_per_key(client, world, settings):
    settings.API_RATE_LIMIT = "2/min"
    _, token = make_key(world.reseller)
    _, other = make_key(world.reseller)
    for _ in range(2):
        assert client.get("/api/v1/customers", **bearer(token)).status_code == 200
    answer = client.get("/api/v1/customers", **bearer(token))
    assert answer.status_code == 429 and answer["Content-Type"] == PROBLEM
    assert 1 <= int(answer["Retry-After"]) <= 61
    assert client.get("/api/v1/customers", **bearer(other)).status_code == 200


def test_it_acts_with_the_keys_role_not_the_creators(client, world):
    """A manager's operator key may change accounts but not move money."""
    _, token = make_key(world.reseller, role=Role.RESELLER_OPERATOR)
    answer = client.post(
        f"/api/v1/customers/{world.manila.pk}/topups",
        {"amount": "5"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="op-1",
        **bearer(token),
    )
    assert answer.status_code == 403
    assert not MoneyTransfer.objects.exists()


def test_it_never_gives_a_key_a_role_above_its_creator():
    user = UserFactory(tenant=ResellerFactory(), role=Role.RESELLER_OPERATOR)
    with pytest.raises(ValueError):
        Scope.with_role(user, Role.RESELLER_MANAGER)
    with pytest.raises(ValueError):
        Scope.with_role(user, Role.CUSTOMER_OWNER)  # not a reseller tenant's role
    manager = UserFactory(tenant=ResellerFactory(), role=Role.RESELLER_MANAGER)
    scope = Scope.with_role(manager, Role.RESELLER_OPERATOR)
    assert scope.role == Role.RESELLER_OPERATOR
    with pytest.raises(RuntimeError):
        scope.user.save()


def test_it_ends_a_key_whose_creator_left(client, world):
    _, token = make_key(world.reseller)
    world.reseller.is_active = False
    world.reseller.save()
    answer = client.get("/api/v1/customers", **bearer(token))
    assert answer.status_code == 401 and answer.json()["code"] == "key_orphaned"


def test_it_lists_customers_with_keyset_paging(client, world, reseller_token):
    first = client.get("/api/v1/customers", {"limit": 1}, **bearer(reseller_token)).json()
    assert [row["account"] for row in first["items"]] == ["manila-bpo"]
    second = client.get(
        "/api/v1/customers", {"limit": 1, "after": first["next_after"]}, **bearer(reseller_token)
    ).json()
    assert [row["account"] for row in second["items"]] == ["delhi-soft"]
    assert second["next_after"] is None
    found = client.get("/api/v1/customers", {"q": "delhi"}, **bearer(reseller_token)).json()
    assert [row["account"] for row in found["items"]] == ["delhi-soft"]


def test_it_answers_404_for_a_foreign_customer(client, world, reseller_token):
    answer = client.get(f"/api/v1/customers/{world.acme.pk}", **bearer(reseller_token))
    assert answer.status_code == 404 and answer["Content-Type"] == PROBLEM
    assert AuditEvent.objects.filter(action="authz.denied").exists()


def test_it_names_the_fields_of_a_bad_request(client, world, reseller_token):
    answer = client.post(
        "/api/v1/customers",
        {"account": "has space", "memo": "x" * 300},
        content_type="application/json",
        **bearer(reseller_token),
    )
    assert answer.status_code == 422 and answer["Content-Type"] == PROBLEM
    fields = {error["field"] for error in answer.json()["errors"]}
    assert {"account", "memo"} <= fields


def test_it_creates_changes_locks_and_unlocks_a_customer(client, world, reseller_token):
    answer = client.post(
        "/api/v1/customers",
        {"account": "api-new", "name": "From the API", "fee_rate_group": "Retail-Premium"},
        content_type="application/json",
        **bearer(reseller_token),
    )
    assert answer.status_code == 201, answer.json()
    made = answer.json()
    assert made["account"] == "api-new" and made["parent_id"] == world.globaltel.pk
    url = f"/api/v1/customers/{made['id']}"
    answer = client.patch(
        url, {"memo": "crm 42"}, content_type="application/json", **bearer(reseller_token)
    )
    assert answer.status_code == 200 and answer.json()["memo"] == "crm 42"
    answer = client.post(url + "/lock", content_type="application/json", **bearer(reseller_token))
    assert answer.json()["locked"] is True
    answer = client.post(url + "/unlock", content_type="application/json", **bearer(reseller_token))
    assert answer.json()["locked"] is False
    writes = AuditEvent.objects.filter(action="api.key.write")
    assert writes.count() == 4


def test_it_reads_a_balance_from_vos_with_its_time(client, world, portal_sim, reseller_token):
    answer = client.get(f"/api/v1/customers/{world.manila.pk}/balance", **bearer(reseller_token))
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    info = requests.post(
        portal_sim.base_url + "GetCustomer", json={"accounts": ["manila-bpo"]}, timeout=5
    ).json()["infoCustomers"][0]
    assert Decimal(body["money"]) == Decimal(str(info["money"])) and body["read_at"]


def test_it_tops_up_once_for_one_idempotency_key(client, world, portal_sim, reseller_token):
    def topup(key):
        return client.post(
            f"/api/v1/customers/{world.manila.pk}/topups",
            {"amount": "12.50", "memo": "crm"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
            **bearer(reseller_token),
        )

    pays = portal_sim.control("stats")["requests"].get("Pay", 0)
    first, again = topup("order-1"), topup("order-1")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["state"] == "succeeded" and first.json()["amount"] == "12.5000"
    assert MoneyTransfer.objects.count() == 1
    used = portal_sim.control("stats")["requests"].get("Pay", 0) - pays
    assert used == 2  # the reseller's debit and the customer's credit, once
    transfer = client.get(f"/api/v1/transfers/{first.json()['id']}", **bearer(reseller_token))
    assert transfer.status_code == 200 and transfer.json()["state"] == "succeeded"
    other = make_key(UserFactory(tenant=world.acme, role=Role.CUSTOMER_OWNER))[1]
    assert client.get(f"/api/v1/transfers/{first.json()['id']}", **bearer(other)).status_code == 404


def test_it_requires_an_idempotency_key_for_money(client, world, reseller_token):
    answer = client.post(
        f"/api/v1/customers/{world.manila.pk}/topups",
        {"amount": "1"},
        content_type="application/json",
        **bearer(reseller_token),
    )
    assert answer.status_code == 422 and answer["Content-Type"] == PROBLEM
    assert not MoneyTransfer.objects.exists()


def test_it_lists_creates_and_resets_phones(client, world, reseller_token):
    url = f"/api/v1/customers/{world.manila.pk}/phones"
    phones = client.get(url, **bearer(reseller_token)).json()
    assert "80002001" in [phone["e164"] for phone in phones]
    answer = client.post(
        url, {"e164": "80002099"}, content_type="application/json", **bearer(reseller_token)
    )
    assert answer.status_code == 201, answer.json()
    assert len(answer.json()["password"]) >= 8
    answer = client.patch(
        url + "/80002099",
        {"memo": "desk"},
        content_type="application/json",
        **bearer(reseller_token),
    )
    assert answer.status_code == 200 and answer.json()["memo"] == "desk"
    answer = client.post(url + "/80002099/reset-password", **bearer(reseller_token))
    assert answer.status_code == 200 and answer.json()["password"]
    assert (
        client.patch(
            url + "/80009999", {}, content_type="application/json", **bearer(reseller_token)
        ).status_code
        == 404
    )


def test_it_puts_vos_failures_in_words_without_the_address(client, world, reseller_token):
    world.server.base_url = "http://127.0.0.1:9/"
    world.server.save()
    from switch import vos

    vos.forget_clients()
    answer = client.get(f"/api/v1/customers/{world.manila.pk}/balance", **bearer(reseller_token))
    assert answer.status_code == 502 and answer["Content-Type"] == PROBLEM
    assert "127.0.0.1" not in answer.text and answer.json()["detail"]


# --- The Settings page ---------------------------------------------------------------------
def test_it_creates_a_key_shown_once_and_revokes_it(client, world):
    client.force_login(world.reseller)
    page = client.get("/settings/api-keys/")
    assert page.status_code == 200
    answer = client.post(
        "/settings/api-keys/",
        {
            "name": "CRM",
            "role": Role.RESELLER_OPERATOR,
            "access": "write",
            "allowed_ips": "10.0.0.0/8",
        },
    )
    assert answer.status_code == 200
    key = ApiKey.objects.get()
    assert key.role == Role.RESELLER_OPERATOR and not key.read_only
    token = answer.context["token"]
    assert token in answer.text and key.secret_hash not in token
    assert token not in client.get("/settings/api-keys/").text
    assert AuditEvent.objects.filter(action="api.key.create").exists()
    client.post(f"/settings/api-keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEvent.objects.filter(action="api.key.revoke").exists()


def test_it_offers_no_role_above_the_managers_own(client, world):
    client.force_login(world.reseller)
    answer = client.post(
        "/settings/api-keys/", {"name": "x", "role": Role.PLATFORM_ADMIN, "access": "read"}
    )
    assert answer.status_code == 200 and not ApiKey.objects.exists()
    assert "role" in answer.context["form"].errors


def test_it_hides_the_key_page_from_roles_that_manage_no_users(client, world):
    viewer = UserFactory(tenant=world.manila, role=Role.CUSTOMER_VIEWER)
    client.force_login(viewer)
    assert client.get("/settings/api-keys/").status_code == 404


def test_it_needs_no_csrf_token_with_a_key(world, reseller_token):
    """Keys, not cookies: a script's POST carries no CSRF token and needs none."""
    strict = Client(enforce_csrf_checks=True)
    url = f"/api/v1/customers/{world.manila.pk}/lock"
    answer = strict.post(url, content_type="application/json", **bearer(reseller_token))
    assert answer.status_code == 200, answer.content
