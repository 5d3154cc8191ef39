"""The ledger, phones and gateways pages under 50 users, in the production shape.

benchmarks.harness: gunicorn as the Dockerfile runs it, on PostgreSQL and Redis, every
VOS call 20 ms slower, real HTTP from another process, each virtual user signed in
with a session of its own. The data: 5,000 succeeded top-ups in the reseller's ledger,
a customer with 400 phones (16 pages) and one with 20 (one page), 60 routing gateways.

Baselines in the same run: one raw VOS round trip (GetSoftSwitch POSTed straight to the
simulator) and a trivial signed-in page (the notification list), also under the same
50-user load.

Measures:

- VOS calls per phones page, for a customer with one page of phones and for one with
  many (must not grow with the number of phones);
- the gunicorn workers' CPU per page (one user; from /proc), beside the trivial page's;
- p50/p95 of each page with 50 users at once, no think time, as ratios to the round
  trip, and pages/s: the ledger (the reseller's manager, random "older" pages), a
  customer's phones (the reseller's manager, random pages), routing gateways (a platform
  admin); with each, the machine's CPU per page over the run (every process) and the
  floor it puts under the mean latency (harness.closed_loop_floor).

    python -m benchmarks pages_load [-- --users 50 --requests 6 --workers 2 --latency-ms 20]
"""

from __future__ import annotations

import argparse
import random
import sys

from benchmarks.common import goal, write_result
from benchmarks.customer_list import CORES, TRIVIAL_PAGE, cpu_per_request, vos_calls_per_request
from benchmarks.harness import (
    ADMIN_EMAIL,
    PHONES,
    RESELLER_EMAIL,
    Stack,
    get,
    latency,
    under_load,
)

NAME = "pages_load"
LOAD_GOAL = 10  # p95 ≤ 10× the round trip, as the customer list under load


