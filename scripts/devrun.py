"""`make run`: the whole system on embedded defaults, in one terminal.

Starts the VOS simulator with demo data, a Celery worker, Celery beat and the web
server; prints the URL and the demo logins; Ctrl-C stops every process it started.
Needs no PostgreSQL or Redis (SQLite and the filesystem broker under var/).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> int:
    port = os.environ.get("PORT", "8000")
    sim_port = os.environ.get("VOS_SIM_PORT", "9090")
    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    env.setdefault("VOS_SERVERS", f"main=http://127.0.0.1:{sim_port}/external/server/")
    # The simulator pushes PhoneOnline, CallStateReport, CustomerMoneyChange and
    # AlarmCurrentReport to the portal's receiver, as a real VOS would: one secret path
    # token per run (the server row has none of its own, so the receiver uses this one).
    env.setdefault("VOS_PUSH_TOKEN", secrets.token_urlsafe(24))
    push_url = f"http://127.0.0.1:{port}/vos/push/{env['VOS_PUSH_TOKEN']}/main"
    env["PYTHONUNBUFFERED"] = "1"

    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)

    commands = {
        "worker": [
            str(BIN / "celery"),
            "-A",
            "vosportal",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "2",
        ],
        "beat": [
            str(BIN / "celery"),
            "-A",
            "vosportal",
            "beat",
            "-l",
            "info",
            "-s",
            "var/celerybeat-schedule",
        ],
        "web": [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
    }
    simulator = [
        sys.executable,
        "-m",
        "vos3000.simulator",
        "--host",
        "127.0.0.1",
        "--port",
        sim_port,
        "--allow",
        "127.0.0.1|::1",
        "--data",
        "var/sim.sqlite3",
        "--demo",
        "--traffic",
        os.environ.get("VOS_SIM_TRAFFIC", "6"),
        "--push-url",
        push_url,
        # A real server's sparse, loosely typed answers: VOS_SIM_ANSWERS=sparse make run.
        "--answers",
        os.environ.get("VOS_SIM_ANSWERS", "full"),
    ]
    if os.environ.get("VOS_SIM_STRICT", "").lower() in {"1", "true", "yes"}:
        simulator.append("--strict")  # the manual to the letter, as the portal's tests use
    processes: dict[str, subprocess.Popen] = {}

    def stop_all(*_args):
        for proc in processes.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for proc in processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        # The simulator first: seeding mirrors the demo tenants from it.
        processes["simulator"] = subprocess.Popen(simulator, cwd=ROOT, env=env)
        _wait_for(f"http://127.0.0.1:{sim_port}/_sim/now", processes["simulator"], "simulator")
        subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True)
        for name, command in commands.items():
            processes[name] = subprocess.Popen(command, cwd=ROOT, env=env)
        _wait_for(f"http://127.0.0.1:{port}/healthz", processes["web"], "web")
        _print_banner(port, env)
        while True:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    print(f"\n{name} exited with code {proc.returncode}; stopping the rest.")
                    return proc.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping...")
        return 0
    finally:
        stop_all()


def _interrupt(*_args):
    # SIGTERM (e.g. from a process manager) stops everything like Ctrl-C does.
    raise KeyboardInterrupt


def _wait_for(url: str, proc: subprocess.Popen, name: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited during startup (code {proc.returncode}).")
        try:
            method = "POST" if "/_sim/" in url else "GET"
            request = urllib.request.Request(url, data=b"{}" if method == "POST" else None)
            urllib.request.urlopen(request, timeout=2)
            return
        except OSError as exc:
            if getattr(exc, "code", None):  # any HTTP answer means it is up
                return
            time.sleep(0.5)
    raise SystemExit(f"{name} did not come up within {seconds:.0f}s.")


def _print_banner(port: str, env: dict) -> None:
    logins = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--logins"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    print("\n" + "=" * 72)
    print(f"VOS Portal is running at http://127.0.0.1:{port}/")
    print("Demo logins (email, password, role, TOTP secret where the role requires MFA):")
    for line in logins.splitlines():
        print(f"  {line}")
    print("Current TOTP code: .venv/bin/python manage.py demo_totp <email>")
    print("Ctrl-C stops the simulator, the worker, beat and the web server.")
    print("=" * 72 + "\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
