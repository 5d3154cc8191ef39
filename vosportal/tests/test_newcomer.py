"""The newcomer's path: `make run`, then the commands README gives, in a fresh shell.

The subprocesses get a bare environment (PATH, HOME, the locale and a var/ of their own),
as a newcomer's terminal has: no DEBUG, no SECRET_KEY, no DATABASE_URL.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from dashboard.management.commands.seed_demo import DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("devrun", ROOT / "scripts" / "devrun.py")
devrun = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(devrun)

SHELL_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER")


def _shell_env(var_dir: Path) -> dict[str, str]:
    env = {name: os.environ[name] for name in SHELL_VARIABLES if name in os.environ}
    env["VAR_DIR"] = str(var_dir)  # stands in for the checkout's var/
    return env


def _run(command: list[str], env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def after_make_run(tmp_path_factory):
    """A var/ as `make run` leaves it: the checkout's secret and a migrated database
    (what `make run` does before it starts anything), made by devrun's own code."""
    var_dir = tmp_path_factory.mktemp("var")
    env = _shell_env(var_dir)
    devrun.ensure_dev_secret(devrun.var_dir(env))
    done = _run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env, 300)
    assert done.returncode == 0, done.stderr[-3000:]
    return env


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return sorted(set(re.findall(r"`((?:\.venv/bin/python )?manage\.py [a-z_]+[^`]*)`", readme)))


def test_it_runs_the_management_commands_as_readme_writes_them(after_make_run):
    commands = [c for c in _readme_commands() if re.search(r"demo_totp|verify_audit", c)]
    names = {command.split("manage.py ")[1].split()[0] for command in commands}
    assert names == {"demo_totp", "verify_audit"}, commands
    for command in commands:
        argv = command.replace(".venv/bin/python ", "").split()
        done = _run([sys.executable, *argv], after_make_run)
        assert done.returncode == 0, f"{command}: {done.stderr[-3000:]}"
        if "demo_totp" in command:
            assert re.fullmatch(r"\d{6}", done.stdout.strip()), done.stdout
        else:
            assert "audit chain intact" in done.stdout


def test_it_says_how_to_get_a_secret_when_make_run_never_ran(tmp_path):
    done = _run(
        [sys.executable, "manage.py", "demo_totp", "admin@demo.vosportal"], _shell_env(tmp_path)
    )
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr
    assert "make run" in done.stderr


def test_it_prints_the_demo_logins_again_as_make_demo_logins_does(tmp_path):
    done = _run([sys.executable, "scripts/devrun.py", "--logins"], _shell_env(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    for email, *_ in DEMO_USERS:
        assert email in done.stdout
    assert re.search(r"admin@demo\.vosportal\s+Platform admin\s+\d{6}\s", done.stdout)
    assert "700100000001" in done.stdout and "246810" in done.stdout
    assert (tmp_path / "dev-secret-key").stat().st_mode & 0o077 == 0  # the secret is private


PAGES_UNDER_MAKE_RUN = """
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "vosportal.settings"
django.setup()
from django.conf import settings
from django.test import Client
from django.urls import get_resolver
client = Client(HTTP_HOST="127.0.0.1:8000")
missing = client.get("/no-such-page/")
favicon = client.get("/favicon.ico")
css = client.get("/static/css/app.css")
print(json.dumps({
    "debug": settings.DEBUG,
    "missing_status": missing.status_code,
    "missing_body": missing.content.decode(),
    "favicon_status": favicon.status_code,
    "favicon_type": favicon.headers.get("Content-Type", ""),
    "css_status": css.status_code,
    "handler500": get_resolver().resolve_error_handler(500).__module__,
}))
"""


def test_it_shows_the_portals_own_404_under_make_run_settings(after_make_run):
    env = devrun.dev_environment(after_make_run, "8000", "9090")
    done = _run([sys.executable, "-c", PAGES_UNDER_MAKE_RUN], env)
    assert done.returncode == 0, done.stderr[-3000:]
    pages = json.loads(done.stdout.strip().splitlines()[-1])
    assert pages["debug"] is False  # so errors are the portal's own pages, 500 too
    assert pages["handler500"] == "vosportal.errors"
    assert pages["missing_status"] == 404
    body = pages["missing_body"]
    assert "There is nothing here" in body
    assert "URLconf" not in body and "admin/" not in body  # no list of URL patterns
    assert pages["favicon_status"] == 200 and "icon" in pages["favicon_type"]
    assert pages["css_status"] == 200  # static files served from source without DEBUG


def test_it_keeps_the_settings_a_newcomer_gave_make_run():
    env = devrun.dev_environment(
        {"DEBUG": "1", "LOG_LEVEL": "INFO", "PORT": "8001"}, "8001", "9191"
    )
    assert env["DEBUG"] == "1" and env["LOG_LEVEL"] == "INFO"
    assert env["VOS_SERVERS"] == "main=http://127.0.0.1:9191/external/server/"
    assert devrun.dev_environment({}, "8000", "9090")["DEBUG"] == "0"


def test_it_keeps_one_dev_secret_per_checkout(tmp_path):
    path = devrun.ensure_dev_secret(tmp_path / "var")
    secret = path.read_text()
    assert len(secret.strip()) >= 50
    assert devrun.ensure_dev_secret(tmp_path / "var").read_text() == secret


def test_it_serves_a_favicon_and_shows_the_logo(client):
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200
    assert b"".join(favicon.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO
    assert client.get("/apple-touch-icon.png").status_code == 200
    page = client.get(reverse("account_login")).content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in page
    logo = re.search(r'<link rel="icon" href="([^"]+\.svg)"', page).group(1)
    assert logo in page.split('class="brand"')[1]  # the same logo in the header
    assert client.get(logo).status_code == 200


# A stand-in for `make run`'s supervision: two children (one ignores SIGTERM, as a stuck
# process would), the same signal handling, the same stop; prints the children's pids.
STUCK = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
    " print('ready', flush=True); time.sleep(60)"
)
SUPERVISED = f"""
import subprocess, sys, time
sys.path.insert(0, "scripts")
import devrun
processes = {{}}
with devrun.stop_on_signals():
    try:
        for name, code in (("calm", "import time; time.sleep(60)"), ("stuck", {STUCK!r})):
            processes[name] = subprocess.Popen(
                [sys.executable, "-c", code], stdin=subprocess.DEVNULL, process_group=0,
                stdout=subprocess.PIPE, text=True,
            )
        processes["stuck"].stdout.readline()
        print(" ".join(str(p.pid) for p in processes.values()), flush=True)
        sys.exit(devrun.supervise(processes))
    except devrun.Stop:
        sys.exit(0)
    finally:
        devrun.stop_all(processes, seconds=1)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_it_exits_0_on_ctrl_c_and_stops_every_child():
    # Its own process group, as a terminal's foreground job: Ctrl-C signals the group.
    proc = subprocess.Popen(
        [sys.executable, "-c", SUPERVISED],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        process_group=0,
    )
    try:
        pids = [int(pid) for pid in proc.stdout.readline().split()]
        assert len(pids) == 2, proc.stderr.read()
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=30) == 0, proc.stderr.read()
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in pids)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_it_reports_a_child_that_dies_on_its_own():
    code = (
        "import subprocess, sys; sys.path.insert(0, 'scripts'); import devrun;"
        "p = {'web': subprocess.Popen([sys.executable, '-c', 'raise SystemExit(3)'])};"
        "sys.exit(devrun.supervise(p))"
    )
    done = _run([sys.executable, "-c", code], dict(os.environ), 60)
    assert done.returncode == 3
    assert "web exited with code 3" in done.stdout
