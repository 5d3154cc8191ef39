"""Every API route x every role of the isolation world x each key kind (read-only,
read-write) x own and foreign objects.

The routes are read from the API's OpenAPI document: a route without an entry in
``ROUTES`` fails the suite (and so does an entry for a route that does not exist). The
world is the page suite's (accounts.tests.isolation_world), its accounts made in the
simulator (with a phone per customer) so that own objects are real.

Expected: a foreign object is 404 whatever the method; a write with a read-only key is
403 before anything is looked up; an own object is neither 404 nor 403 nor a server
error, except where the route says the role is refused (``own_refused``: 404, the
pages' rule that accounts are changed from above; ``forbidden``: 403, the role may not).
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field

import pytest
import requests

from accounts.models import Tenant
from accounts.tests import isolation_world as iw
from api.tests.helpers import bearer, make_key
from api.v1 import api

pytestmark = pytest.mark.django_db

CUSTOMERS = frozenset({"customer_a1", "customer_b1"})
PHONES = {"a1": "81000001", "a1-sub": "81000002", "b1": "81000003"}
_numbers = itertools.count(82000000)


@dataclass(frozen=True)
class Route:
    """How to call a route: the object kind its one path parameter names (None: none),
    its body and query, and the roles refused on their own objects."""

    obj: str | None = None
    body: object = None  # a dict, or maker(world, role_name, own) -> dict
    query: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    multipart: bool = False  # the body is a form with a file (made afresh per call)
    own_refused: frozenset = frozenset()  # -> 404
    forbidden: frozenset = frozenset()  # -> 403


def _report_body(world, role_name, own):
    tenant = world.own_tenant(role_name) if own else world.foreign_tenant(role_name)
    return {"customer_id": tenant.pk, "first_day": "2026-03-01", "last_day": "2026-03-02"}


def _new_phone(world, role_name, own):
    return {"e164": str(next(_numbers))}


def _import_file(world, role_name, own):
    upload = io.BytesIO(f"account,name\niso-bulk-{next(_numbers)},Iso\n".encode())
    upload.name = "isolation.csv"
    return {"kind": "customers", "file": upload}


MONEY = {"HTTP_IDEMPOTENCY_KEY": "isolation"}
DAYS = {"date_from": "2026-03-01", "date_to": "2026-03-02"}
C = "/api/v1/customers/{customer_id}"
P = C + "/phones/{e164}"
IMP = "/api/v1/imports/{import_id}"

ROUTES: dict[tuple[str, str], Route] = {
    ("get", "/api/v1/customers"): Route(),
    ("post", "/api/v1/customers"): Route(body={"account": "iso-new"}, forbidden=CUSTOMERS),
    ("get", C): Route(obj="customer"),
    ("patch", C): Route(obj="customer", body={"memo": "iso"}, own_refused=CUSTOMERS),
    ("post", C + "/lock"): Route(obj="customer", own_refused=CUSTOMERS),
    ("post", C + "/unlock"): Route(obj="customer", own_refused=CUSTOMERS),
    ("get", C + "/balance"): Route(obj="customer"),
    ("get", C + "/phones"): Route(obj="customer"),
    ("post", C + "/phones"): Route(obj="customer", body=_new_phone),
    ("patch", P): Route(obj="phone", body={"memo": "iso"}),
    ("post", P + "/reset-password"): Route(obj="phone"),
    ("post", C + "/topups"): Route(
        obj="customer", body={"amount": "1"}, headers=MONEY, own_refused=CUSTOMERS
    ),
    ("post", C + "/reversals"): Route(
        obj="customer", body={"amount": "1"}, headers=MONEY, own_refused=CUSTOMERS
    ),
    ("get", "/api/v1/transfers/{transfer_id}"): Route(obj="money_transfer"),
    ("get", "/api/v1/cdrs"): Route(query=DAYS),
    ("post", "/api/v1/cdr-exports"): Route(body=DAYS),
    ("get", "/api/v1/cdr-exports/{export_id}"): Route(obj="cdr_export"),
    ("get", "/api/v1/cdr-exports/{export_id}/file"): Route(obj="cdr_export"),
    ("post", "/api/v1/fee-reports"): Route(obj="body", body=_report_body),
    ("get", "/api/v1/fee-reports/{report_id}"): Route(obj="report_job"),
    ("get", C + "/rates"): Route(obj="customer"),
    ("get", C + "/price"): Route(obj="customer", query={"number": "441234"}),
    ("post", "/api/v1/imports"): Route(body=_import_file, multipart=True, forbidden=CUSTOMERS),
    ("get", IMP): Route(obj="bulk_import"),
    ("get", IMP + "/rows"): Route(obj="bulk_import"),
    ("post", IMP + "/run"): Route(obj="bulk_import", own_refused=CUSTOMERS),
    ("post", IMP + "/retry-failed"): Route(obj="bulk_import", own_refused=CUSTOMERS),
    ("get", IMP + "/results"): Route(obj="bulk_import"),
    ("post", "/api/v1/exports/customers"): Route(body={"q": "a"}, forbidden=CUSTOMERS),
    ("post", "/api/v1/exports/phones"): Route(body={"format": "xlsx"}, forbidden=CUSTOMERS),
    ("get", "/api/v1/exports/{export_id}"): Route(obj="bulk_action"),
    ("get", "/api/v1/exports/{export_id}/file"): Route(obj="bulk_action"),
}

WRITES = {"post", "patch", "put", "delete"}


def api_routes() -> set[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return {(method, path) for path, item in paths.items() for method in item}


def test_it_has_a_policy_for_every_api_route():
    missing = sorted(api_routes() - set(ROUTES))
    assert missing == [], f"add these routes to ROUTES with their policy: {missing}"
    assert sorted(set(ROUTES) - api_routes()) == []


def test_it_finds_a_route_without_a_policy():
    """The check above is real: a route it does not know is reported."""
    assert ("get", "/api/v1/nothing") not in ROUTES


def _create(sim, account, agent, *, money=0.0):
    payload = {"account": account, "name": account, "feeRateGroup": "Retail-Standard"}
    payload |= {"agentAccount": agent, "money": money}
    answer = requests.post(sim.base_url + "CreateCustomer", json=payload, timeout=5).json()
    assert answer["retCode"] == 0, answer


@pytest.fixture
def world(demo_vos_server, portal_sim):
    """The page suite's world, linked to the simulator: every tenant's account exists
    there (parents first), with money, and each customer has one phone."""
    world = iw.build_world()
    Tenant.objects.exclude(kind=Tenant.Kind.PLATFORM).update(server=demo_vos_server)
    for tenant in world.tenants.values():
        tenant.refresh_from_db()
    for key in ("A", "A-mid", "A'", "B", "A1", "A1'", "B1"):
        tenant = world.tenants.get(key) or Tenant.objects.get(name=key)
        parent = tenant.parent
        agent = parent.vos_account if parent.kind == Tenant.Kind.RESELLER else ""
        _create(portal_sim, tenant.vos_account, agent, money=1000.0)
    for account, e164 in PHONES.items():
        answer = requests.post(
            portal_sim.base_url + "CreatePhone",
            json={
                "autoCreateAccount": False,
                "e164": e164,
                "account": account,
                "password": "x" * 12,
            },
            timeout=5,
        ).json()
        assert answer["retCode"] == 0, answer
    return world


def _object(world, route: Route, role_name: str, own: bool):
    """The path parameter's value (None when the role has no such object)."""
    tenant = world.own_tenant(role_name) if own else world.foreign_tenant(role_name)
    if route.obj in ("customer", "body"):
        return None if tenant is None else tenant.pk
    if route.obj == "phone":
        return None if tenant is None else (tenant.pk, PHONES[tenant.vos_account])
    return iw.OBJECT_MAKERS[route.obj](world, role_name, own)


