"""Keyset pages and totals of CDR searches, on rows made here: pages walked both ways
(calls sharing the same start millisecond included) list every row once, in order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from billing.cdrs import selectors as cdr_selectors
from billing.cdrs import store as cdr_store
from billing.models import Cdr
from switch.models import VosServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    server = VosServer.objects.create(name="keyset", base_url="http://127.0.0.1:9/")
    first = datetime(2025, 1, 31, 23, 59, 0, tzinfo=UTC)  # pages cross a month (partition)
    made = []
    for n in range(40):
        # Groups of three calls share a start, as busy accounts' calls do in VOS's ms.
        start = first + timedelta(seconds=10 * (n // 3))
        made.append(
            Cdr(
                server_id=server.pk,
                natural_key=uuid.uuid4(),
                start=start,
                stop=start + timedelta(seconds=n % 5 * 30),
                account="acme",
                hold_time=n % 5 * 30,
                fee=Decimal("0.0125") * (n % 5),
                agent_fee=Decimal("0.01") * (n % 5),
            )
        )
    cdr_store.ensure_partitions(row.start for row in made)
    Cdr.objects.bulk_create(made)
    return Cdr.objects.filter(account="acme")


def _newest_first(rows):
    return [r.pk for r in sorted(rows, key=lambda r: (r.start, r.pk), reverse=True)]


def test_it_walks_older_pages_through_every_row_once(rows):
    seen, cursor, pages = [], None, 0
    while True:
        page = cdr_selectors.page_of(rows, before=cursor, size=7)
        pages += 1
        assert (page.newer is None) == (cursor is None)
        seen += [r.pk for r in page.rows]
        if not page.older:
            break
        cursor = page.older
    assert seen == _newest_first(rows)
    assert pages == 6


def test_it_walks_newer_pages_back_to_the_newest(rows):
    oldest_first = _newest_first(rows)[::-1]
    # Start on the oldest page, then follow "newer" links up to the top.
    page = cdr_selectors.page_of(rows, before=cdr_selectors.cursor_of(_row(oldest_first[6])))
    seen = [r.pk for r in page.rows]
    assert seen == oldest_first[:6][::-1] and page.older is None
    cursor = page.newer
    while cursor:
        page = cdr_selectors.page_of(rows, after=cursor, size=7)
        seen = [r.pk for r in page.rows] + seen
        assert page.older is not None
        cursor = page.newer
    assert seen == _newest_first(rows)


def _row(pk):
    return Cdr.objects.get(pk=pk)


def test_it_totals_the_search_in_one_query(rows, django_assert_num_queries):
    with django_assert_num_queries(1):
        totals = cdr_selectors.totals_of(rows)
    answered = [r for r in rows if r.hold_time > 0]
    assert totals.calls == 40 and totals.answered == len(answered) == 32
    assert totals.seconds == sum(r.hold_time for r in rows)
    assert totals.fee == sum(r.fee for r in rows)
    assert totals.agent_fee == sum(r.agent_fee for r in rows)
    assert cdr_selectors.totals_of(rows.none()).calls == 0
