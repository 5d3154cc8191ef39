"""CDR search at scale: the portal's scoped search, first page and totals over a generated
10,000,000-row CDR table on PostgreSQL (``benchmarks.cdr_data``), each case also as a
ratio to the bare indexed SQL of the same page and totals run through a raw cursor in
the same run.

Cases (the time range is the filter every CDR page carries; days in UTC):

- ``customer_1_day`` / ``customer_31_days``: the owner of the busiest customer
  (~2.5% of all calls, ~700 a day) searching its own calls;
- ``reseller_1_day`` / ``reseller_31_days``: the manager of a reseller with 1,000
  customers in its subtree (two sub-resellers among them; ~11% of all calls);
- ``reseller_31_days_page_40``: the same reseller's 40th page of 31 days (rows
  1,951-2,000, reached with the "older" cursor), with its totals: keyset pages cost
  what the first does;
- ``admin_1_day``: a platform admin, unscoped (~27,000 calls a day).

Each run takes a random day (or 31-day window) of the year of data; the portal path is
``cdr_selectors.search(Scope(user), filters)`` and ``page_and_totals(rows)`` (the newest
50 and the totals, in one round trip), exactly as the CDR page calls them (the page's
rows read as values of the user's visible columns, as the view asks). The bare SQL is
hand-written: the same first page (51 rows of the same columns, newest first) and the
same totals, in two round trips (and, as ``bare_sql_one_round_trip``, in one), with
the scope written
as the portal writes it (tenant id, path prefix or none); for the reseller the totals are
also measured with the subtree written as its tenant ids (``tenant_id = ANY(...)`` on
``cdr_tenant_start``, ids listed outside the timing) for comparison. Portal and bare
runs alternate on the same windows, after warm-up; the table is mostly in the OS cache
(warm figures, visibility map set as autovacuum keeps it). The benchmark checks that
both return the same rows and totals.

    python -m benchmarks cdr_search [-- --runs 30 --rows 10000000 --explain]
    python -m benchmarks cdr_search -- --quick      # 1,000,000 rows, 10 runs
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, datetime, timedelta

from benchmarks import cdr_data
from benchmarks.common import summary, write_result

NAME = "cdr_search"
PAGE = 50
# The goal: one customer's one-day search within 1.5x the bare SQL at p95.
GOAL_CASE, GOAL_RATIO = "customer_1_day", 1.5


def _setup_django(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "vosportal.settings"
    os.environ["TESTING"] = "1"  # the dev secret key; nothing here serves requests
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("VAR_DIR", str(cdr_data.ROOT / "var" / "bench"))
    import django

    django.setup()


def _page_fields(user) -> list[str]:
    """The fields the CDR page reads for this user: ``id``, ``start``, ``account`` and
    the user's visible columns (``billing.cdrs.views``), in the portal's order."""
    from accounts.scope import Scope
    from billing.cdrs import columns as cdr_columns

    fields = [column.field for column in cdr_columns.page_columns(Scope(user))]
    return list(dict.fromkeys(("id", "start", "account", *fields)))


def _columns(fields: list[str]) -> str:
    from billing.models import Cdr

    return ", ".join(f'"{Cdr._meta.get_field(name).column}"' for name in fields)


_TOTALS = (
    "SELECT count(*), count(*) FILTER (WHERE hold_time > 0), sum(hold_time), sum(fee),"
    " sum(agent_fee) FROM billing_cdr WHERE {where} AND start >= %s AND start < %s"
)
_PAGE = (
    "SELECT {columns} FROM billing_cdr WHERE {where} AND start >= %s AND start < %s"
    " ORDER BY start DESC, id DESC LIMIT %s"
)
_KEYSET = " AND (start, id) < (%s, %s)"
_POSITION = (
    "SELECT start, id FROM billing_cdr WHERE {where} AND start >= %s AND start < %s"
    " ORDER BY start DESC, id DESC OFFSET %s LIMIT 1"
)


class Case:
    """One search to measure: who searches, over how many days, and its bare SQL.
    ``deep``: the page that many rows down (reached by its "older" cursor) instead of
    the first."""

    def __init__(self, name, user_id, days, where, *, deep=0, totals_where=None):
        self.name, self.user_id, self.days, self.deep = name, user_id, days, deep
        self.where = where  # (sql, params) of the scope, as the indexes serve it best
        # Another way to write the scope for the totals, measured beside for comparison.
        self.totals_where = totals_where

    def _position(self, since: datetime, until: datetime):
        """(start, id) of the row just above the page (outside any timing)."""
        from django.db import connection

        if not self.deep:
            return None
        sql = _POSITION.format(where=self.where[0])
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self.where[1], since, until, self.deep - 1])
            return cursor.fetchone()

    def portal(self, since: datetime, until: datetime):
        from accounts.models import User
        from accounts.scope import Scope
        from billing.cdrs import selectors as cdr_selectors

        user = User.objects.select_related("tenant").get(pk=self.user_id)
        position = self._position(since, until)
        before = None
        if position:
            start, pk = position
            before = f"{int(start.timestamp() * 1000)}-{pk}"  # what cursor_of(row) gives

        fields = _page_fields(user)

        def run():
            rows = cdr_selectors.search(Scope(user), cdr_selectors.CdrFilters(since, until))
            page, totals = cdr_selectors.page_and_totals(
                rows, before=before, size=PAGE, fields=fields
            )
            return [row.pk for row in page.rows], totals

        return run

    def bare(self, since: datetime, until: datetime, totals_where=None, *, together=False):
        """The hand-written page and totals; ``together``: both statements sent in one
        round trip, as ``page_and_totals`` sends the portal's."""
        from django.db import connection

        from accounts.models import User

        user = User.objects.select_related("tenant").get(pk=self.user_id)
        where, params = self.where
        totals_where, totals_params = totals_where or self.where
        position = self._position(since, until)
        page_sql = _PAGE.format(columns=_columns(_page_fields(user)), where=where)
        page_params = [*params, since, until, PAGE + 1]
        if position:
            page_sql = page_sql.replace(" ORDER BY", _KEYSET + " ORDER BY")
            page_params = [*params, since, until, *position, PAGE + 1]
        totals_sql = _TOTALS.format(where=totals_where)
        totals_params = [*totals_params, since, until]

        def run():
            with connection.cursor() as cursor:
                if together:
                    cursor.execute(f"{page_sql}; {totals_sql}", [*page_params, *totals_params])
                    page = cursor.fetchall()
                    cursor.nextset()
                else:
                    cursor.execute(page_sql, page_params)
                    page = cursor.fetchall()
                    cursor.execute(totals_sql, totals_params)
                totals = cursor.fetchone()
            return [row[0] for row in page[:PAGE]], totals

        return run