def _url(path: str, value) -> str:
    if value is None:
        return path
    if isinstance(value, tuple):
        return path.replace("{customer_id}", str(value[0])).replace("{e164}", value[1])
    return path.split("{")[0] + str(value) + path.split("}", 1)[1]


def _call(client, method, path, route, world, role_name, own, token):
    value = _object(world, route, role_name, own) if route.obj else None
    if route.obj and value is None:
        return None
    url = _url(path, None if route.obj == "body" else value)
    body = route.body(world, role_name, own) if callable(route.body) else route.body
    kwargs = {**bearer(token), **route.headers}
    if method == "get":
        return client.get(url, route.query, **kwargs)
    if route.multipart:
        return client.post(url, body, **kwargs)
    return getattr(client, method)(
        url, body if body is not None else {}, content_type="application/json", **kwargs
    )


@pytest.mark.parametrize("role_name", iw.ROLE_NAMES)
@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_it_keeps_every_api_route_inside_the_keys_scope(client, world, method, path, role_name):
    route = ROUTES[(method, path)]
    user = world.users[role_name]
    read_write = make_key(user, read_only=False)[1]
    read_only = make_key(user, read_only=True)[1]

    if route.obj:
        foreign = _call(client, method, path, route, world, role_name, False, read_write)
        if foreign is not None:
            assert foreign.status_code == 404, ("foreign", foreign.status_code, foreign.content)
            assert foreign["Content-Type"] == "application/problem+json"

    for kind, token in (("read-write", read_write), ("read-only", read_only)):
        own = _call(client, method, path, route, world, role_name, True, token)
        if own is None:
            continue
        status = own.status_code
        if method in WRITES and kind == "read-only":
            assert status == 403, (kind, status, own.content)
            assert own.json()["code"] == "read_only_key"
        elif role_name in route.own_refused:
            assert status == 404, (kind, status, own.content)
        elif role_name in route.forbidden:
            assert status == 403, (kind, status, own.content)
        else:
            assert status < 500 and status not in (401, 403, 404), (kind, status, own.content)
