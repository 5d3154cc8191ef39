"""The main list pages in the shape issue 16 asks for, against the simulator over HTTP:
a GET writes nothing to the database while it is answered (the balances it read are
written after the response, by ``web.after``), and each list costs the same number of
queries whatever its page size."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, UserFactory
from billing.models import BalanceReading, MoneyTransfer
from billing.money import views as money_views
from customers.services import sync_tenants_from_vos
from switch.vos import client_for
from telephony.phones import views as phone_views
from web import after

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class WriteWatch:
    """An execute wrapper: the writes made while the view answers, and those made after
    the response (``web.after.run``)."""

    def __init__(self):
        self.phase = "view"
        self.during: list[str] = []
        self.afterwards: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if WRITE.match(sql):
            (self.during if self.phase == "view" else self.afterwards).append(sql)
        return execute(sql, params, many, context)


@pytest.fixture
def watch(monkeypatch):
    watch = WriteWatch()
    real_run = after.run

    def run(pending):
        watch.phase = "after"
        try:
            real_run(pending)
        finally:
            watch.phase = "view"

    monkeypatch.setattr(after, "run", run)
    return watch


@pytest.fixture
def world(demo_vos_server):
    sync_tenants_from_vos(demo_vos_server)
    tenants = {t.vos_account: t for t in Tenant.objects.exclude(vos_account="")}
    return SimpleNamespace(server=demo_vos_server, tenants=tenants)


def users(world) -> dict:
    return {
        "admin": AdminFactory(),
        "reseller": UserFactory(tenant=world.tenants["globaltel"], role=Role.RESELLER_MANAGER),
        "customer": UserFactory(tenant=world.tenants["manila-bpo"], role=Role.CUSTOMER_OWNER),
    }


def pages(world, role: str) -> list[str]:
    server, manila = world.server, world.tenants["manila-bpo"]
    # The dashboard is left out: its live panel keeps the shared live polls
    # (telephony.live), which write when they run.
    own = [
        reverse("money_ledger"),
        reverse("customer_detail", args=[manila.pk]),
        reverse("phone_list", kwargs={"tenant_id": manila.pk}),
        reverse("money_account", kwargs={"tenant_id": manila.pk}),
    ]
    if role == "customer":
        return own
    listed = [
        reverse("customer_list"),
        reverse("customer_list") + "?per_page=100&sort=-balance",
        reverse("customer_list") + "?sort=balance&low=on",
        reverse("tenant_list"),
    ]
    if role == "reseller":
        return own + listed
    gateways = [
        reverse("gateway_list", kwargs={"server_id": server.pk, "kind": kind})
        for kind in ("mapping", "routing")
    ]
    return own + listed + gateways


@pytest.mark.parametrize("role", ["admin", "reseller", "customer"])
def test_it_writes_nothing_while_answering_a_list_page(client, world, watch, role):
    user = users(world)[role]
    client.force_login(user)
    with connection.execute_wrapper(watch):
        for url in pages(world, role):
            response = client.get(url)
            assert response.status_code == 200, url
            assert watch.during == [], (url, watch.during)
    # The balances read were remembered, after the responses.
    assert watch.afterwards
    assert BalanceReading.objects.filter(vos_account="manila-bpo").exists()


def test_it_writes_a_reading_again_only_when_it_changed(client, world, watch):
    client.force_login(users(world)["admin"])
    url = reverse("customer_list") + "?per_page=100"
    client.get(url)
    first = {r.vos_account: r.read_at for r in BalanceReading.objects.all()}
    assert first
    with connection.execute_wrapper(watch):
        client.get(url)
    assert watch.during == [] and watch.afterwards == []  # nothing new: nothing written
    # A balance that changed is written (and the tenant's copy the list sorts on).
    client_for(world.server).call("Pay", {"ownerName": "acme", "ownerType": 2, "money": 5.0})
    with connection.execute_wrapper(watch):
        client.get(url)
    assert watch.during == []
    assert watch.afterwards
    acme = BalanceReading.objects.get(vos_account="acme")
    assert acme.read_at > first["acme"]
    tenant = Tenant.objects.get(vos_account="acme")
    assert tenant.vos_money == acme.money
    assert all(
        r.read_at == first[r.vos_account]
        for r in BalanceReading.objects.exclude(vos_account="acme")
    )


def test_it_tells_the_low_balance_alerts_after_the_response(client, world, watch):
    """A page that reads balances through billing.money (the account's money page) still
    announces them (billing.events.balances_read), after the response."""
    from billing.events import balances_read

    heard = []

    def listener(sender, server, balances, **kwargs):
        heard.append((watch.phase, dict(balances)))

    balances_read.connect(listener)
    try:
        client.force_login(users(world)["admin"])
        manila = world.tenants["manila-bpo"]
        response = client.get(reverse("money_account", kwargs={"tenant_id": manila.pk}))
        assert response.status_code == 200
    finally:
        balances_read.disconnect(listener)
    assert heard and all(phase == "after" for phase, _ in heard)
    assert "manila-bpo" in heard[0][1]


# --- Queries constant in page size --------------------------------------------------------
def _queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.fixture
def many_customers(vos_server):
    vos = client_for(vos_server)
    vos.call("CreateCustomer", {"account": "res", "name": "Reseller"})
    for n in range(120):
        vos.call(
            "CreateCustomer",
            {"account": f"c{n:03d}", "name": f"Customer {n:03d}", "agentAccount": "res"},
        )
    sync_tenants_from_vos(vos_server)
    return SimpleNamespace(server=vos_server, tenant=Tenant.objects.get(vos_account="res"))


@pytest.mark.parametrize("sort", ["account", "-balance"])
def test_it_lists_customers_in_as_many_queries_at_any_page_size(
    client, many_customers, django_assert_max_num_queries, sort
):
    user = UserFactory(tenant=many_customers.tenant, role=Role.RESELLER_MANAGER)
    client.force_login(user)
    url = reverse("customer_list")
    client.get(url, {"per_page": 100})  # the readings exist: the pages below write nothing
    counts = [
        _queries(client, f"{url}?per_page={size}&sort={sort}", django_assert_max_num_queries, 20)
        for size in (25, 100)
    ]
    assert counts[0] == counts[1], counts


def test_it_lists_the_ledger_in_as_many_queries_at_any_page_size(
    client, world, django_assert_max_num_queries, monkeypatch
):
    manila, delhi = world.tenants["manila-bpo"], world.tenants["delhi-soft"]
    people = users(world)
    states = list(MoneyTransfer.State)
    for n in range(30):
        customer = (manila, delhi)[n % 2]
        MoneyTransfer.objects.create(
            kind=MoneyTransfer.Kind.TOPUP,
            state=states[n % len(states)],
            customer=customer,
            tenant_path=customer.path,
            server=world.server,
            amount=n + 1,
            idempotency_key=f"k{n}",
            requested_by=people["reseller"],
            funded_by=world.tenants["globaltel"],
        )
    client.force_login(people["admin"])
    client.get(reverse("money_ledger"))  # the session's first page (tracked once)
    counts = []
    for size in (5, 25):
        monkeypatch.setattr(money_views, "PAGE_SIZE", size)
        counts.append(_queries(client, reverse("money_ledger"), django_assert_max_num_queries, 20))
    assert counts[0] == counts[1], counts


def test_it_lists_phones_in_as_many_queries_at_any_page_size(
    client, world, django_assert_max_num_queries, monkeypatch
):
    manila = world.tenants["manila-bpo"]
    vos = client_for(world.server)
    for n in range(30):
        vos.call(
            "CreatePhone",
            {"account": "manila-bpo", "e164": f"6399{n:04d}", "autoCreateAccount": False},
        )
    client.force_login(users(world)["reseller"])
    url = reverse("phone_list", kwargs={"tenant_id": manila.pk})
    client.get(url)  # the session's first page (tracked once)
    counts = []
    for size in (5, 25):
        monkeypatch.setattr(phone_views, "PAGE_SIZE", size)
        counts.append(_queries(client, url, django_assert_max_num_queries, 20))
    assert counts[0] == counts[1], counts


def test_it_lists_gateways_in_as_many_queries_whatever_their_number(
    client, world, django_assert_max_num_queries
):
    client.force_login(users(world)["admin"])
    url = reverse("gateway_list", kwargs={"server_id": world.server.pk, "kind": "routing"})
    vos = client_for(world.server)
    client.get(url)  # the session's first page (tracked once)
    counts = []
    for batch in range(2):
        for n in range(10 * (batch + 1)):
            vos.call("CreateGatewayRouting", {"name": f"gw-{batch}-{n}"})
        counts.append(_queries(client, url, django_assert_max_num_queries, 20))
    assert counts[0] == counts[1], counts


# --- The guard takes the page's tenants ----------------------------------------------------
def test_it_checks_a_page_of_tenants_without_another_tenant_query(world, django_assert_num_queries):
    from accounts.scope import Scope
    from switch.vos import guard

    scope = Scope(user=users(world)["reseller"])
    mine = [world.tenants["manila-bpo"], world.tenants["delhi-soft"]]
    payload = {"accounts": [t.vos_account for t in mine]}
    with django_assert_num_queries(0):
        guard(scope, world.server, "GetCustomer", payload, known_tenants=mine)
    # Without them, one query about just those names.
    with django_assert_num_queries(1):
        guard(scope, world.server, "GetCustomer", payload)


def test_it_does_not_take_a_foreign_tenant_as_vouched_for(world):
    from accounts.scope import OutOfScope, Scope
    from switch.vos import guard

    scope = Scope(user=users(world)["reseller"])
    foreign = world.tenants["acme"]  # the platform's direct customer, not globaltel's
    with pytest.raises(OutOfScope):
        guard(
            scope,
            world.server,
            "GetCustomer",
            {"accounts": ["acme"]},
            known_tenants=[foreign],
        )


def test_it_serves_template_loads_from_the_cache():
    """Every template is parsed once per process: django-template-partials wraps
    Django's cached loader (settings.TEMPLATES names no loaders, so both apply, with
    DEBUG on or off)."""
    from django.template import engines
    from django.template.loaders.cached import Loader

    (partials,) = engines["django"].engine.template_loaders
    assert [type(loader) for loader in partials.loaders] == [Loader]


def test_it_keeps_the_tenants_copy_of_the_balance_the_list_sorts_on(world):
    """A pushed balance (or a Pay answer) and a re-synced tenant carry the last reading."""
    from decimal import Decimal

    from billing.money.services import remember_balance

    remember_balance(world.server, "acme", "12.5", source="push")
    assert Tenant.objects.get(vos_account="acme").vos_money == Decimal("12.5")
    # A tenant made again by the sync takes the reading kept for its account.
    Tenant.objects.filter(vos_account="acme").delete()
    sync_tenants_from_vos(world.server)
    assert Tenant.objects.get(vos_account="acme").vos_money == Decimal("12.5")


# --- web.after ------------------------------------------------------------------------------
def test_it_runs_after_response_work_at_once_outside_a_request():
    done = []
    after.batch(done.extend, 1)
    assert done == [1]


def test_it_batches_a_requests_work_and_logs_a_failure_instead_of_raising(db, caplog):
    from django.http import HttpResponse
    from django.test import RequestFactory

    done = []

    def broken(items):
        raise RuntimeError("boom")

    def view(request):
        after.batch(done.extend, "a")
        after.batch(done.extend, "b")
        after.batch(broken, "c")
        assert done == []  # nothing yet: the answer comes first
        return HttpResponse("ok")

    response = after.AfterResponseMiddleware(view)(RequestFactory().get("/"))
    assert done == []
    response.close()
    assert done == ["a", "b"]  # one call with both items
    assert "after-response work" in caplog.text
    # A POST's work runs at once, in order with the rest of the request.
    posted = []

    def post_view(request):
        after.batch(posted.extend, "p")
        assert posted == ["p"]
        return HttpResponse("ok")

    after.AfterResponseMiddleware(post_view)(RequestFactory().post("/"))


@pytest.mark.django_db(transaction=True)
def test_it_hands_the_work_to_the_process_thread_with_its_own_connection(settings, world):
    """With AFTER_RESPONSE_IN_THREAD (production), close() only hands the work over: the
    thread does it, merged with whatever other requests handed over, on a database
    connection of its own."""
    import threading

    from django.http import HttpResponse
    from django.test import RequestFactory

    settings.AFTER_RESPONSE_IN_THREAD = True
    done, seen = [], []
    release = threading.Event()

    def remember(items):
        release.wait(5)  # the other requests hand over while the first batch runs
        seen.append((threading.current_thread().name, Tenant.objects.count()))
        done.append(list(items))

    def view(request):
        after.batch(remember, request.GET["n"])
        return HttpResponse("ok")

    middleware = after.AfterResponseMiddleware(view)
    for n in ("1", "2", "3"):
        middleware(RequestFactory().get("/", {"n": n})).close()
        if n == "1":
            assert done == []  # not done in close()
    release.set()
    after.drain()
    assert sorted(n for batch in done for n in batch) == ["1", "2", "3"]
    assert len(done) <= 2  # the waiting ones taken together
    assert {name for name, _ in seen} == {"after-response"}
    assert all(count == Tenant.objects.count() > 0 for _, count in seen)


def test_it_writes_a_pages_readings_in_one_transaction(client, world, monkeypatch):
    """The readings a page gathered are written in one transaction, not a commit per
    statement (10 ms on a 25-row page whose balances changed); on PostgreSQL without
    waiting for the disk (copies of what VOS said: the next read says it again)."""
    from django.db import connection as db

    afterwards: list[str] = []
    real_run = after.run

    def run(pending):
        with db.execute_wrapper(
            lambda execute, sql, *a: afterwards.append(sql) or execute(sql, *a)
        ):
            real_run(pending)

    monkeypatch.setattr(after, "run", run)
    client.force_login(UserFactory(tenant=world.tenants["globaltel"], role=Role.RESELLER_MANAGER))
    assert client.get(reverse("customer_list")).status_code == 200
    writes = [i for i, sql in enumerate(afterwards) if WRITE.match(sql)]
    assert writes, afterwards
    # In a test the transaction is a savepoint inside the test's own.
    opened = [i for i, sql in enumerate(afterwards) if sql.startswith("SAVEPOINT")]
    closed = [i for i, sql in enumerate(afterwards) if sql.startswith("RELEASE SAVEPOINT")]
    assert opened and closed and opened[0] < writes[0] and writes[-1] < closed[-1], afterwards
    if db.vendor == "postgresql":
        assert "SET LOCAL synchronous_commit TO OFF" in afterwards


def test_it_leaves_a_callers_transaction_waiting_for_the_disk(world):
    """Readings remembered inside a caller's transaction (a Pay answer recorded with its
    transfer) do not make the caller's commit skip the disk."""
    from django.db import connection as db
    from django.db import transaction
    from django.utils import timezone

    from billing.money import readings

    seen: list[str] = []
    infos = [{"account": "acme", "money": 1.5, "limitMoney": 0}]
    with db.execute_wrapper(lambda execute, sql, *a: seen.append(sql) or execute(sql, *a)):
        with transaction.atomic():
            readings._remember([(world.server, infos, "pay", timezone.now(), False, None)])
        assert not [sql for sql in seen if "synchronous_commit" in sql]
        assert BalanceReading.objects.filter(vos_account="acme", source="pay").exists()
        seen.clear()
        readings._remember([(world.server, infos, "page", timezone.now(), False, None)])
    if db.vendor == "postgresql":  # its own transaction: written without waiting
        assert "SET LOCAL synchronous_commit TO OFF" in seen