def _cases(facts: dict) -> list[Case]:
    from accounts.models import Tenant

    reseller_path = facts["bench_reseller_path"]
    customer = ("tenant_id = %s", [facts["bench_customer_id"]])
    subtree = ("tenant_path LIKE %s", [reseller_path + "%"])
    # The subtree as its 1,003 tenant ids on cdr_tenant_start (listed outside timing).
    ids = list(Tenant.objects.filter(path__startswith=reseller_path).values_list("pk", flat=True))
    by_ids = ("tenant_id = ANY(%s)", [ids])
    everyone = ("TRUE", [])
    reseller = facts["reseller_user_id"]
    return [
        Case("customer_1_day", facts["customer_user_id"], 1, customer),
        Case("customer_31_days", facts["customer_user_id"], 31, customer),
        Case("reseller_1_day", reseller, 1, subtree, totals_where=by_ids),
        Case("reseller_31_days", reseller, 31, subtree, totals_where=by_ids),
        Case("reseller_31_days_page_40", reseller, 31, subtree, deep=39 * PAGE),
        Case("admin_1_day", facts["admin_user_id"], 1, everyone),
    ]


def _windows(facts: dict, days: int, count: int, rng: random.Random):
    first = datetime.fromisoformat(facts["since"]).astimezone(UTC)
    last = datetime.fromisoformat(facts["until"]).astimezone(UTC) - timedelta(days=days)
    span = (last - first).days
    for _ in range(count):
        since = first + timedelta(days=rng.randint(0, span))
        yield since, since + timedelta(days=days)


def _same(portal_answer, bare_answer) -> bool:
    portal_ids, totals = portal_answer
    bare_ids, (calls, answered, seconds, fee, agent_fee) = bare_answer
    return portal_ids == bare_ids and (
        totals.calls,
        totals.answered,
        totals.seconds,
        totals.fee,
        totals.agent_fee,
    ) == (calls, answered, seconds or 0, fee or 0, agent_fee or 0)


def _timed(fn):
    started = time.perf_counter()
    answer = fn()
    return (time.perf_counter() - started) * 1000, answer


