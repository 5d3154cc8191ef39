"""A burst of VOS pushes over real HTTP, on one connection, as VOS sends them.

In the production shape (benchmarks.harness: gunicorn as the Dockerfile runs it, PostgreSQL, Redis),
one sender in another process POSTs section-3 messages (CustomerMoneyChange,
PhoneOnline, CallStateReport, AlarmCurrentReport mixed) back to back to
``vos/push/<token>/<server>/<Name>``, from 127.0.0.1 (the simulator's address, which the
server's push check allows):

- baseline: a static file (whitenoise) fetched the same way, from the same server, in the
  same run: the cheapest request the stack answers;
- the receiver: pushes/s accepted, and its ratio to the baseline;
- then the pushes accepted are counted in the inbox and, unless ``--no-process``, the
  waiting ones are processed as the beat sweep would (no worker runs here) to check
  that none is lost or failed.

    python -m benchmarks push_burst [-- --pushes 2000 --workers 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from benchmarks.common import goal, write_result
from benchmarks.harness import PUSH_TOKEN, SERVER_NAME, Stack, get, latency

NAME = "push_burst"
STATIC_FILE = "/static/css/app.css"
GOAL_PER_S = 1000
GOAL_RATIO = 0.5


def messages(n: int, accounts: list[str]) -> list[tuple[str, dict]]:
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


def run(pushes: int, workers: int, process: bool) -> dict:
    with Stack(workers=workers, latency_ms=0) as stack:
        from switch.models import PushInbox

        PushInbox.objects.all().delete()
        accounts = [f"bc{n:06d}" for n in range(20)]
        prefix = stack.url(f"/vos/push/{PUSH_TOKEN}/{SERVER_NAME}")
        items = [
            ["POST", f"{prefix}/{name}", json.dumps(body)]
            for name, body in messages(pushes, accounts)
        ]
        static = [stack.url(STATIC_FILE)]
        # Warm every worker on both URLs (the pushes of the warm-up are not counted).
        warm = [
            ["POST", f"{prefix}/{name}", json.dumps(body)] for name, body in messages(8, accounts)
        ]
        stack.drive(
            {"items": warm + get(static), "users": 2 * workers, "requests": 10, "warmup": 0}
        )
        PushInbox.objects.all().delete()

        baseline = latency(stack.drive({"items": get(static), "requests": pushes, "warmup": 0}))
        receiver = latency(stack.drive({"items": items, "requests": pushes, "warmup": 0}))
        accepted = PushInbox.objects.count()
        processing: dict = {}
        if process:
            from switch import push_inbox

            started = time.perf_counter()
            processed = push_inbox.sweep(older_than=0)
            seconds = time.perf_counter() - started
            waiting = PushInbox.objects.filter(processed_at__isnull=True).count()
            failed = PushInbox.objects.exclude(error="").count()
            processing = {
                "processed": processed,
                "processed_per_s_in_one_process": round(processed / seconds, 1) if seconds else 0,
                "waiting_after_sweep": waiting,
                "failed": failed,
                "all_processed": accepted == pushes == processed and not waiting and not failed,
            }
    ratio = round(receiver["per_second"] / baseline["per_second"], 3)
    results = {
        "static_file_one_connection": baseline,
        "push_intake_one_connection": receiver,
        "receiver_ratio_to_static_file": ratio,
        "accepted": accepted,
        "all_accepted": accepted == pushes,
        **processing,
    }
    rate = receiver["per_second"]
    return {
        "dataset": {"pushes": pushes, "kinds": 4, "gunicorn_workers": workers},
        "results": results,
        "goals": [
            goal(
                "push intake over HTTP, one connection",
                baseline=f"static file {baseline['per_second']:.0f}/s",
                now=f"{rate:.0f} pushes/s (p50 {receiver['p50_ms']:.1f} ms)",
                ratio=ratio,
                goal=f"≥ {GOAL_PER_S:,}/s, or ≥ {GOAL_RATIO}× a trivial request",
                met=(rate >= GOAL_PER_S or ratio >= GOAL_RATIO) and accepted == pushes,
            )
        ],
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog=f"benchmarks {NAME}")
    parser.add_argument("--pushes", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-process", action="store_true", help="skip processing the accepted pushes"
    )
    args = parser.parse_args(argv)
    payload = run(args.pushes, args.workers, not args.no_process)
    path = write_result(NAME, payload)
    print(f"{NAME}: wrote {path}", file=sys.stderr)
    return payload
