"""Print the current TOTP code of a demo login (`manage.py demo_totp <email>`), so a
newcomer can sign in as a reseller or admin without an authenticator app."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dashboard.management.commands.demo_logins import totp_now
from dashboard.management.commands.seed_demo import DEMO_TOTP_SECRETS


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo login (demo secrets only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, **options):
        email = options["email"].strip().lower()
        # Only the fixed, documented demo secrets: never a real user's stored secret.
        secret = DEMO_TOTP_SECRETS.get(email)
        if secret is None:
            raise CommandError(
                f"{email} is not a demo login with a TOTP secret. Known: "
                + ", ".join(sorted(DEMO_TOTP_SECRETS))
            )
        self.stdout.write(totp_now(secret)[0])
