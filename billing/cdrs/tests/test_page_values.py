"""A CDR page reads values, not model instances: only the columns the viewer sees (plus
id, start and account), as ``CdrRow`` dicts, with the page and its totals in two
queries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.cdrs import columns as cdr_columns
from billing.cdrs import selectors as cdr_selectors
from billing.cdrs import store as cdr_store
from billing.models import Cdr
from switch.models import VosServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    server = VosServer.objects.create(name="values", base_url="http://127.0.0.1:9/")
    first = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    made = [
        Cdr(
            server_id=server.pk,
            natural_key=uuid.uuid4(),
            start=first + timedelta(minutes=n),
            stop=first + timedelta(minutes=n, seconds=30),
            account="acme",
            caller_e164="5550001",
            callee_e164=f"44207{n:06d}",
            caller_gateway="gw-secret",
            hold_time=30,
            fee=Decimal("0.0125"),
            end_reason=16,
        )
        for n in range(7)
    ]
    cdr_store.ensure_partitions(row.start for row in made)
    Cdr.objects.bulk_create(made)
    return Cdr.objects.filter(account="acme")


def test_it_reads_only_the_fields_asked_for_as_values(rows):
    page = cdr_selectors.page_of(rows, size=5, fields=["callee_e164", "fee"])
    assert len(page.rows) == 5 and page.older and page.newer is None
    newest = page.rows[0]
    assert isinstance(newest, cdr_selectors.CdrRow) and not isinstance(newest, Cdr)
    assert set(newest) == {"id", "start", "account", "callee_e164", "fee"}
    assert newest.callee_e164 == newest["callee_e164"] == "44207000006"
    assert newest.fee == Decimal("0.0125") and newest.pk == newest["id"]
    with pytest.raises(AttributeError):
        newest.caller_gateway  # noqa: B018 (not read, so not there)
    # The cursor of a values row is the cursor of its record.
    record = Cdr.objects.get(pk=newest.pk)
    assert cdr_selectors.cursor_of(newest) == cdr_selectors.cursor_of(record)


def test_it_shows_the_same_cells_as_from_the_records(rows):
    class Customer:
        sees_gateways = False
        is_provider = False

    columns = cdr_columns.page_columns(Customer())
    page = cdr_selectors.page_of(rows, size=10, fields=[c.field for c in columns])
    records = {cdr.pk: cdr for cdr in rows}
    for row in page.rows:
        assert cdr_columns.cells(row, columns) == cdr_columns.cells(records[row.pk], columns)
        assert "caller_gateway" not in row


def test_it_reads_a_page_and_its_totals_in_two_queries(rows):
    with CaptureQueriesContext(connection) as queries:
        page = cdr_selectors.page_of(rows, size=5, fields=["fee"])
        totals = cdr_selectors.totals_of(rows)
    assert len(queries.captured_queries) == 2
    assert totals.calls == 7 and totals.fee == Decimal("0.0875") and len(page.rows) == 5


@pytest.mark.postgres
def test_it_reads_a_page_and_its_totals_in_one_round_trip_on_postgresql(rows):
    for before in (None, cdr_selectors.page_of(rows, size=3).older):
        with CaptureQueriesContext(connection) as queries:
            page, totals = cdr_selectors.page_and_totals(rows, before=before, size=3)
        assert len(queries.captured_queries) == 1
        expected = cdr_selectors.page_of(rows, before=before, size=3)
        assert page == expected
        assert totals == cdr_selectors.totals_of(rows)
    assert totals.calls == 7 and totals.answered == 7 and totals.seconds == 210
    assert totals.fee == Decimal("0.0875") and totals.agent_fee == Decimal(0)
    none, nothing = cdr_selectors.page_and_totals(rows.filter(fee=9))
    assert none.rows == [] and nothing.calls == 0 and nothing.fee == Decimal(0)


def test_it_gives_the_same_page_and_totals_either_way(rows):
    older = cdr_selectors.page_of(rows, size=3).older
    newer = cdr_selectors.page_of(rows, before=older, size=3).newer
    for cursor in ({}, {"before": older}, {"after": newer}):
        page, totals = cdr_selectors.page_and_totals(rows, size=3, **cursor)
        assert page == cdr_selectors.page_of(rows, size=3, **cursor)
        assert totals == cdr_selectors.totals_of(rows)


@pytest.mark.postgres
def test_it_writes_the_page_and_totals_around_the_searchs_own_where(rows):
    """The one-round-trip statements are written around the WHERE the ORM compiles for
    the search: the same rows and totals as the querysets give, for narrowing filters
    (prefixes, either number, a time span), at every cursor, and for a search that
    matches nothing."""
    searches = [
        rows,
        rows.filter(callee_e164__startswith="44207"),
        rows.filter(caller_e164="5550001") | rows.filter(callee_e164="44207000003"),
        rows.filter(start__gte=datetime(2025, 3, 1, 8, 2, tzinfo=UTC), hold_time__gt=0),
        rows.filter(callee_e164__startswith="9%_"),  # LIKE's own characters, as text
        # A customer's scope filters on tenant_id: a join to the tenants the ORM trims.
        rows | Cdr.objects.filter(tenant_id=424_242),
        rows.none(),
    ]
    for search in searches:
        where = cdr_selectors._where_of(search)
        assert (where is None) == (search is searches[-1])
        cursor = {}
        while True:
            page, totals = cdr_selectors.page_and_totals(search, size=2, fields=["fee"], **cursor)
            assert page == cdr_selectors.page_of(search, size=2, fields=["fee"], **cursor)
            assert totals == cdr_selectors.totals_of(search)
            if not page.older:
                break
            cursor = {"before": page.older}
