"""The local copy of VOS's call records: turning InfoCdr dicts into ``Cdr`` rows and
writing them idempotently and in bulk, the monthly partitions that hold them on
PostgreSQL, retention, and keeping each row's tenant path current.

Every write of CDRs goes through ``store``: it resolves each record's tenant (the
billing account's) once per batch, makes sure the month partitions exist, skips
records already stored (by ``natural_key``) and inserts the rest in batches.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import IntegrityError, ProgrammingError, connection, transaction

from accounts.models import Tenant, carry_paths
from billing.models import Cdr
from vos3000 import catalog
from vos3000.catalog.naming import python_name

INSERT_BATCH = 2000


_E4 = Decimal("0.0001")


# The manual prints these two in lower case ("callerip"); the model spells them out.
_SPELLED_OUT = {"callerip": "caller_ip", "calleeip": "callee_ip"}


# The manual's InfoCdr: fields seen only in the field (flowNo) are not columns of Cdr.
INFO_CDR_FIELDS = tuple(f for f in catalog.TYPES["InfoCdr"] if not f.from_field)


# InfoCdr wire name -> Cdr field name, for every field of the manual's InfoCdr.
FIELD_OF_WIRE: dict[str, str] = {
    field.name: _SPELLED_OUT.get(field.name, python_name(field.name)) for field in INFO_CDR_FIELDS
}


_TIMES = {"start", "stop"}


_MONEY = {field.name for field in INFO_CDR_FIELDS if field.type.lower() == "double"}


_WHOLE = {
    field.name
    for field in INFO_CDR_FIELDS
    if field.type.lower() in ("integer", "long") and field.name not in _TIMES
}


def ms_to_datetime(ms) -> datetime:
    return datetime.fromtimestamp(int(ms) / 1000, tz=UTC)


def flow_no(info: dict) -> str:
    """The record's ``flowNo`` as text, or "" without one. ``flowNo`` is seen in the
    field (yk-vos keys CDRs on it), not in the 2.1.7.0 manual's InfoCdr. Absent, null,
    empty, 0 and anything that is not a whole number or a short text count as none: a
    server that fills empty fields with 0 must not make every record the same call."""
    value = info.get("flowNo")
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float):
        value = int(value) if value.is_integer() else None
    text = str(value).strip() if isinstance(value, int | str) else ""
    if text in ("", "0") or len(text) > 64:
        return ""
    return text


def natural_key(server_id: int, info: dict) -> uuid.UUID:
    """The record's identity on its server.

    With a ``flowNo`` (seen in the field): the server and the flowNo, nothing else, so
    a record VOS re-sends with another field changed is still the same record, and no
    JSON of the whole record is made. Without one: every InfoCdr field as VOS sent it
    (``whole_record_key``); two distinct calls differ in at least their times, numbers
    or amounts, so they never share a key.

    The two ways hash different texts (``flowNo:<server>:<flowNo>`` against a JSON list
    ``[server, {...}]``), so a key made one way never equals a key made the other way."""
    flow = flow_no(info)
    if not flow:
        return whole_record_key(server_id, info)
    text = f"flowNo:{server_id}:{flow}"
    return uuid.UUID(bytes=hashlib.blake2b(text.encode(), digest_size=16).digest())


def whole_record_key(server_id: int, info: dict) -> uuid.UUID:
    """The key of a record without a flowNo: the server and every InfoCdr field (the
    only identity before flowNo was used; ``flowNo`` itself is not an InfoCdr field)."""
    wanted = {name: info.get(name) for name in FIELD_OF_WIRE}
    text = json.dumps([server_id, wanted], sort_keys=True, separators=(",", ":"), default=str)
    return uuid.UUID(bytes=hashlib.blake2b(text.encode(), digest_size=16).digest())


def cdr_values(info: dict) -> dict:
    """Model field values of one InfoCdr (missing fields take the model's defaults)."""
    values = {}
    for wire, field in FIELD_OF_WIRE.items():
        value = info.get(wire)
        if wire in _TIMES:
            values[field] = ms_to_datetime(value or 0)
        elif wire in _MONEY:
            values[field] = Decimal(str(value or 0)).quantize(_E4)
        elif wire in _WHOLE:
            values[field] = int(value or 0)
        else:
            values[field] = "" if value is None else str(value)
    return values


@dataclass(frozen=True)
class StoreResult:
    fetched: int
    inserted: int


def tenants_by_account(server, accounts: Iterable[str]) -> dict[str, tuple[int, str]]:
    """{vos_account: (tenant id, tenant path)} of the portal tenants of these accounts."""
    rows = Tenant.objects.filter(server=server, vos_account__in=set(accounts)).values_list(
        "vos_account", "pk", "path"
    )
    return {account: (pk, path) for account, pk, path in rows}


def prepared_rows(server, infos: list[dict]) -> dict[uuid.UUID, dict]:
    """{natural key: column values} of VOS's records, each with its tenant, without
    duplicates: what both ways of writing (``COPY`` and ``bulk_create``) start from."""
    owners = tenants_by_account(server, {str(info.get("account") or "") for info in infos})
    rows: dict[uuid.UUID, dict] = {}
    for info in infos:
        key = natural_key(server.pk, info)
        if key in rows:
            continue
        values = cdr_values(info)
        tenant_id, path = owners.get(values["account"], (None, ""))
        values.update(server_id=server.pk, natural_key=key, tenant_id=tenant_id, tenant_path=path)
        rows[key] = values
    return rows


def build_rows(server, infos: list[dict]) -> list[Cdr]:
    """Unsaved ``Cdr`` rows for VOS's records, each with its tenant, without duplicates."""
    return [Cdr(**values) for values in prepared_rows(server, infos).values()]


def store(server, infos: list[dict]) -> StoreResult:
    """Write VOS's records, skipping those already stored. Safe to repeat and to run
    concurrently for the same day: the unique natural key has the last word."""
    rows = _not_stored_before_flow_no(server, infos, list(prepared_rows(server, infos).values()))
    if not rows:
        return StoreResult(fetched=len(infos), inserted=0)
    ensure_partitions(row["start"] for row in rows)
    if connection.vendor == "postgresql":
        return StoreResult(fetched=len(infos), inserted=_copy_rows(rows))
    starts = [row["start"] for row in rows]
    # Bounded by the batch's times so the database only looks in the months concerned.
    existing = set(
        Cdr.objects.filter(
            natural_key__in=[row["natural_key"] for row in rows],
            start__gte=min(starts),
            start__lte=max(starts),
        ).values_list("natural_key", flat=True)
    )
    new = [Cdr(**row) for row in rows if row["natural_key"] not in existing]
    for first in range(0, len(new), INSERT_BATCH):
        Cdr.objects.bulk_create(new[first : first + INSERT_BATCH], ignore_conflicts=True)
    return StoreResult(fetched=len(infos), inserted=len(new))


def _not_stored_before_flow_no(server, infos: list[dict], rows: list[dict]) -> list[dict]:
    """The rows, less those keyed by flowNo that were stored under their whole-record
    key before the portal keyed on flowNo (a re-look pull just after the upgrade would
    store them twice). One indexed look-up per batch, only for rows with a flowNo."""
    legacy = {
        whole_record_key(server.pk, info): natural_key(server.pk, info)
        for info in infos
        if flow_no(info)
    }
    if not legacy or not rows:
        return rows
    starts = [row["start"] for row in rows]
    stored = set(
        Cdr.objects.filter(
            server_id=server.pk,
            natural_key__in=list(legacy),
            start__gte=min(starts),
            start__lte=max(starts),
        ).values_list("natural_key", flat=True)
    )
    if not stored:
        return rows
    already = {legacy[key] for key in stored}
    return [row for row in rows if row["natural_key"] not in already]


# Every column a pulled row sets (``id`` comes from the identity column).
_COPY_FIELDS = ["server_id", "natural_key", "tenant_id", "tenant_path", *FIELD_OF_WIRE.values()]


_STAGE = "billing_cdr_stage"


def _copy_rows(rows: list[dict]) -> int:
    """PostgreSQL: ``COPY`` the rows into a session-private staging table, then one
    ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` into the partitioned table: no
    per-row statement, no model instances, and the unique natural key (not a prior
    look-up) decides what is new. Returns the rows inserted."""
    columns = ", ".join(f'"{Cdr._meta.get_field(name).column}"' for name in _COPY_FIELDS)
    with transaction.atomic(), connection.cursor() as cursor:
        # A temporary table lives as long as the connection: made once, emptied per call.
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} AS"  # noqa: S608 (constant names)
            f" SELECT {columns} FROM billing_cdr WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {_STAGE}")
        with cursor.copy(f"COPY {_STAGE} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in _COPY_FIELDS])
        cursor.execute(
            f"INSERT INTO billing_cdr ({columns}) SELECT {columns} FROM {_STAGE}"  # noqa: S608
            " ON CONFLICT (natural_key, start) DO NOTHING"
        )
        return cursor.rowcount


def _month(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"billing_cdr_p{month:%Y%m}"


def is_partitioned() -> bool:
    return connection.vendor == "postgresql"


def existing_partitions() -> set[str]:
    if not is_partitioned():
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'billing_cdr'::regclass"
        )
        return {name for (name,) in cursor.fetchall()}


def ensure_partitions(moments: Iterable[datetime | date]) -> list[str]:
    """Create the month partitions these times fall in, if missing. Returns the new ones."""
    if not is_partitioned():
        return []
    months = {_month(moment) for moment in moments}
    have = existing_partitions()
    created = []
    for month in sorted(months):
        name = partition_name(month)
        if name in have:
            continue
        # Names and bounds are made here from dates, never from input.
        sql = (
            f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF billing_cdr'
            f" FOR VALUES FROM ('{month:%Y-%m-%d} 00:00:00+00')"
            f" TO ('{_next_month(month):%Y-%m-%d} 00:00:00+00')"
        )
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        except (IntegrityError, ProgrammingError):
            # Another worker made it between our look and our create.
            if name not in existing_partitions():
                raise
        created.append(name)
    return created


def drop_months_before(cutoff: date) -> int:
    """Retention: remove every CDR that started before the month of ``cutoff``.

    On PostgreSQL whole month partitions are dropped (no row-by-row delete, no bloat);
    elsewhere the rows are deleted. Returns partitions dropped (or rows deleted).
    """
    first_kept = _month(cutoff)
    if not is_partitioned():
        start = datetime(first_kept.year, first_kept.month, 1, tzinfo=UTC)
        deleted, _ = Cdr.objects.filter(start__lt=start).delete()
        return deleted
    dropped = 0
    for name in sorted(existing_partitions()):
        if name < partition_name(first_kept):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP TABLE IF EXISTS "{name}"')  # name from pg_class
            dropped += 1
    return dropped


def follow_tenant_move(sender, old_path: str, new_path: str, **kwargs) -> int:
    """A tenant (and its subtree) moved (accounts.events.tenant_moved): its CDRs follow,
    so scoped searches stay right."""
    return carry_paths(Cdr.objects.all(), "tenant_path", old_path, new_path)


def adopt_account_cdrs(tenant) -> int:
    """CDRs pulled before the account had a portal tenant now belong to it."""
    if not tenant.is_linked:
        return 0
    return Cdr.objects.filter(
        server_id=tenant.server_id, account=tenant.vos_account, tenant__isnull=True
    ).update(tenant=tenant.pk, tenant_path=tenant.path)
