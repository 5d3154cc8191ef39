"""Celery tasks of bulk work: they take ids and call ``customers.bulk.services``."""

from __future__ import annotations

from celery import shared_task

from customers.bulk import services as bulk_services


@shared_task
def run_import(import_id: int, only_failed: bool = False) -> None:
    """Run one confirmed import (or its failed rows again)."""
    bulk_services.run_import(import_id, only_failed)


@shared_task
def run_action(action_id: int) -> None:
    """Run one bulk action on the customer list (or write its export)."""
    bulk_services.run_action(action_id)
