"""The local CDR copy: records from the simulator's GetCdr stored once, with their
tenant path, and searched through the scope."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.models import Tenant
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, UserFactory
from billing.cdrs import selectors as cdr_selectors
from billing.cdrs import store as cdr_store
from billing.models import Cdr
from customers.services import sync_tenants_from_vos
from switch.vos import client_for

pytestmark = pytest.mark.dates


@pytest.fixture
def tenants(demo_vos_server):
    sync_tenants_from_vos(demo_vos_server)
    return {t.vos_account: t for t in Tenant.objects.exclude(vos_account="")}


def _vos_cdrs(server, accounts, first: date, last: date) -> list[dict]:
    answer = client_for(server).call(
        "GetCdr",
        {"accounts": list(accounts), "beginTime": f"{first:%Y%m%d}", "endTime": f"{last:%Y%m%d}"},
    )
    return answer.get("infoCdrs") or []


def _week(portal_sim):
    today = datetime.fromtimestamp(portal_sim.control("now")["now"] / 1000, tz=UTC).date()
    return today - timedelta(days=7), today - timedelta(days=1)


def test_it_stores_each_record_once(tenants, demo_vos_server, portal_sim):
    first, last = _week(portal_sim)
    infos = _vos_cdrs(demo_vos_server, ["manila-bpo", "cafe-roma", "acme"], first, last)
    assert len(infos) > 10

    stored = cdr_store.store(demo_vos_server, infos)
    again = cdr_store.store(demo_vos_server, infos + infos[:3])

    assert stored.inserted == len(infos) and again.inserted == 0
    assert Cdr.objects.count() == len(infos)
    row = Cdr.objects.filter(account="cafe-roma").first()
    assert row.tenant_id == tenants["cafe-roma"].pk
    assert row.tenant_path == tenants["cafe-roma"].path
    assert set(cdr_store.FIELD_OF_WIRE.values()) <= {f.name for f in Cdr._meta.fields}


def test_it_scopes_searches_by_subtree(tenants, demo_vos_server, portal_sim):
    first, last = _week(portal_sim)
    infos = _vos_cdrs(demo_vos_server, ["manila-bpo", "cafe-roma", "acme"], first, last)
    cdr_store.store(demo_vos_server, infos)
    filters = cdr_selectors.CdrFilters(
        since=datetime.combine(first, datetime.min.time(), tzinfo=UTC),
        until=datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=UTC),
    )

    def accounts_seen(user):
        rows = cdr_selectors.search(Scope(user), filters)
        return set(rows.values_list("account", flat=True))

    reseller = UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER)
    sub = UserFactory(tenant=tenants["citylink"], role=Role.RESELLER_MANAGER)
    customer = UserFactory(tenant=tenants["manila-bpo"], role=Role.CUSTOMER_OWNER)
    assert accounts_seen(AdminFactory()) == {"manila-bpo", "cafe-roma", "acme"}
    assert accounts_seen(reseller) == {"manila-bpo", "cafe-roma"}
    assert accounts_seen(sub) == {"cafe-roma"}
    assert accounts_seen(customer) == {"manila-bpo"}

    rows = cdr_selectors.search(Scope(reseller), filters)
    total = cdr_selectors.totals_of(rows)
    assert total.calls == rows.count() and total.fee == sum(r.fee for r in rows)
    seen, cursor = [], None
    while True:
        page = cdr_selectors.page_of(rows, before=cursor, size=7)
        seen += [r.pk for r in page.rows]
        if not page.older:
            break
        cursor = page.older
    assert len(seen) == len(set(seen)) == total.calls


def test_it_moves_cdr_paths_with_their_tenant(tenants, demo_vos_server, portal_sim):
    first, last = _week(portal_sim)
    cdr_store.store(demo_vos_server, _vos_cdrs(demo_vos_server, ["cafe-roma"], first, last))
    cafe = tenants["cafe-roma"]
    cafe.parent = tenants["skyvoice"]
    cafe.save()
    cafe.refresh_from_db()
    assert set(Cdr.objects.values_list("tenant_path", flat=True)) == {cafe.path}


@pytest.mark.postgres
def test_it_partitions_by_month_and_drops_old_months(tenants, demo_vos_server, portal_sim):
    today = datetime.fromtimestamp(portal_sim.control("now")["now"] / 1000, tz=UTC).date()
    for back in (80, 50, 20):  # the simulator caps a GetCdr at 31 days
        first = today - timedelta(days=back)
        infos = _vos_cdrs(demo_vos_server, ["manila-bpo"], first, first + timedelta(days=29))
        cdr_store.store(demo_vos_server, infos)
    partitions = cdr_store.existing_partitions()
    assert len(partitions) >= 3
    oldest = min(Cdr.objects.values_list("start", flat=True))
    dropped = cdr_store.drop_months_before(today)
    # Every month before this one (on the 1st just after midnight this month has no calls,
    # so no partition, yet).
    this_month = cdr_store.partition_name(today.replace(day=1))
    assert dropped == len([name for name in partitions if name < this_month])
    assert not Cdr.objects.filter(start__lt=datetime(today.year, today.month, 1, tzinfo=UTC))
    assert oldest.month != today.month or oldest.year != today.year
