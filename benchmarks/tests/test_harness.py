"""The benchmark harness refuses to run without PostgreSQL and Redis (no fallback), and
runs gunicorn as the Dockerfile does. Nothing is timed and no benchmark runs: the
refusal comes before any setup."""

import json
import os
import socket
import subprocess
import sys

import pytest

from benchmarks import harness
from benchmarks.common import ROOT
from benchmarks.harness import Refused, check_services


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once closed


def _bench(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", "customer_list"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_it_exits_2_saying_why_when_postgresql_does_not_answer():
    port = _closed_port()
    done = _bench(
        BENCH_DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/vosportal_bench_web",
        BENCH_REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/11",
    )
    assert done.returncode == 2
    assert f"PostgreSQL at postgres://postgres@127.0.0.1:{port}/vosportal_bench_web" in done.stderr
    assert "no SQLite fallback" in done.stderr
    assert not done.stdout  # no benchmark ran


def test_it_refuses_a_database_url_that_is_not_postgresql():
    with pytest.raises(Refused, match="must be a PostgreSQL URL"):
        check_services("sqlite:///var/bench.sqlite3", "redis://127.0.0.1:6379/11")


def test_it_names_redis_when_redis_does_not_answer():
    port = _closed_port()
    # The database check may pass or fail on this machine; Redis's is what is asserted.
    with pytest.raises(Refused, match=f"Redis at redis://127.0.0.1:{port}/11 does not answer"):
        check_services(
            "postgres://postgres@127.0.0.1:5432/vosportal_bench_web", f"redis://127.0.0.1:{port}/11"
        )


@pytest.mark.postgres
def test_it_never_drops_a_database_that_holds_something_other_than_its_seed():
    import psycopg
    from django.db import connection

    from benchmarks.harness import _admin_url, ensure_database

    server = connection.settings_dict
    url = f"postgres://{server['USER']}@{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}"
    url += f"/bench_refusal_{os.getpid()}"
    admin, name = _admin_url(url)
    try:
        ensure_database(url, fresh=True)  # new: the harness's own (its marker table)
        ensure_database(url, fresh=True)  # the harness's own: dropped and made again
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE bench_seed")
            conn.execute("CREATE TABLE someone_elses (x int)")
        with pytest.raises(Refused, match=f"the database {name} holds data"):
            ensure_database(url, fresh=True)
        with psycopg.connect(url) as conn:  # still there
            assert conn.execute("SELECT to_regclass('someone_elses')").fetchone()[0]
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_it_runs_the_dockerfiles_gunicorn_command_with_its_own_address_and_workers():
    command = harness.dockerfile_gunicorn_command(
        bind="127.0.0.1:9999", workers=2, access_log="/tmp/access.log"
    )
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = json.loads(next(line for line in dockerfile.splitlines() if line.startswith("CMD "))[4:])
    assert command[0] == "gunicorn" and command[1] == cmd[1]
    assert command[command.index("--bind") + 1] == "127.0.0.1:9999"
    assert command[command.index("--workers") + 1] == "2"
    assert command[command.index("--access-logfile") + 1] == "/tmp/access.log"
    # Everything else as the image runs it (the worker class and its threads).
    for flag in ("--worker-class", "--threads"):
        if flag in cmd:
            assert command[command.index(flag) + 1] == cmd[cmd.index(flag) + 1]
    assert "gthread" in cmd  # pages wait on VOS: threads, not sync workers
