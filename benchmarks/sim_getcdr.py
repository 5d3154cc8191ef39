"""The simulator at scale: GetCdr for one account and one day over a large store.

Generates (once, cached under var/bench/) a store of --customers customers and --cdrs
CDRs with `vos3000.simulator.generate`, serves it over HTTP, and measures through the
real client:

- baseline: one raw VOS round trip (GetSoftSwitch, no data) in the same run;
- GetCdr, one account, one day; and one account, 31 days;
- the bare indexed SQL query behind the one-day search, on the same file.

Reports p50/p95 and each as a ratio to the round-trip baseline.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from benchmarks.common import DATA, sample, summary, write_result

NAME = "sim_getcdr"


def ensure_dataset(customers: int, cdrs: int, days: int) -> str:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"sim-{customers}-{cdrs}-{days}.sqlite3"
    if not path.exists():
        print(f"generating {path.name} (once; reused by later runs)...", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "vos3000.simulator.generate",
                "--data",
                str(path),
                "--customers",
                str(customers),
                "--cdrs",
                str(cdrs),
                "--days",
                str(days),
            ],
            check=True,
        )
    return str(path)


def run(customers: int, cdrs: int, days: int, runs: int) -> dict:
    from vos3000.client import VosClient, format_day
    from vos3000.simulator.app import start_simulator

    path = ensure_dataset(customers, cdrs, days)
    db = sqlite3.connect(path)
    busy_accounts = [
        row[0]
        for row in db.execute(
            "SELECT account FROM cdr WHERE flowNo % 997 = 0 GROUP BY account LIMIT 200"
        )
    ]
    rng = random.Random(7)
    today = datetime.now(UTC).date()

    def random_day():
        return today - timedelta(days=rng.randint(1, days))

    handle = start_simulator(host="127.0.0.1", port=0, data=path, cdr_max_days=31)
    try:
        client = VosClient(handle.base_url, timeout=(2, 60))

        baseline = sample(lambda: client.call("GetSoftSwitch", {}), runs=runs)
        base_p50 = summary(baseline)["p50_ms"]

        def one_day():
            day = random_day()
            client.get_cdr(
                accounts=[rng.choice(busy_accounts)],
                begin_time=format_day(day),
                end_time=format_day(day),
            )

        def month():
            end = random_day()
            start = end - timedelta(days=30)
            client.get_cdr(
                accounts=[rng.choice(busy_accounts)],
                begin_time=format_day(start),
                end_time=format_day(end),
            )

        def raw_sql():
            day = random_day()
            begin = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
            db.execute(
                "SELECT * FROM cdr WHERE account = ? AND start >= ? AND start < ?",
                (rng.choice(busy_accounts), begin, begin + 86_400_000),
            ).fetchall()

        results = {
            "roundtrip_baseline": summary(baseline),
            "getcdr_one_account_one_day": summary(sample(one_day, runs=runs), base_p50),
            "getcdr_one_account_31_days": summary(sample(month, runs=max(10, runs // 4)), base_p50),
            "bare_indexed_sql_one_day": summary(sample(raw_sql, runs=runs), base_p50),
        }
    finally:
        handle.stop()
        db.close()
    return {
        "dataset": {"customers": customers, "cdrs": cdrs, "days": days},
        "results": results,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog=f"benchmarks {NAME}")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--cdrs", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)
    payload = run(args.customers, args.cdrs, args.days, args.runs)
    path = write_result(NAME, payload)
    print(f"{NAME}: wrote {path}")
    return payload
