"""Makers of bulk imports and bulk actions for the isolation suite (see
accounts.tests.isolation_world): each is private to the person who started it, so an
"own" one is the role's user's and a foreign one another user's (an admin may not open
another person's either)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone


def _requester(world, role_name, own):
    if own:
        return world.users[role_name]
    return world.users["customer_b1" if role_name == "admin" else "admin"]


def _bulk_import_pk(world, role_name, own):
    from customers.bulk import files
    from customers.models import BulkImport, BulkStatus

    user = _requester(world, role_name, own)
    job = BulkImport.objects.create(
        requested_by=user,
        scope_user=user,
        kind=BulkImport.Kind.CUSTOMERS,
        source_name="isolation.csv",
        digest=uuid.uuid4().hex,
        status=BulkStatus.DONE,
        file_name=f"isolation-{uuid.uuid4().hex}.csv",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    (files.bulk_dir() / job.file_name).write_text("Line\n", encoding="utf-8")
    return job.pk


def _bulk_action_pk(world, role_name, own):
    from customers.bulk import files
    from customers.models import BulkAction, BulkStatus

    user = _requester(world, role_name, own)
    job = BulkAction.objects.create(
        requested_by=user,
        scope_user=user,
        action=BulkAction.Action.EXPORT_CUSTOMERS,
        status=BulkStatus.DONE,
        file_name=f"isolation-{uuid.uuid4().hex}.csv",
        results=[{"outcome": "done", "rows": 0}],
        expires_at=timezone.now() + timedelta(hours=1),
    )
    (files.bulk_dir() / job.file_name).write_text("Account\n", encoding="utf-8")
    return job.pk


OBJECT_MAKERS: dict = {"bulk_import": _bulk_import_pk, "bulk_action": _bulk_action_pk}


SAMPLE_KWARGS: dict = {"bulk_import_template": lambda world: {"kind": "customers"}}


# Customers make no imports: running one is refused (404) even on a record of their own.
OWN_REFUSED: set = {
    (name, role)
    for name in ("bulk_import_confirm", "bulk_import_retry")
    for role in ("customer_a1", "customer_b1")
}
