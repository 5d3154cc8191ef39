"""python -m benchmarks [name ...] [-- benchmark options]: run benchmarks, write JSON."""

from __future__ import annotations

import importlib
import json
import sys

BENCHMARKS = [
    "sim_getcdr",
    "customer_list",
    "cdr_ingest",
    "cdr_search",
    "cdr_export",
    "push_burst",
    "live_watchers",
]


def main(argv: list[str]) -> int:
    names, options = argv, []
    if "--" in argv:
        split = argv.index("--")
        names, options = argv[:split], argv[split + 1 :]
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for name in names or BENCHMARKS:
        payload = importlib.import_module(f"benchmarks.{name}").main(options)
        print(json.dumps(payload["results"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
