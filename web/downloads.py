"""What every file the portal hands out shares: cells a spreadsheet must not run as
formulas, and the clean-up of expired export files."""

from __future__ import annotations

from datetime import UTC, datetime

# A cell starting with one of these is a formula to a spreadsheet: quote it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text, with a leading quote when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def purge_expired(jobs, directory) -> int:
    """Delete the expired jobs of ``jobs`` (a queryset with ``expires_at`` and
    ``file_name``) and their files in ``directory``. Returns how many went."""
    count = 0
    for job in jobs.filter(expires_at__lte=datetime.now(UTC)).only("pk", "file_name"):
        if job.file_name:
            (directory / job.file_name).unlink(missing_ok=True)
        job.delete()
        count += 1
    return count
