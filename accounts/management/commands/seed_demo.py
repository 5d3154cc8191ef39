"""Create the fixed demo logins (idempotent). The passwords are documented in README;
they exist only for the demo and tests, never in production."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User

DEMO_ADMIN_EMAIL = "admin@demo.vosportal"
DEMO_ADMIN_PASSWORD = "demo-admin-pass"  # noqa: S105 (documented demo login)


def demo_logins() -> list[str]:
    """The lines `make run` prints so a newcomer can sign in straight away."""
    return [f"{DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD}  (platform admin)"]


class Command(BaseCommand):
    help = "Create the demo users (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        admin, created = User.objects.get_or_create(
            email=DEMO_ADMIN_EMAIL,
            defaults={"full_name": "Demo Admin", "is_staff": True, "is_superuser": True},
        )
        if created:
            admin.set_password(DEMO_ADMIN_PASSWORD)
            admin.save()
        self.stdout.write(
            f"{'created' if created else 'kept'} {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD} (admin)"
        )