def run(users: int, requests: int, runs: int, workers: int, latency_ms: int) -> dict:
    rng = random.Random(13)
    with Stack(workers=workers, latency_ms=latency_ms) as stack:
        from accounts.models import Tenant
        from billing.models import MoneyTransfer
        from telephony.phones.views import PAGE_SIZE

        reseller_cookies = stack.cookies(RESELLER_EMAIL, sessions=users)
        admin_cookies = stack.cookies(ADMIN_EMAIL, sessions=users)
        small, large = (Tenant.objects.get(vos_account=account) for account in PHONES)
        large_pages = -(-PHONES[large.vos_account] // PAGE_SIZE)
        pks = list(MoneyTransfer.objects.order_by("-pk").values_list("pk", flat=True))

        def phones(tenant, n: int) -> list[str]:
            last = -(-PHONES[tenant.vos_account] // PAGE_SIZE)
            return [
                stack.url(f"/customers/{tenant.pk}/phones/", page=rng.randint(1, last))
                for _ in range(n)
            ]

        def ledger(n: int) -> list[str]:
            # The first page, and "older" pages from anywhere in the history.
            return [
                stack.url("/ledger/")
                if i % 4 == 0
                else stack.url("/ledger/", before=pks[rng.randrange(len(pks))])
                for i in range(n)
            ]

        gateways = [stack.url(f"/gateways/{stack.server.pk}/routing/")]
        reseller_pages = [stack.url(TRIVIAL_PAGE), *ledger(4), *phones(large, 4), *phones(small, 1)]
        stack.warm(reseller_pages, reseller_cookies)
        stack.warm(gateways, admin_cookies)

        roundtrip = latency(
            stack.drive(
                {"items": [["POST", stack.vos_url("GetSoftSwitch"), "{}"]], "requests": runs}
            )
        )
        rt = roundtrip["p50_ms"]
        results: dict = {"baselines": {"vos_roundtrip": roundtrip}}
        for name, tenant in (("one_page", small), ("many_pages", large)):
            spec = {
                "items": get(phones(tenant, runs)),
                "requests": runs,
                "cookies": reseller_cookies[:1],
            }
            measured, calls, by_endpoint = vos_calls_per_request(stack, spec)
            results[f"phones_{name}_single_user"] = {
                **latency(measured, rt),
                "phones": PHONES[tenant.vos_account],
                "vos_calls_per_page": calls,
                "vos_calls_by_endpoint": by_endpoint,
            }

        # The gunicorn workers' CPU per page, one user (what a core can serve at most).
        cpu = {}
        for page, items, cookies in (
            ("trivial_page", [stack.url(TRIVIAL_PAGE)], reseller_cookies),
            ("ledger", ledger(runs), reseller_cookies),
            ("phones", phones(large, runs), reseller_cookies),
            ("gateways", gateways, admin_cookies),
        ):
            _, ms = cpu_per_request(
                stack, {"items": get(items), "requests": runs, "cookies": cookies[:1]}
            )
            cpu[page] = ms
        results["worker_cpu_ms_per_page"] = cpu

        def loaded(items: list, cookies: list[dict]) -> dict:
            spec = {"users": users, "requests": requests, "warmup": 1, "cookies": cookies}
            return under_load(stack, {**spec, "items": get(items)}, rt)

        count = users * (requests + 1)
        results["baselines"][f"trivial_page_{users}_users"] = loaded(
            [stack.url(TRIVIAL_PAGE)], reseller_cookies
        )
        results[f"ledger_{users}_users"] = loaded(ledger(count), reseller_cookies)
        results[f"phones_{users}_users"] = loaded(phones(large, count), reseller_cookies)
        results[f"gateways_{users}_users"] = loaded(gateways, admin_cookies)

    return {
        "dataset": {
            "ledger_transfers": len(pks),
            "phones": PHONES,
            "phone_pages_of_large": large_pages,
            "latency_ms_per_vos_call": latency_ms,
            "gunicorn_workers": workers,
            "gunicorn_command": stack.gunicorn_command,
            "users": users,
        },
        "results": results,
        "goals": goals(results, users, workers),
    }


def goals(results: dict, users: int, workers: int) -> list[dict]:
    rt = results["baselines"]["vos_roundtrip"]["p50_ms"]
    calls = [
        results[f"phones_{n}_single_user"]["vos_calls_per_page"] for n in ("one_page", "many_pages")
    ]
    phones = [results[f"phones_{n}_single_user"]["phones"] for n in ("one_page", "many_pages")]
    rows = [
        goal(
            f"VOS calls per phones page ({phones[0]} / {phones[1]} phones)",
            now=" / ".join(f"{c:g}" for c in calls),
            goal="≤ 2 at any page size",
            met=max(calls) <= 2,
        )
    ]
    trivial = results["baselines"].get(f"trivial_page_{users}_users")
    trivial_text = (
        f"; the trivial page under the same load: p95 {trivial['p95_ms']:.0f} ms ="
        f" {trivial['p95_ratio']:g}×, its floor {trivial['floor_ratio']:g}×"
        if trivial and "floor_ratio" in trivial
        else ""
    )
    for page in ("ledger", "phones", "gateways"):
        figure = results[f"{page}_{users}_users"]
        rows.append(
            goal(
                f"{page} page, {users} users, {workers} workers, no think time",
                baseline=f"VOS round trip {rt:.1f} ms",
                now=(
                    f"p95 {figure['p95_ms']:.0f} ms, {figure['per_second']:.1f} pages/s;"
                    f" the machine's floor for the mean: {figure['mean_latency_floor_ms']:.0f} ms"
                    f" = {figure['floor_ratio']:g}× ({users} users ×"
                    f" {figure['machine_cpu_ms_per_page']:.0f} ms CPU per page / {CORES} cores)"
                    + trivial_text
                ),
                ratio=figure["p95_ratio"],
                goal=f"p95 ≤ {LOAD_GOAL}× the round trip",
                met=figure["p95_ratio"] <= LOAD_GOAL,
            )
        )
    return rows


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog=f"benchmarks {NAME}")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--requests", type=int, default=6, help="measured requests per user")
    parser.add_argument("--runs", type=int, default=30, help="single-user requests")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-ms", type=int, default=20)
    args = parser.parse_args(argv)
    payload = run(args.users, args.requests, args.runs, args.workers, args.latency_ms)
    path = write_result(NAME, payload)
    print(f"{NAME}: wrote {path}", file=sys.stderr)
    return payload
