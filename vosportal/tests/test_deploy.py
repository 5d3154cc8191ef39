"""`manage.py check --deploy` with production values must be clean."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run_check(extra_env: dict) -> subprocess.CompletedProcess:
    # Only what production would have: nothing a test fixture set for itself.
    test_only = {"DEBUG", "TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "VAR_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update(
        {
            "DEBUG": "0",
            "TESTING": "0",
            "SECRET_KEY": "k" * 20 + "-a-long-production-secret-with-variety-0192837465",
            "ALLOWED_HOSTS": "portal.example.com",
            "VAR_DIR": str(ROOT / "var" / "test" / "deploycheck"),
            **extra_env,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deploy_check_with_production_settings():
    result = _run_check({})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_in_production():
    result = _run_check({"SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
