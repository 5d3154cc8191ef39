"""Rows as a portal before the identity without JSON stored them, and the upgrade that
followed (migration 0013 recording the last id they may carry)."""

from __future__ import annotations

import importlib

from django.apps import apps

from billing.cdrs import store as cdr_store
from billing.models import Cdr

_UPGRADE = importlib.import_module("billing.migrations.0013_cdr_old_keys")


def upgrade() -> None:
    """What migration 0013 does at an upgrade: every row stored so far may carry an
    older portal's key."""
    _UPGRADE.record_last_id(apps, None)


def store_the_old_way(server, infos: list[dict]) -> list[Cdr]:
    """Store these records keyed by every field (JSON), into their months' partitions,
    then upgrade."""
    rows = [Cdr(**cdr_store.cdr_values(record)) for record in infos]
    for row, record in zip(rows, infos, strict=True):
        row.server_id = server.pk
        row.natural_key = cdr_store.whole_record_key(server.pk, record)
    cdr_store.ensure_partitions(row.start for row in rows)
    Cdr.objects.bulk_create(rows)
    upgrade()
    return rows
