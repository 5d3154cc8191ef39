"""python -m benchmarks [name ...] [-- benchmark options]: run benchmarks, write JSON.

Each benchmark runs in a process of its own (Django is set up once per process, and
benchmarks set it up differently), writes var/bench/<name>.json and has it printed here.
PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL) must answer first: without
them nothing runs and the exit code is 2. `python -m benchmarks.table var/bench/*.json`
then prints README's table.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

BENCHMARKS = [
    "sim_getcdr",
    "customer_list",
    "pages_load",
    "push_burst",
    "cdr_ingest",
    "cdr_search",
    "cdr_export",
    "live_watchers",
    "bulk_import",
]
IN_PROCESS = "--in-process"


def main(argv: list[str]) -> int:
    if argv[:1] == [IN_PROCESS]:
        importlib.import_module(f"benchmarks.{argv[1]}").main(
            argv[3:] if argv[2:3] == ["--"] else argv[2:]
        )
        return 0
    names, options = argv, []
    if "--" in argv:
        split = argv.index("--")
        names, options = argv[:split], argv[split + 1 :]
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    from benchmarks.common import RESULTS, ROOT
    from benchmarks.harness import require_services

    require_services()  # exit 2, saying why, without PostgreSQL or Redis
    for name in names or BENCHMARKS:
        command = [sys.executable, "-m", "benchmarks", IN_PROCESS, name, "--", *options]
        done = subprocess.run(command, cwd=ROOT, check=False)
        if done.returncode != 0:
            print(f"benchmark {name} failed (exit code {done.returncode})", file=sys.stderr)
            return done.returncode
        print(json.dumps(json.loads((RESULTS / f"{name}.json").read_text()), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
