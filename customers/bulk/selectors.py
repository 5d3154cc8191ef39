"""Reads of bulk work: imports and actions are private to the person who started them
(whoever else shares the scope), like export files."""

from __future__ import annotations

from customers.models import BulkAction, BulkImport


def bulk_imports(scope):
    return scope.private(BulkImport.objects.all())


def bulk_import_or_404(scope, pk) -> BulkImport:
    return scope.get_or_404(bulk_imports(scope), pk, "bulk import")


def bulk_actions(scope):
    return scope.private(BulkAction.objects.all())


def bulk_action_or_404(scope, pk) -> BulkAction:
    return scope.get_or_404(bulk_actions(scope), pk, "bulk action")


def previous_run(job: BulkImport) -> BulkImport | None:
    """An earlier import of the very same file by the same person, if any."""
    return (
        BulkImport.objects.filter(requested_by=job.requested_by_id, digest=job.digest)
        .exclude(pk=job.pk)
        .exclude(status=BulkImport.Status.PREVIEW)
        .order_by("-id")
        .first()
    )
