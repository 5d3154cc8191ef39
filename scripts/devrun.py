"""`make run`: the whole system on embedded defaults, in one terminal.

Starts the VOS simulator with demo data, a Celery worker, Celery beat and the web
server, then prints the URL, the demo logins with their current TOTP codes and the demo
phone cards, last, once everything is up. Ctrl-C stops every process it started and
exits 0. Needs no PostgreSQL or Redis (SQLite and the filesystem broker under var/).

The portal runs with DEBUG off, as in production, so pages show the portal's own 404 and
500 pages (tracebacks go to this terminal); a random secret of this checkout's own is
kept in var/dev-secret-key, so `manage.py` commands typed beside it work as they are.
`DEBUG=1 make run` shows Django's debug pages instead. Logs show warnings and errors;
`LOG_LEVEL=INFO make run` shows every request and task.

`scripts/devrun.py --logins` (`make demo-logins`) prints the logins block again.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
if str(ROOT) not in sys.path:  # run as `python scripts/devrun.py`: the repository's modules
    sys.path.insert(0, str(ROOT))

from vos3000.simulator.demo import PHONE_CARD_PASSWORD, PHONE_CARD_PINS, PHONE_CARD_VALUE  # noqa: E402

# What `make run` adds to the environment (each one only when not set already): DEBUG
# off, so the portal's own error pages show, and what plain HTTP on the loopback needs.
DEV_ENVIRONMENT = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "STATIC_FROM_SOURCE": "1",
    "LOG_LEVEL": "WARNING",
}
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_ORDER = ("beat", "worker", "simulator", "web")


class Stop(Exception):
    """Ctrl-C, or SIGTERM/SIGHUP: stop everything and exit 0."""


def dev_environment(base: Mapping[str, str], port: str, sim_port: str) -> dict[str, str]:
    env = dict(base)
    for name, value in DEV_ENVIRONMENT.items():
        env.setdefault(name, value)
    env.setdefault("VOS_SERVERS", f"main=http://127.0.0.1:{sim_port}/external/server/")
    # The simulator pushes PhoneOnline, CallStateReport, CustomerMoneyChange and
    # AlarmCurrentReport to the portal's receiver, as a real VOS would: one secret path
    # token per run (the server row has none of its own, so the receiver uses this one).
    env.setdefault("VOS_PUSH_TOKEN", secrets.token_urlsafe(24))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def var_dir(env: Mapping[str, str]) -> Path:
    return ROOT / env.get("VAR_DIR", "var")


def ensure_dev_secret(directory: Path) -> Path:
    """The checkout's own random SECRET_KEY, which the settings read when DEBUG is off and
    SECRET_KEY is not set (sessions survive a restart; `make clean-var` makes a new one)."""
    path = directory / "dev-secret-key"
    if not path.is_file():
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
    return path


def ensure_dev_payment_keys_key(directory: Path) -> Path:
    """The checkout's own Fernet key for payment accounts' provider keys
    (PAYMENT_KEYS_FERNET_KEY), kept like the dev secret key."""
    path = directory / "dev-payment-keys-fernet-key"
    if not path.is_file():
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", action="store_true", help="print the demo logins, and stop")
    args = parser.parse_args(argv)
    port = os.environ.get("PORT", "8000")
    sim_port = os.environ.get("VOS_SIM_PORT", "9090")
    env = dev_environment(os.environ, port, sim_port)
    ensure_dev_secret(var_dir(env))
    ensure_dev_payment_keys_key(var_dir(env))
    if args.logins:
        print(logins_block(env), flush=True)
        return 0
    return run(env, port, sim_port)


def run(env: dict[str, str], port: str, sim_port: str) -> int:
    manage = [sys.executable, "manage.py"]
    log_level = env["LOG_LEVEL"]
    quiet = ["--quiet"] if log_level.upper() not in {"DEBUG", "INFO"} else []
    var = var_dir(env)
    run_dir = var / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    pidfiles = {"worker": run_dir / "worker.pid", "beat": run_dir / "beat.pid"}
    commands = {
        "worker": [
            str(BIN / "celery"),
            *quiet,
            "-A",
            "vosportal",
            "worker",
            "-l",
            log_level,
            "--concurrency",
            "2",
            "--pidfile",
            str(pidfiles["worker"]),
        ],
        "beat": [
            str(BIN / "celery"),
            *quiet,
            "-A",
            "vosportal",
            "beat",
            "-l",
            log_level,
            "-s",
            str(var / "celerybeat-schedule"),
            "--pidfile",
            str(pidfiles["beat"]),
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
        str(var / "sim.sqlite3"),
        "--demo",
        "--traffic",
        env.get("VOS_SIM_TRAFFIC", "6"),
        "--push-url",
        f"http://127.0.0.1:{port}/vos/push/{env['VOS_PUSH_TOKEN']}/main",
        # A real server's sparse, loosely typed answers: VOS_SIM_ANSWERS=sparse make run.
        "--answers",
        env.get("VOS_SIM_ANSWERS", "full"),
        "--log-level",
        log_level,
    ]
    if env.get("VOS_SIM_STRICT", "").lower() in {"1", "true", "yes"}:
        simulator.append("--strict")  # the manual to the letter, as the portal's tests use
    processes: dict[str, subprocess.Popen] = {}

    def start(name: str, command: list[str]) -> None:
        # A process group of its own: Ctrl-C reaches this script alone, which stops the
        # children in order (Celery's warm shutdown) instead of racing their deaths.
        processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, process_group=0
        )

    with stop_on_signals():
        try:
            subprocess.run(
                [*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
            )
            # The simulator first: seeding mirrors the demo tenants from it.
            start("simulator", simulator)
            _wait_for(f"http://127.0.0.1:{sim_port}/_sim/now", processes["simulator"], "simulator")
            subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True)
            for pidfile in pidfiles.values():
                pidfile.unlink(missing_ok=True)  # a stale one would stop Celery starting
            for name, command in commands.items():
                start(name, command)
            _wait_for(f"http://127.0.0.1:{port}/healthz", processes["web"], "web")
            for name, pidfile in pidfiles.items():
                _wait_for_file(pidfile, processes[name], name)
            print(banner(env, port), flush=True)
            return supervise(processes)
        except Stop:
            print("\nStopping... (Ctrl-C again stops at once)", flush=True)
            return 0
        except subprocess.CalledProcessError as exc:
            print(f"\n{exc.cmd[2] if len(exc.cmd) > 2 else exc.cmd} failed.", flush=True)
            return exc.returncode or 1
        finally:
            stop_all(processes)


@contextlib.contextmanager
def stop_on_signals():
    """Turn Ctrl-C, SIGTERM and SIGHUP (the terminal closing) into ``Stop`` inside the
    block, and put the previous handlers back after it."""

    def _raise(signum, _frame):
        raise Stop(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, _raise) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def supervise(processes: Mapping[str, subprocess.Popen]) -> int:
    """Wait until a child exits on its own (an error: stop the rest, exit non-zero) or a
    stop signal arrives (``Stop``, raised out of the sleep)."""
    while True:
        for name, proc in processes.items():
            if proc.poll() is not None:
                print(f"\n{name} exited with code {proc.returncode}; stopping the rest.")
                return proc.returncode or 1
        time.sleep(0.5)


def stop_all(processes: Mapping[str, subprocess.Popen], seconds: float = 8) -> None:
    """Stop the children one after the other in ``STOP_ORDER`` (beat, then the worker,
    whose warm shutdown finishes its tasks while the simulator still answers, then the
    simulator, whose last pushes still find the web server): SIGTERM, then SIGKILL to the
    process group of one still running ``seconds`` later (Celery's pool processes too),
    or of every one left at once on another Ctrl-C. Never raises ``Stop``."""
    hurry: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda signum, _: hurry.append(signum)) for sig in STOP_SIGNALS
    }
    try:
        order = sorted(processes, key=lambda n: STOP_ORDER.index(n) if n in STOP_ORDER else -1)
        for proc in (processes[name] for name in order):
            if proc.poll() is None:
                proc.terminate()
            deadline = time.monotonic() + seconds
            while not hurry and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.1)
            if proc.poll() is None:  # not reaped, so its pid is still its group's id
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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


def _wait_for_file(path: Path, proc: subprocess.Popen, name: str, seconds: float = 60) -> None:
    """Celery writes its pidfile once it has started (settings loaded, tasks found)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not path.exists():
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited during startup (code {proc.returncode}).")
        time.sleep(0.3)


def logins_block(env: Mapping[str, str]) -> str:
    """The demo logins with their current TOTP codes, and the demo phone cards."""
    done = subprocess.run(
        [sys.executable, "manage.py", "demo_logins"],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return "The demo logins could not be printed:\n" + done.stderr.strip()
    lines = ["Demo logins (demo only):", *(f"  {line}" for line in done.stdout.splitlines())]
    lines.append(
        f"Demo phone cards (a customer's Top up): PINs {PHONE_CARD_PINS[0]} to "
        f"{PHONE_CARD_PINS[-1]}, password {PHONE_CARD_PASSWORD}, "
        f"{PHONE_CARD_VALUE:.2f} each, once."
    )
    return "\n".join(lines)


def banner(env: Mapping[str, str], port: str) -> str:
    rule = "=" * 78
    return "\n".join(
        [
            "",
            rule,
            f"VOS Portal is running at http://127.0.0.1:{port}/",
            logins_block(env),
            "A code for one login: .venv/bin/python manage.py demo_totp <email>",
            f"Logs below: {env['LOG_LEVEL']} and up (LOG_LEVEL=INFO make run shows every "
            "request and task).",
            "Ctrl-C stops the simulator, the worker, beat and the web server.",
            rule,
            "",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
