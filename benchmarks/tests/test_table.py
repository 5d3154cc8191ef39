"""README's table from the benchmarks' JSON (benchmarks.table). No benchmark runs here."""

import json
import subprocess
import sys

from benchmarks.common import ROOT, goal
from benchmarks.table import table


def _payload(name: str, *goals: dict) -> dict:
    return {
        "benchmark": name,
        "when": "2026-12-07T09:00:00Z",
        "commit": "abc123",
        "machine": {"cores": 2},
        "load_average": {"before": [0.5, 0.4, 0.3], "after": [2.0, 1.0, 0.5]},
        "goals": list(goals),
    }


def test_it_writes_one_row_per_goal_with_the_ratio_and_whether_it_is_met():
    out = table(
        [
            _payload(
                "customer_list",
                goal(
                    "customer list p50",
                    baseline="VOS round trip 21.0 ms",
                    now="p50 90 ms",
                    ratio=4.29,
                    goal="≤ 1.5× the round trip",
                    met=False,
                ),
                goal("VOS calls per page", now="1 / 1", goal="≤ 2", met=True),
            )
        ]
    )
    lines = out.splitlines()
    assert lines[0] == "| measure | baseline | now | ratio | goal | met |"
    assert lines[1] == "|---|---|---|---|---|---|"
    assert lines[2] == (
        "| customer list p50 | VOS round trip 21.0 ms | p50 90 ms | 4.29× | ≤ 1.5× the round trip"
        " | **no** |"
    )
    assert lines[3] == "| VOS calls per page | — | 1 / 1 | — | ≤ 2 | yes |"
    assert "customer_list: 2026-12-07T09:00:00Z, commit abc123, 2 cores" in out
    assert "load average 0.50/0.40/0.30 before, 2.00/1.00/0.50 after" in out


def test_it_escapes_pipes_and_names_the_files_without_goals():
    out = table(
        [
            _payload("a", goal("x | y", now="1", goal="≤ 2", met=True)),
            {"benchmark": "sim_getcdr", "results": {}},
        ]
    )
    assert "| x \\| y |" in out
    assert "No goals in: sim_getcdr." in out


def test_it_reads_the_files_named_on_the_command_line(tmp_path):
    path = tmp_path / "push_burst.json"
    path.write_text(
        json.dumps(_payload("push_burst", goal("pushes", now="900/s", goal="≥ 1,000/s", met=False)))
    )
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.table", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "| pushes | — | 900/s | — | ≥ 1,000/s | **no** |" in done.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "benchmarks.table", str(tmp_path / "none.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2
