"""The reseller's customer list at scale, in the production shape: 10,000 customers in
the subtree, gunicorn as the Dockerfile runs it (threaded workers) on PostgreSQL and
Redis, every VOS call 20 ms slower (the simulator's latency fault), real HTTP from
another process (benchmarks.harness).

Baselines, measured in the same run from the same driver process:

- one raw VOS round trip (an HTTP POST of GetSoftSwitch straight to the simulator, with
  the same latency);
- a trivial signed-in page (the notification list, empty: the layout, no VOS call);
- a static file (whitenoise).

Measures, signed in as the reseller's manager, random pages (the one-user figures and
their baselines in three alternating turns, pooled: see single_user):

- VOS calls per page at 25 and 100 rows (the simulator's counts): must not grow with the
  page size;
- p50/p95 for one user at both sizes, as ratios to the round trip;
- the gunicorn workers' CPU per page (from /proc) at both sizes, as a ratio to the
  trivial page's;
- 20 users at once, no think time: p95 as a ratio to the round trip, and pages/s; and
  the machine's CPU per page over that run (every process) with the floor it puts under
  the mean latency: users x CPU per page / cores (harness.closed_loop_floor); the
  trivial page under the same load beside it (what the machine allows any page).

    python -m benchmarks customer_list [-- --customers 10000 --runs 60 --users 20
                                           --workers 2 --latency-ms 20]
    python -m benchmarks customer_list -- --quick      # 1,000 customers, fewer runs
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys

from benchmarks.common import goal, write_result
from benchmarks.harness import (
    RESELLER_EMAIL,
    SUB_RESELLERS,
    Stack,
    get,
    latency,
    under_load,
)

NAME = "customer_list"
CORES = os.cpu_count() or 1
PAGE_SIZES = (25, 100)
# The notification list, empty: the layout, the session and one small query. (The
# preferences page is not trivial: about 3× the CPU of a 25-row customer list.)
TRIVIAL_PAGE = "/notifications/"
STATIC_FILE = "/static/css/app.css"
# The single-user figures are measured in this many turns (single_user).
ROUNDS = 3


def _setup_django(directory: str) -> None:
    """In-process Django on a throwaway SQLite database, for the benchmarks that still
    measure in-process (live_watchers): not the production shape."""
    import logging
    import os

    os.environ["DJANGO_SETTINGS_MODULE"] = "vosportal.settings"
    os.environ["TESTING"] = "1"  # the dev secret key and plain-HTTP cookies; no real users
    os.environ["VAR_DIR"] = directory
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()  # "testserver" is an allowed host for the test client
    for name in ("vos3000", "django.request", "accounts", "vosportal"):
        logging.getLogger(name).setLevel(logging.ERROR)
    call_command("migrate", verbosity=0)


def cpu_per_request(stack: Stack, spec: dict) -> tuple[dict, float]:
    """Drive ``spec`` (no warm-up of its own: the stack is warmed first); also the
    gunicorn workers' CPU milliseconds per request."""
    spec = {**spec, "warmup": 0}
    before = stack.worker_cpu_seconds()
    result = stack.drive(spec)
    spent = stack.worker_cpu_seconds() - before
    return result, round(spent * 1000 / (spec.get("users", 1) * spec["requests"]), 2)


def vos_calls_per_request(stack: Stack, spec: dict) -> tuple[dict, float, dict]:
    """Drive ``spec``; also the VOS calls per request, in all and by endpoint."""
    before = stack.vos_requests()
    result = stack.drive(spec)
    after = stack.vos_requests()
    count = spec.get("users", 1) * (spec["requests"] + spec.get("warmup", 3))
    by_endpoint = {
        name: round((after[name] - before.get(name, 0)) / count, 2)
        for name in after
        if after[name] != before.get(name, 0)
    }
    return result, round(sum(by_endpoint.values()), 2), by_endpoint


