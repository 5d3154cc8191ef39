"""Print the demo logins with their current TOTP codes (`manage.py demo_logins`; `make run`
prints it last, `make demo-logins` again), so a newcomer signs in without an
authenticator app. Demo secrets only, never a real user's."""

from __future__ import annotations

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from accounts.roles import Role
from dashboard.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS, DEMO_USERS


def totp_now(secret: str, now: float | None = None) -> tuple[str, int]:
    """The TOTP code of ``secret`` at ``now``, and the seconds it stays valid."""
    now = time.time() if now is None else now
    period = mfa_settings.TOTP_PERIOD
    code = format_hotp_value(hotp_value(secret, int(now) // period))
    return code, period - int(now) % period


def demo_login_lines(now: float | None = None) -> list[str]:
    now = time.time() if now is None else now
    lines = [
        f"Password of every demo login: {DEMO_PASSWORD}",
        f"{'email':26} {'role':18} {'code now':8}  TOTP secret (for an authenticator app)",
    ]
    seconds_left = None
    for email, _name, role, _account in DEMO_USERS:
        secret = DEMO_TOTP_SECRETS.get(email)
        if secret:
            code, seconds_left = totp_now(secret, now)
            mfa = f"{code:8}  {secret}"
        else:
            mfa = f"{'-':8}  (password alone)"
        lines.append(f"{email:26} {Role(role).label:18} {mfa}")
    if seconds_left is not None:
        # A code is taken until the end of its own step and MFA_TOTP_TOLERANCE steps more.
        accepted = seconds_left + mfa_settings.TOTP_TOLERANCE * mfa_settings.TOTP_PERIOD
        lines.append(
            f"These codes are accepted for {accepted} s more; `make demo-logins` prints fresh ones."
        )
    return lines


class Command(BaseCommand):
    help = "Print the demo logins with their current TOTP codes (demo secrets only)."

    def handle(self, *args, **options):
        self.stdout.write("\n".join(demo_login_lines()))
