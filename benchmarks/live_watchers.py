"""100 browsers watching live calls on one VOS server: at most one GetCurrentCall per
poll interval, whoever and however many watch.

Standalone: the portal runs in this process (Django on a throwaway SQLite database)
with the simulator's demo platform and a few calls in progress. 100 simulated browsers
(threads, each with its own signed-in test client: admins, resellers and customers)
poll the live-calls fragment every refresh interval, as htmx does, for ``--seconds``.
The simulator's ``stats`` count the GetCurrentCall requests the portal made.

Reports the GetCurrentCall count against the allowed ceiling (one per elapsed poll
interval, plus the first), the fragments served, and the fragment's p50/p95 as a ratio
to one raw GetCurrentCall round trip measured in the same run (what each browser would
cost VOS if it asked itself).

    python -m benchmarks live_watchers [-- --browsers 100 --seconds 12 --interval 2]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import threading
import time

from benchmarks.common import sample, summary, write_result
from benchmarks.customer_list import _setup_django

NAME = "live_watchers"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CALLS = (
    ("80002001", "6581234567"),
    ("80002002", "6581234568"),
    ("80001001", "4420123456"),
    ("80002011", "9111234567"),
)


def _people(server):
    """Users of every family: the platform, two resellers, four customers."""
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import Tenant, User
    from accounts.roles import MFA_REQUIRED_ROLES, Role

    root = Tenant.platform_root()

    def tenant(account, kind, parent):
        return Tenant.objects.create(
            kind=kind, name=account, parent=parent, server=server, vos_account=account
        )

    globaltel = tenant("globaltel", Tenant.Kind.RESELLER, root)
    skyvoice = tenant("skyvoice", Tenant.Kind.RESELLER, root)
    customers = [
        tenant("manila-bpo", Tenant.Kind.CUSTOMER, globaltel),
        tenant("delhi-soft", Tenant.Kind.CUSTOMER, globaltel),
        tenant("acme", Tenant.Kind.CUSTOMER, root),
        tenant("sakura", Tenant.Kind.CUSTOMER, skyvoice),
    ]
    seats = [
        (root, Role.PLATFORM_ADMIN),
        (globaltel, Role.RESELLER_MANAGER),
        (skyvoice, Role.RESELLER_OPERATOR),
        *[(c, Role.CUSTOMER_OWNER) for c in customers],
    ]
    users = []
    for n, (where, role) in enumerate(seats):
        user = User.objects.create_user(
            f"watcher{n}@example.test", "bench", tenant=where, role=role
        )
        if role in MFA_REQUIRED_ROLES:
            TOTP.activate(user, TOTP_SECRET)
        users.append(user)
    return users


def run(browsers: int, seconds: float, interval: int, refresh: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-live-watchers-") as directory:
        _setup_django(directory)
        from django.conf import settings
        from django.db import connection
        from django.test import Client

        from switch import vos
        from switch.models import VosServer
        from vos3000.simulator.app import start_simulator

        settings.LIVE_CALLS_POLL_SECONDS = interval
        handle = start_simulator(host="127.0.0.1", port=0, allow="127.0.0.1|::1")
        try:
            handle.control("reset", demo=True)
            for caller, callee in CALLS:
                handle.control("place_call", caller=caller, callee=callee, duration=3600)
            server = VosServer.objects.create(name="bench", base_url=handle.base_url)
            users = _people(server)
            raw = vos.client_for(server)
            baseline = sample(lambda: raw.call("GetCurrentCall", {}), runs=30)

            clients = []
            for n in range(browsers):
                client = Client()
                client.force_login(users[n % len(users)])
                clients.append(client)
            timings: list[float] = []
            failures: list[str] = []
            lock = threading.Lock()
            stop_at = time.monotonic() + seconds

            def browser(client, offset: float) -> None:
                time.sleep(offset)
                try:
                    while time.monotonic() < stop_at:
                        started = time.perf_counter()
                        answer = client.get("/live/calls/", HTTP_HX_REQUEST="true")
                        took = (time.perf_counter() - started) * 1000
                        with lock:
                            timings.append(took)
                            if answer.status_code != 200:
                                failures.append(str(answer.status_code))
                        time.sleep(max(0.0, refresh - took / 1000))
                finally:
                    connection.close()

            before = handle.control("stats")["requests"].get("GetCurrentCall", 0)
            started = time.monotonic()
            threads = [
                threading.Thread(target=browser, args=(c, refresh * n / browsers))
                for n, c in enumerate(clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            made = handle.control("stats")["requests"].get("GetCurrentCall", 0) - before
        finally:
            handle.stop()
            vos.forget_clients()
            from django.db import connections

            connections.close_all()
    allowed = math.ceil(elapsed / interval) + 1
    fragment = summary(timings, summary(baseline)["p50_ms"])
    return {
        "dataset": {
            "browsers": browsers,
            "seconds": round(elapsed, 1),
            "poll_interval_s": interval,
            "refresh_s": refresh,
            "calls_in_progress": len(CALLS),
        },
        "results": {
            "get_current_call_made": made,
            "get_current_call_allowed": allowed,
            "at_most_one_per_interval": made <= allowed,
            "fragments_served": len(timings),
            "fragment_failures": len(failures),
            "raw_get_current_call_baseline": summary(baseline),
            "fragment": fragment,
        },
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog=f"benchmarks {NAME}")
    parser.add_argument("--browsers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--interval", type=int, default=2, help="GetCurrentCall poll interval")
    parser.add_argument("--refresh", type=float, default=1.0, help="each browser's refresh")
    args = parser.parse_args(argv)
    if _django_taken():
        return _in_own_process(list(argv or []))
    payload = run(args.browsers, args.seconds, args.interval, args.refresh)
    path = write_result(NAME, payload)
    print(f"{NAME}: wrote {path}", file=sys.stderr)
    return payload


def _django_taken() -> bool:
    """Django is set up once per process: after another benchmark, run in a fresh one."""
    from django.conf import settings

    return settings.configured


def _in_own_process(argv: list[str]) -> dict:
    import json
    import subprocess

    from benchmarks.common import RESULTS, ROOT

    subprocess.run([sys.executable, "-m", "benchmarks", NAME, "--", *argv], cwd=ROOT, check=True)
    return json.loads((RESULTS / f"{NAME}.json").read_text())
