"""The reseller's customer list at scale: 10,000 customers in the subtree, every VOS call
20 ms slower (the simulator's latency fault on every endpoint).

Standalone: the portal runs in this process with Django on a throwaway SQLite database
(migrated at start) and talks over HTTP to a simulator started here; the simulator's
customers are written with its own row function, the portal's tenants in bulk.

Measures, through Django's test client as the reseller's manager:

- baseline: one raw VOS round trip (GetSoftSwitch through the portal's client, with
  the same 20 ms latency) in the same run;
- the customer list at two page sizes (random pages), p50/p95 and as a ratio to the
  baseline; a search and a sort by balance at the larger size;
- VOS calls per page (the simulator's ``stats``), which must not grow with page size:
  one GetCustomer per page whatever the number of rows.

    python -m benchmarks customer_list [-- --customers 10000 --runs 40 --latency-ms 20]
    python -m benchmarks customer_list -- --quick      # 1,000 customers, 15 runs
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import tempfile
import time

from benchmarks.common import sample, summary, write_result

NAME = "customer_list"
SUB_RESELLERS = 9
PAGE_SIZES = (25, 100)


def _setup_django(directory: str) -> None:
    """The portal's settings on a database and var/ of this run's own."""
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


def _fill_simulator(handle, customers: int, rng: random.Random) -> list[tuple[str, str]]:
    """The reseller, its sub-resellers and ``customers`` customers below them in VOS.
    Returns (account, agent) for every account made, parents first."""
    from vos3000.simulator.handlers.customers import create_customer_row

    made = [("bench-res", "")]
    made += [(f"bench-sub{n}", "bench-res") for n in range(SUB_RESELLERS)]
    agents = ["bench-res", *(account for account, _ in made[1:])]
    for n in range(customers):
        made.append((f"bc{n:06d}", agents[n % len(agents)]))
    with handle.sim.transaction() as ctx:
        for account, agent in made:
            create_customer_row(
                ctx,
                {
                    "account": account,
                    "name": f"Customer {account}",
                    "agentAccount": agent or None,
                    "money": round(rng.uniform(0, 500), 2),
                    "limitMoney": rng.choice([0.0, 0.0, 50.0]),
                    "memo": rng.choice(["", "", "", "vip", "call centre", "hotel"]),
                    "type": rng.choice([0, 0, 0, 1, 2]),
                },
            )
    return made


def _fill_portal(server, made: list[tuple[str, str]]):
    """Tenants mirroring the VOS tree, written in bulk (paths computed here), and the
    reseller manager who reads the list."""
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import Tenant, User
    from accounts.roles import Role

    root = Tenant.platform_root()
    next_pk = (Tenant.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    by_account: dict[str, Tenant] = {}
    rows = []
    for account, agent in made:
        parent = by_account.get(agent, root)
        kind = Tenant.Kind.RESELLER if account.startswith("bench-") else Tenant.Kind.CUSTOMER
        tenant = Tenant(
            pk=next_pk,
            kind=kind,
            name=f"Customer {account}",
            parent=parent,
            server=server,
            vos_account=account,
            path=f"{parent.path}{next_pk}/",
        )
        tenant.depth = tenant.path.count("/") - 2
        next_pk += 1
        by_account[account] = tenant
        rows.append(tenant)
    Tenant.objects.bulk_create(rows, batch_size=2000)
    reseller = by_account["bench-res"]
    user = User.objects.create_user(
        "bench-reseller@example.test", "bench", tenant=reseller, role=Role.RESELLER_MANAGER
    )
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")  # the role requires a second factor
    return reseller, user


def run(customers: int, runs: int, latency_ms: int) -> dict:
    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="bench-customer-list-") as directory:
        _setup_django(directory)
        from django.test import Client

        from accounts.models import Tenant
        from switch import vos
        from switch.models import VosServer
        from vos3000.simulator.app import start_simulator

        handle = start_simulator(host="127.0.0.1", port=0, allow="127.0.0.1|::1")
        try:
            started = time.perf_counter()
            made = _fill_simulator(handle, customers, rng)
            server = VosServer.objects.create(
                name="bench", base_url=handle.base_url, connect_timeout=2, read_timeout=30
            )
            reseller, user = _fill_portal(server, made)
            setup_seconds = time.perf_counter() - started
            below = Tenant.objects.filter(path__startswith=reseller.path).count() - 1

            client = Client()
            client.force_login(user)
            handle.control("fault", endpoint="*", mode="latency", ms=latency_ms, count=10**9)

            raw = vos.client_for(server)
            baseline = sample(lambda: raw.call("GetSoftSwitch", {}), runs=runs)
            base_p50 = summary(baseline)["p50_ms"]

            def vos_requests() -> dict:
                return dict(handle.control("stats")["requests"])

            def page_of(per_page: int, **params):
                pages = max(1, below // per_page)

                def one():
                    query = {"per_page": per_page, "page": rng.randint(1, pages), **params}
                    response = client.get("/customers/", query)
                    if response.status_code != 200:
                        raise RuntimeError(f"/customers/ answered {response.status_code}")

                return one

            def measured(fn, n) -> dict:
                fn()  # warm up (and check it answers)
                before = vos_requests()
                timings = sample(fn, runs=n, warmup=0)
                after = vos_requests()
                # The stats requests go to the control API: they are not counted.
                calls = {
                    endpoint: round((after.get(endpoint, 0) - before.get(endpoint, 0)) / n, 2)
                    for endpoint in after
                    if after.get(endpoint, 0) != before.get(endpoint, 0)
                }
                result = summary(timings, base_p50)
                result["vos_calls_per_page"] = round(sum(calls.values()), 2)
                result["vos_calls_per_page_by_endpoint"] = calls
                return result

            results = {"roundtrip_baseline": summary(baseline)}
            for per_page in PAGE_SIZES:
                results[f"list_page_of_{per_page}"] = measured(page_of(per_page), runs)
            largest = PAGE_SIZES[-1]
            results[f"list_search_memo_page_of_{largest}"] = measured(
                page_of(largest, q="hotel"), max(5, runs // 2)
            )
            results[f"list_sorted_by_balance_page_of_{largest}"] = measured(
                page_of(largest, sort="-balance"), max(5, runs // 2)
            )
            per_size = {results[f"list_page_of_{n}"]["vos_calls_per_page"] for n in PAGE_SIZES}
            results["vos_calls_grow_with_page_size"] = len(per_size) > 1
        finally:
            handle.control("clear_faults")
            handle.stop()
            vos.forget_clients()
            from django.db import connections

            connections.close_all()
    return {
        "dataset": {
            "customers_in_subtree": below,
            "sub_resellers": SUB_RESELLERS,
            "latency_ms_per_vos_call": latency_ms,
            "setup_seconds": round(setup_seconds, 1),
        },
        "results": results,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog=f"benchmarks {NAME}")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="1,000 customers, 15 runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.customers, args.runs = 1_000, 15
    payload = run(args.customers, args.runs, args.latency_ms)
    path = write_result(NAME, payload)
    print(f"{NAME}: wrote {path}", file=sys.stderr)
    return payload