def single_user(stack: Stack, reseller, cookies: list[dict], pages, runs: int):
    """One user: the baselines and both page sizes measured in turns, ROUNDS times, each
    turn a share of ``runs`` requests (this machine's speed drifts by a fifth over
    minutes: measured in turns, a slow spell falls on the pages and their baselines
    alike). Latencies are pooled over the turns; CPU is summed over them."""
    from accounts.models import Tenant

    accounts = list(
        Tenant.objects.filter(path__startswith=reseller.tenant.path)
        .exclude(vos_account="")
        .order_by("vos_account")
        .values_list("vos_account", flat=True)[1000 : 1000 + max(PAGE_SIZES)]
    )
    kinds = {
        "vos_roundtrip": lambda n: [["POST", stack.vos_url("GetSoftSwitch"), "{}"]],
        "trivial_page": lambda n: get([stack.url(TRIVIAL_PAGE)]),
        "static_file": lambda n: get([stack.url(STATIC_FILE)]),
        # Each page size's own VOS call straight to the simulator, for the reader: what
        # VOS itself takes to answer for that many accounts (not the goal's baseline).
        **{
            f"vos_get_customer_{size}": (
                lambda n, size=size: [
                    [
                        "POST",
                        stack.vos_url("GetCustomer"),
                        json.dumps({"accounts": accounts[:size]}),
                    ]
                ]
            )
            for size in PAGE_SIZES
        },
        **{f"page_of_{size}": (lambda n, size=size: get(pages(size, n))) for size in PAGE_SIZES},
    }
    share = max(5, runs // ROUNDS)
    pooled = {kind: {"latencies_ms": [], "seconds": 0.0} for kind in kinds}
    cpu = dict.fromkeys(kinds, 0.0)
    calls: dict = {kind: {} for kind in kinds}
    for _ in range(ROUNDS):
        for kind, items in kinds.items():
            spec = {"items": items(share), "requests": share, "cookies": cookies, "warmup": 0}
            cpu_before, vos_before = stack.worker_cpu_seconds(), stack.vos_requests()
            result = stack.drive(spec)
            cpu[kind] += stack.worker_cpu_seconds() - cpu_before
            for name, count in stack.vos_requests().items():
                calls[kind][name] = calls[kind].get(name, 0) + count - vos_before.get(name, 0)
            pooled[kind]["latencies_ms"] += result["latencies_ms"]
            pooled[kind]["seconds"] += result["seconds"]
    done = share * ROUNDS

    def cpu_ms(kind: str) -> float:
        return round(cpu[kind] * 1000 / done, 2)

    roundtrip = latency(pooled["vos_roundtrip"])["p50_ms"]
    base = {
        "vos_roundtrip": latency(pooled["vos_roundtrip"]),
        "trivial_page": {
            **latency(pooled["trivial_page"]),
            "worker_cpu_ms": cpu_ms("trivial_page"),
        },
        "static_file": latency(pooled["static_file"]),
        **{
            f"vos_get_customer_{size}": latency(pooled[f"vos_get_customer_{size}"], roundtrip)
            for size in PAGE_SIZES
        },
    }
    results: dict = {"baselines": base, "rounds": ROUNDS}
    for size in PAGE_SIZES:
        kind = f"page_of_{size}"
        by_endpoint = {name: round(count / done, 2) for name, count in calls[kind].items() if count}
        results[f"single_user_page_of_{size}"] = {
            **latency(pooled[kind], roundtrip),
            "vos_calls_per_page": round(sum(by_endpoint.values()), 2),
            "vos_calls_by_endpoint": by_endpoint,
            "worker_cpu_ms": cpu_ms(kind),
            "cpu_ratio_to_trivial_page": round(cpu_ms(kind) / cpu_ms("trivial_page"), 2),
        }
    return results, base


def run(customers: int, runs: int, users: int, workers: int, latency_ms: int) -> dict:
    rng = random.Random(7)
    with Stack(customers=customers, workers=workers, latency_ms=latency_ms) as stack:
        from accounts.models import Tenant

        reseller = stack.user(RESELLER_EMAIL)
        below = Tenant.objects.filter(path__startswith=reseller.tenant.path).count() - 1
        cookies = stack.cookies(RESELLER_EMAIL, sessions=users)

        def pages(per_page: int, n: int) -> list[str]:
            last = max(1, below // per_page)
            return [
                stack.url("/customers/", per_page=per_page, page=rng.randint(1, last))
                for _ in range(n)
            ]

        stack.warm(
            [stack.url(TRIVIAL_PAGE), *pages(PAGE_SIZES[0], 4), *pages(PAGE_SIZES[-1], 4)],
            cookies,
        )
        results, base = single_user(stack, reseller, cookies[:1], pages, runs)
        roundtrip = base["vos_roundtrip"]["p50_ms"]
        per_user = max(5, runs // 4)

        def loaded(items: list[str]) -> dict:
            spec = {"users": users, "requests": per_user, "warmup": 2, "cookies": cookies}
            return under_load(stack, {**spec, "items": get(items)}, roundtrip)

        results[f"concurrent_{users}_users_page_of_{PAGE_SIZES[0]}"] = loaded(
            pages(PAGE_SIZES[0], users * (per_user + 2))
        )
        # The trivial page under the same load: what this machine allows any page.
        base[f"trivial_page_{users}_users"] = loaded([stack.url(TRIVIAL_PAGE)])
        setup_seconds = stack.setup_seconds

    return {
        "dataset": {
            "customers_in_subtree": below,
            "sub_resellers": SUB_RESELLERS,
            "latency_ms_per_vos_call": latency_ms,
            "gunicorn_workers": workers,
            "gunicorn_command": stack.gunicorn_command,
            "setup_seconds": setup_seconds,
        },
        "results": results,
        "goals": goals(results, users, workers),
    }


def goals(results: dict, users: int, workers: int) -> list[dict]:
    base = results["baselines"]
    roundtrip = base["vos_roundtrip"]["p50_ms"]
    rt = f"VOS round trip {roundtrip:.1f} ms"
    trivial_cpu = base["trivial_page"]["worker_cpu_ms"]
    singles = {n: results[f"single_user_page_of_{n}"] for n in PAGE_SIZES}
    calls = [singles[n]["vos_calls_per_page"] for n in PAGE_SIZES]
    rows = [
        goal(
            "VOS calls per customer-list page ("
            + " / ".join(f"{n}" for n in PAGE_SIZES)
            + " rows)",
            now=" / ".join(f"{c:g}" for c in calls),
            goal="≤ 2 at any page size",
            met=max(calls) <= 2,
        )
    ]
    for n in PAGE_SIZES:
        single = singles[n]
        rows.append(
            goal(
                f"reseller customer list p50, one user, {n} rows",
                baseline=rt,
                now=f"p50 {single['p50_ms']:.0f} ms (p95 {single['p95_ms']:.0f} ms)"
                + own_call_text(base, n),
                ratio=single["p50_ratio"],
                goal="≤ 1.5× the round trip",
                met=single["p50_ratio"] <= 1.5,
            )
        )
    for n in PAGE_SIZES:
        single = singles[n]
        rows.append(
            goal(
                f"portal CPU per customer-list page, {n} rows",
                baseline=f"trivial signed-in page {trivial_cpu:.1f} ms CPU",
                now=f"{single['worker_cpu_ms']:.1f} ms CPU",
                ratio=single["cpu_ratio_to_trivial_page"],
                goal="≤ 3× a trivial signed-in page",
                met=single["cpu_ratio_to_trivial_page"] <= 3,
            )
        )
    concurrent = results[f"concurrent_{users}_users_page_of_{PAGE_SIZES[0]}"]
    trivial_loaded = base.get(f"trivial_page_{users}_users")
    trivial_text = (
        f"; the trivial page under the same load: p95 {trivial_loaded['p95_ms']:.0f} ms ="
        f" {trivial_loaded['p95_ratio']:g}×, its floor {trivial_loaded['floor_ratio']:g}×"
        if trivial_loaded
        else ""
    )
    rows.append(
        goal(
            f"customer list, {users} concurrent users, {workers} workers, no think time",
            baseline=rt,
            now=(
                f"p95 {concurrent['p95_ms']:.0f} ms, {concurrent['per_second']:.1f} pages/s;"
                f" the machine's floor for the mean: {concurrent['mean_latency_floor_ms']:.0f} ms"
                f" = {concurrent['floor_ratio']:g}× ({users} users ×"
                f" {concurrent['machine_cpu_ms_per_page']:.0f} ms CPU per page, all processes,"
                f" / {CORES} cores){trivial_text}"
            ),
            ratio=concurrent["p95_ratio"],
            goal="p95 ≤ 10× the round trip",
            met=concurrent["p95_ratio"] <= 10,
        )
    )
    return rows


def own_call_text(base: dict, per_page: int) -> str:
    own = base.get(f"vos_get_customer_{per_page}")
    if not own:
        return ""
    return (
        f"; its GetCustomer of {per_page} accounts straight to the simulator alone:"
        f" p50 {own['p50_ms']:.1f} ms = {own['p50_ratio']:g}×"
    )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog=f"benchmarks {NAME}")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="1,000 customers, 20 runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.customers, args.runs = 1_000, 20
    payload = run(args.customers, args.runs, args.users, args.workers, args.latency_ms)
    path = write_result(NAME, payload)
    print(f"{NAME}: wrote {path}", file=sys.stderr)
    return payload
