"""The API's calls and prices: CDR keyset search and exports, fee reports, rates and the
price of a call, against the simulator and the local CDR copy."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.roles import Role
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from api.tests.helpers import bearer, make_key
from billing.cdrs import store as cdr_store
from billing.models import Cdr

pytestmark = pytest.mark.django_db

JSON = {"content_type": "application/json"}
DAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def world(demo_vos_server):
    server = demo_vos_server
    globaltel = ResellerFactory(name="GlobalTel", server=server, vos_account="globaltel")
    manila = TenantFactory(name="Manila", parent=globaltel, server=server, vos_account="manila-bpo")
    other = TenantFactory(name="Acme", server=server, vos_account="acme")
    return {
        "server": server,
        "globaltel": globaltel,
        "manila": manila,
        "other": other,
        "reseller": UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER),
        "customer": UserFactory(tenant=manila, role=Role.CUSTOMER_OWNER),
        "admin": AdminFactory(),
    }


def cdr(world, tenant, at, *, hold=60, fee="0.6000"):
    cdr_store.ensure_partitions([at])
    return Cdr.objects.create(
        server=world["server"],
        natural_key=uuid.uuid4(),
        tenant=tenant,
        tenant_path=tenant.path,
        start=at,
        stop=at + timedelta(seconds=hold),
        account=tenant.vos_account,
        account_name=tenant.name,
        agent_account="globaltel",
        fee_prefix="44",
        callee_gateway="gw-secret",
        hold_time=hold,
        fee_time=hold,
        fee=Decimal(fee),
        agent_fee=Decimal("0.2000"),
    )


def test_it_pages_calls_by_keyset_and_hides_what_the_role_may_not_see(client, world):
    mine = [cdr(world, world["manila"], DAY + timedelta(minutes=i)) for i in range(3)]
    cdr(world, world["other"], DAY)
    token = make_key(world["customer"])[1]
    query = {"date_from": "2026-03-02", "date_to": "2026-03-02", "limit": 2}
    first = client.get("/api/v1/cdrs", query, **bearer(token)).json()
    assert [row["id"] for row in first["items"]] == [mine[2].pk, mine[1].pk]
    assert first["items"][0]["agent_fee"] is None and first["items"][0]["callee_gateway"] is None
    assert first["items"][0]["fee"] == "0.6000"
    second = client.get("/api/v1/cdrs", {**query, "after": first["next_after"]}, **bearer(token))
    assert [row["id"] for row in second.json()["items"]] == [mine[0].pk]
    assert second.json()["next_after"] is None
    reseller = make_key(world["reseller"])[1]
    rows = client.get("/api/v1/cdrs", query | {"limit": 10}, **bearer(reseller)).json()["items"]
    assert len(rows) == 3 and rows[0]["agent_fee"] == "0.2000"


def test_it_names_the_search_fields_it_refuses(client, world):
    token = make_key(world["reseller"])[1]
    answer = client.get(
        "/api/v1/cdrs",
        {"date_from": "2026-03-02", "date_to": "2026-01-01", "account": "acme"},
        **bearer(token),
    )
    assert answer.status_code == 422
    assert {"date_to", "account"} <= {e["field"] for e in answer.json()["errors"]}


def test_it_exports_calls_to_a_file_with_a_link(
    client, world, eager_tasks, django_capture_on_commit_callbacks
):
    cdr(world, world["manila"], DAY)
    token = make_key(world["reseller"])[1]
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/api/v1/cdr-exports",
            {"date_from": "2026-03-02", "date_to": "2026-03-02", "raw": True},
            **JSON,
            **bearer(token),
        )
    assert answer.status_code == 202, answer.json()
    job = client.get(f"/api/v1/cdr-exports/{answer.json()['id']}", **bearer(token)).json()
    assert job["status"] == "done" and job["rows_written"] == 1
    assert job["download_url"].endswith(f"/api/v1/cdr-exports/{job['id']}/file")
    file = client.get(job["download_url"], **bearer(token))
    assert file.status_code == 200 and b"manila-bpo" in b"".join(file.streaming_content)
    stranger = make_key(world["customer"])[1]
    assert client.get(job["download_url"], **bearer(stranger)).status_code == 404


def test_it_runs_a_fee_report(client, world, eager_tasks, django_capture_on_commit_callbacks):
    token = make_key(world["reseller"])[1]
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/api/v1/fee-reports",
            {
                "customer_id": world["manila"].pk,
                "first_day": "2026-03-01",
                "last_day": "2026-03-02",
            },
            **JSON,
            **bearer(token),
        )
    assert answer.status_code == 202, answer.json()
    report = client.get(f"/api/v1/fee-reports/{answer.json()['id']}", **bearer(token)).json()
    assert report["status"] == "done", report
    foreign = client.post(
        "/api/v1/fee-reports",
        {"customer_id": world["other"].pk, "first_day": "2026-03-01", "last_day": "2026-03-02"},
        **JSON,
        **bearer(token),
    )
    assert foreign.status_code == 404


def test_it_lists_rates_and_prices_a_call(client, world):
    token = make_key(world["customer"])[1]
    url = f"/api/v1/customers/{world['manila'].pk}"
    rates = client.get(url + "/rates", **bearer(token)).json()
    assert rates["group"] and rates["items"]
    prefix = rates["items"][0]["prefix"]
    price = client.get(
        url + "/price", {"number": prefix + "1234567", "seconds": 90}, **bearer(token)
    )
    body = price.json()
    assert price.status_code == 200 and body["rated"] is True, body
    assert Decimal(body["fee"]) >= 0 and body["seconds"] == 90
    foreign = f"/api/v1/customers/{world['other'].pk}/price"
    assert client.get(foreign, {"number": "441"}, **bearer(token)).status_code == 404
