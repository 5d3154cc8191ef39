"""A burst of VOS pushes: how fast the receiver accepts them, and that none is lost.

Standalone: the portal runs in this process (Django on a throwaway SQLite database, the
filesystem broker under a throwaway var/) with a simulator for phone-owner look-ups.
Through Django's test client, from the server's address, it POSTs a burst of section-3
messages (CustomerMoneyChange, PhoneOnline, CallStateReport, AlarmCurrentReport mixed)
to ``vos/push/<token>/<server>/<Name>``:

- baseline: the same bodies POSTed to a trivial endpoint in the same run (parses the
  JSON and answers ``{"retCode": 0}``; same middleware), pushes/s;
- the receiver: pushes/s accepted (inbox written, task enqueued on commit to the real
  broker), and its ratio to the baseline;
- then every waiting message is processed as the beat sweep would (no worker runs here:
  each enqueued task is still in the broker, so this is also the "broker lost them"
  case), and the run checks that every accepted push was processed, none failed.

    python -m benchmarks push_burst [-- --pushes 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time

from benchmarks.common import write_result
from benchmarks.customer_list import _setup_django

NAME = "push_burst"
TOKEN = "bench-push-token-0001"  # noqa: S105 (a throwaway run's own)


def _install_urls() -> None:
    """This module becomes the URLconf of the run: the portal's URLs plus the baseline
    endpoint (made after Django is set up)."""
    from django.http import JsonResponse
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    @csrf_exempt
    def noop(request, name: str):
        json.loads(request.body.decode("utf-8"))
        return JsonResponse({"retCode": 0})

    globals()["urlpatterns"] = [
        path("bench/noop/<str:name>", noop),
        path("", include("vosportal.urls")),
    ]


def _messages(n: int, accounts: list[str]) -> list[tuple[str, dict]]:
    now = int(time.time() * 1000)
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            out.append(
                ("CustomerMoneyChange", {"account": accounts[i % len(accounts)], "money": i})
            )
        elif kind == 1:
            out.append(
                (
                    "PhoneOnline",
                    {
                        "e164": f"8100{i % 50:04d}",
                        "dids": [],
                        "online": bool(i % 8 == 1),
                        "eventTime": now + i,
                        "localIp": "192.168.1.10",
                        "localPort": 5060,
                        "remoteIp": "203.0.113.10",
                        "productId": "bench phone",
                    },
                )
            )
        elif kind == 2:
            out.append(
                (
                    "CallStateReport",
                    {
                        "callId": i,
                        "callState": -6,
                        "eventTime": now + i,
                        "callerE164": f"8100{i % 50:04d}",
                        "calleeE164": "4420123456",
                        "callerIp": "203.0.113.10",
                        "calleeIp": "198.51.100.1",
                        "callerLocalIp": "192.168.1.10",
                        "calleeLocalIp": "",
                    },
                )
            )
        else:
            alarm = {
                "id": i,
                "type": 20003,
                "level": 1,
                "name": "CPU",
                "startTime": now,
                "value": 90.0,
                "memo": "",
            }
            out.append(("AlarmCurrentReport", {"infoAlarmCurrents": [alarm]}))
    return out


def run(pushes: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-push-burst-") as directory:
        _setup_django(directory)
        from django.conf import settings
        from django.test import Client

        from accounts.models import Tenant
        from switch import push_inbox, vos
        from switch.models import PushInbox, VosServer
        from vos3000.simulator.app import start_simulator

        _install_urls()
        settings.ROOT_URLCONF = __name__
        handle = start_simulator(host="127.0.0.1", port=0, allow="127.0.0.1|::1")
        try:
            server = VosServer.objects.create(
                name="bench", base_url=handle.base_url, push_token=TOKEN, read_timeout=30
            )
            root = Tenant.platform_root()
            accounts = [f"bench-{n}" for n in range(20)]
            for account in accounts:
                Tenant.objects.create(
                    kind=Tenant.Kind.CUSTOMER,
                    name=account,
                    parent=root,
                    server=server,
                    vos_account=account,
                )
            messages = _messages(pushes, accounts)
            bodies = [(name, json.dumps(body)) for name, body in messages]
            client = Client(REMOTE_ADDR="127.0.0.1")

            def burst(prefix: str) -> float:
                started = time.perf_counter()
                for name, body in bodies:
                    answer = client.post(f"{prefix}/{name}", body, content_type="text/html")
                    if answer.status_code != 200 or answer.json()["retCode"] != 0:
                        raise RuntimeError(f"{prefix}/{name} answered {answer.content[:200]!r}")
                return time.perf_counter() - started

            burst("/bench/noop")  # warm up
            baseline_seconds = burst("/bench/noop")
            receiver_seconds = burst(f"/vos/push/{TOKEN}/{server.name}")
            accepted = PushInbox.objects.count()
            started = time.perf_counter()
            processed = push_inbox.sweep(older_than=0)
            process_seconds = time.perf_counter() - started
            waiting = PushInbox.objects.filter(processed_at__isnull=True).count()
            failed = PushInbox.objects.exclude(error="").count()
        finally:
            handle.stop()
            vos.forget_clients()
            from django.db import connections

            connections.close_all()
    baseline_rate = pushes / baseline_seconds
    receiver_rate = pushes / receiver_seconds
    return {
        "dataset": {"pushes": pushes, "kinds": 4},
        "results": {
            "baseline_pushes_per_s": round(baseline_rate, 1),
            "receiver_pushes_per_s": round(receiver_rate, 1),
            "receiver_ratio_to_baseline": round(receiver_rate / baseline_rate, 3),
            "accepted": accepted,
            "processed": processed,
            "processed_per_s": round(processed / process_seconds, 1) if processed else 0,
            "waiting_after_sweep": waiting,
            "failed": failed,
            "all_processed": accepted == pushes == processed and waiting == 0 and failed == 0,
        },
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog=f"benchmarks {NAME}")
    parser.add_argument("--pushes", type=int, default=1000)
    args = parser.parse_args(argv)
    if _django_taken():
        return _in_own_process(list(argv or []))
    payload = run(args.pushes)
    path_written = write_result(NAME, payload)
    print(f"{NAME}: wrote {path_written}", file=sys.stderr)
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
