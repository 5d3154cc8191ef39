"""Isolation-suite makers for the CDR pages (see accounts.tests.isolation_world)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone


def _cdr_export_pk(world, role_name, own):
    """A finished export with its file: the requester's own, or someone else's (an
    admin may not download another user's export either)."""
    from billing.cdrs import export as cdr_export
    from billing.models import CdrExport

    requester = world.users[
        role_name if own else ("customer_b1" if role_name == "admin" else "admin")
    ]
    job = CdrExport.objects.create(
        requested_by=requester,
        scope_user=requester,
        status=CdrExport.Status.DONE,
        file_name=f"isolation-{uuid.uuid4().hex}.csv",
        filters={"date_from": "2026-01-01", "date_to": "2026-01-01"},
        expires_at=timezone.now() + timedelta(hours=1),
    )
    (cdr_export.export_dir() / job.file_name).write_text("start\n", encoding="utf-8")
    return job.pk


OBJECT_MAKERS: dict = {"cdr_export": _cdr_export_pk}


SAMPLE_KWARGS: dict = {}


OWN_REFUSED: set = set()
