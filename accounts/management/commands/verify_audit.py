"""Check the audit trail's hash chain: exit 0 with the row count when intact, 1 with the
first broken row otherwise (for cron and monitoring)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, row by row in id order."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000)

    def handle(self, *args, chunk_size, **options):
        result = verify_chain(chunk_size=max(1, chunk_size))
        if not result.ok:
            raise CommandError(
                f"audit chain broken at row {result.broken_id} ({result.problem}): "
                f"{result.detail}; {result.checked} rows before it are intact",
                returncode=1,
            )
        self.stdout.write(f"audit chain intact: {result.checked} rows")
