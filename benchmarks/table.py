"""python -m benchmarks.table var/bench/*.json: README's table from the benchmarks' JSON.

One row per goal (each benchmark's ``goals``): measure | baseline | now | ratio | goal |
met, then a line per file with its commit, cores and load average. Files without goals
are named at the end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HEADER = ["measure", "baseline", "now", "ratio", "goal", "met"]


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:g}×"


def table(payloads: list[dict]) -> str:
    """The markdown table (and its notes) of the given benchmark payloads."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    notes, without = [], []
    for payload in payloads:
        goals = payload.get("goals") or []
        if not isinstance(goals, list):  # not rows of README's table: named below
            goals = []
        if not goals:
            without.append(payload.get("benchmark", "?"))
        for row in goals:
            cells = [
                row["measure"],
                row.get("baseline") or "—",
                row["now"],
                _ratio(row.get("ratio")),
                row["goal"],
                "yes" if row["met"] else "**no**",
            ]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        load = payload.get("load_average") or {}
        if not isinstance(load, dict):
            load = {"after": load}
        machine = payload.get("machine") or {}
        if goals:
            notes.append(
                f"{payload.get('benchmark', '?')}: {payload.get('when', '?')}, commit"
                f" {payload.get('commit', '?')}, {machine.get('cores', '?')} cores, load"
                f" average {_load(load.get('before'))} before, {_load(load.get('after'))} after"
            )
    out = "\n".join(lines) + "\n"
    if notes:
        out += "\n" + "\n".join(f"- {note}" for note in notes) + "\n"
    if without:
        out += f"\nNo goals in: {', '.join(without)}.\n"
    return out


def _load(values: list | None) -> str:
    return "/".join(f"{v:.2f}" for v in values) if values else "?"


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m benchmarks.table var/bench/*.json", file=sys.stderr)
        return 2
    payloads = []
    for name in argv:
        path = Path(name)
        if not path.is_file():  # an unmatched glob stays as typed
            print(f"no such file: {name}", file=sys.stderr)
            return 2
        payloads.append(json.loads(path.read_text()))
    print(table(payloads), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