def _explain(case: Case, since: datetime, until: datetime) -> None:
    """The plans of the portal's own queries (as sent), for tuning."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    portal = case.portal(since, until)
    with CaptureQueriesContext(connection) as captured:
        portal()
    print(f"\n=== {case.name} {since:%Y-%m-%d}..{until:%Y-%m-%d}: portal queries")
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if "billing_cdr" not in sql:
                print(f"-- {sql[:200]}")
                continue
            print(f"-- {sql[:400]}")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print("\n".join(line for (line,) in cursor.fetchall()))


def measure(case: Case, facts: dict, runs: int, warmup: int, rng: random.Random) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    windows = list(_windows(facts, case.days, runs + warmup, rng))
    portal_ms, bare_ms, one_ms, alt_ms, rows_in_range, mismatches = [], [], [], [], [], 0
    for number, (since, until) in enumerate(windows):
        portal, bare = case.portal(since, until), case.bare(since, until)
        one_trip = case.bare(since, until, together=True)
        # Alternate who goes first, so neither always finds the other's pages cached.
        if number % 2:
            (p_ms, p_answer), (b_ms, b_answer) = _timed(portal), _timed(bare)
            o_ms, o_answer = _timed(one_trip)
        else:
            (o_ms, o_answer), (b_ms, b_answer) = _timed(one_trip), _timed(bare)
            p_ms, p_answer = _timed(portal)
        mismatches += not _same(p_answer, b_answer)
        mismatches += o_answer != b_answer
        if case.totals_where:
            a_ms, a_answer = _timed(case.bare(since, until, case.totals_where))
            mismatches += a_answer != b_answer
        if number >= warmup:
            portal_ms.append(p_ms)
            bare_ms.append(b_ms)
            one_ms.append(o_ms)
            rows_in_range.append(b_answer[1][0])
            if case.totals_where:
                alt_ms.append(a_ms)
    portal = case.portal(*windows[-1])
    with CaptureQueriesContext(connection) as captured:
        portal()
    bare = summary(bare_ms)
    portal = summary(portal_ms, bare["p50_ms"])
    portal["p95_ratio_to_bare_p95"] = round(portal["p95_ms"] / bare["p95_ms"], 2)
    # The stricter baseline: the bare SQL in one round trip too (the portal's own way).
    one_trip = summary(one_ms)
    portal["p95_ratio_to_bare_one_trip_p95"] = round(portal["p95_ms"] / one_trip["p95_ms"], 2)
    portal["p50_ratio_to_bare_one_trip_p50"] = round(portal["p50_ms"] / one_trip["p50_ms"], 2)
    found = {"portal": portal, "bare_sql": bare, "bare_sql_one_round_trip": one_trip}
    if alt_ms:
        found["bare_sql_totals_by_tenant_ids"] = summary(alt_ms)
    return {
        **found,
        "days": case.days,
        "rows_in_range_median": sorted(rows_in_range)[len(rows_in_range) // 2],
        "portal_queries": len(captured.captured_queries),
        "answers_differ": mismatches,
    }


def run(rows: int, runs: int, warmup: int, explain: bool, only: list[str]) -> dict:
    url = cdr_data.ensure_bench_database(rows)
    facts = cdr_data.dataset(url)
    _setup_django(url)
    rng = random.Random(6)
    results = {}
    for case in _cases(facts):
        if only and case.name not in only:
            continue
        if explain:
            _explain(case, *next(_windows(facts, case.days, 1, random.Random(1))))
        results[case.name] = measure(case, facts, runs, warmup, rng)
        print(
            f"{case.name}: portal p50 {results[case.name]['portal']['p50_ms']} ms,"
            f" bare p50 {results[case.name]['bare_sql']['p50_ms']} ms",
            flush=True,
        )
    from django.db import connections

    from billing.models import Cdr

    connections.close_all()
    goal = results.get(GOAL_CASE, {}).get("portal", {}).get("p95_ratio_to_bare_p95")
    return {
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "goals": {
            f"{GOAL_CASE}_p95_ratio_to_bare_p95": GOAL_RATIO,
            "met": None if goal is None else goal <= GOAL_RATIO,
        },
        "indexes": [index.name for index in Cdr._meta.indexes],
        "dataset": {
            key: facts[key]
            for key in (
                "cdrs",
                "since",
                "until",
                "customers",
                "bench_reseller_customers",
                "bench_reseller_cdrs",
                "bench_customer_cdrs",
                "table_bytes",
            )
        },
        "results": results,
    }


def main(options: list[str]) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks cdr_search --")
    parser.add_argument("--rows", type=int, default=cdr_data.DEFAULT_ROWS)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="print the portal's plans")
    parser.add_argument("--case", action="append", default=[], help="only this case")
    parser.add_argument("--quick", action="store_true", help="1,000,000 rows, 10 runs")
    args = parser.parse_args(options)
    if args.quick:
        args.rows, args.runs = 1_000_000, 10
    payload = run(args.rows, args.runs, args.warmup, args.explain, args.case)
    path = write_result(NAME, payload)
    print(f"written to {path}")
    return payload
