"""The local copy of VOS's call records: turning InfoCdr dicts into ``Cdr`` rows and
writing them idempotently and in bulk, the monthly partitions that hold them on
PostgreSQL, retention, and keeping each row's tenant path current.

Every write of CDRs goes through ``store``: it resolves each record's tenant (the
billing account's) once per batch, makes sure the month partitions exist, skips
records already stored (by ``natural_key``, or by every column for rows an older
portal keyed otherwise) and writes the rest in bulk (``COPY`` on PostgreSQL).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter

from django.db import IntegrityError, ProgrammingError, connection, transaction

from accounts.models import Tenant, carry_paths
from billing.models import Cdr, CdrOldKeys
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


# The fields that make a record without a flowNo one call: who (the account), from whom
# to whom, and when it started and stopped, to the millisecond. A record VOS sends again
# with another field changed (a corrected fee) is the same call, as with a flowNo.
_KEY_FIELDS = ("account", "callerE164", "calleeE164")

# Between the fields of a key text: a control character no number or name carries, so
# ("a", "bc") and ("ab", "c") never make the same text.
_SEP = "\x1f"


def natural_key(server_id: int, info: dict) -> uuid.UUID:
    """The record's identity on its server, made without JSON.

    With a ``flowNo`` (seen in the field): the server and the flowNo, nothing else, so
    a record VOS re-sends with another field changed is still the same record. Without
    one: the server, the account, the caller, the callee and the start and stop (ms):
    two distinct calls never share all of those.

    The texts hashed start differently (``flowNo:``, ``cdr:``, and the JSON list ``[``
    of ``whole_record_key``, the identity older portals stored), so keys made one way
    never equal keys made another. Rows stored under a ``whole_record_key`` are found
    again by their own columns (``store``), not by recomputing that key per record."""
    return uuid.UUID(_key_hex(server_id, info))


def _key_hex(server_id: int, info: dict) -> str:
    """``natural_key`` as 32 hex digits (what ``COPY`` writes; no UUID object per row)."""
    flow = flow_no(info)
    if flow:
        text = f"flowNo:{server_id}:{flow}"
    else:
        get = info.get
        text = _SEP.join(
            (
                f"cdr:{server_id}",
                str(int(get("start") or 0)),
                str(int(get("stop") or 0)),
                *(_text(get(name)) for name in _KEY_FIELDS),
            )
        )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def whole_record_key(server_id: int, info: dict) -> uuid.UUID:
    """The identity older portals stored for every record (before flowNo, and before
    ``natural_key`` was made without JSON): the server and every InfoCdr field. Not
    computed on the way in any more; kept to describe (and test) rows stored that way."""
    wanted = {name: info.get(name) for name in FIELD_OF_WIRE}
    text = json.dumps([server_id, wanted], sort_keys=True, separators=(",", ":"), default=str)
    return uuid.UUID(bytes=hashlib.blake2b(text.encode(), digest_size=16).digest())


def _text(value) -> str:
    return "" if value is None else str(value)


def _time(value) -> datetime:
    return datetime.fromtimestamp(int(value or 0) / 1000, tz=UTC)


def _whole(value) -> int:
    return int(value or 0)


@lru_cache(maxsize=65_536)
def _exact_money(value) -> Decimal:
    return Decimal(str(value)).quantize(_E4)


_ZERO = Decimal(0).quantize(_E4)


def _money(value) -> Decimal:
    """VOS's amount as an exact Decimal to 1/10000 (as the column keeps it). Amounts
    repeat (a rate times whole minutes), so each distinct one is converted once."""
    if not value:
        return _ZERO
    try:
        return _exact_money(value)
    except TypeError:  # not hashable: a loose server's odd value
        return Decimal(str(value)).quantize(_E4)


_TEXT_WIRES = tuple(w for w in FIELD_OF_WIRE if w not in _TIMES | _MONEY | _WHOLE)
_TIME_WIRES = tuple(w for w in FIELD_OF_WIRE if w in _TIMES)
_MONEY_WIRES = tuple(w for w in FIELD_OF_WIRE if w in _MONEY)
_WHOLE_WIRES = tuple(w for w in FIELD_OF_WIRE if w in _WHOLE)
# The InfoCdr fields grouped by kind: each group is read in one C call
# (``itemgetter``) and converted by one rule, not chosen per field and per value.
_WIRES = _TEXT_WIRES + _TIME_WIRES + _MONEY_WIRES + _WHOLE_WIRES
_FIELDS = tuple(FIELD_OF_WIRE[wire] for wire in _WIRES)
# What a missing field reads as, by kind (a null sent explicitly is seen to below).
_ABSENT = {
    **dict.fromkeys(_TEXT_WIRES, ""),
    **dict.fromkeys(_TIME_WIRES, 0),
    **dict.fromkeys(_MONEY_WIRES, 0),
    **dict.fromkeys(_WHOLE_WIRES, 0),
}
_texts = itemgetter(*_TEXT_WIRES)
_times = itemgetter(*_TIME_WIRES)
_amounts = itemgetter(*_MONEY_WIRES)
_wholes = itemgetter(*_WHOLE_WIRES)


def _field_values(info: dict) -> list:
    """The values of ``_FIELDS`` for one InfoCdr (missing or null fields take the
    defaults: "", 0, 1970 for a time)."""
    try:  # a whole record (VOS sends every field): no copy
        texts, times, amounts, wholes = _texts(info), _times(info), _amounts(info), _wholes(info)
    except KeyError:
        info = {**_ABSENT, **info}
        texts, times, amounts, wholes = _texts(info), _times(info), _amounts(info), _wholes(info)
    if None in texts:
        texts = ["" if value is None else value for value in texts]
    if None in wholes or "" in wholes:
        wholes = [value or 0 for value in wholes]
    return [*map(str, texts), *map(_time, times), *map(_money, amounts), *map(int, wholes)]


def cdr_values(info: dict) -> dict:
    """Model field values of one InfoCdr (missing fields take the model's defaults)."""
    return dict(zip(_FIELDS, _field_values(info), strict=True))


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


# Every column a pulled row sets, in the order ``_rows`` builds them (``id`` comes from
# the identity column): who and which record, then the InfoCdr fields by kind.
_COPY_FIELDS = ("server_id", "natural_key", "tenant_id", "tenant_path", *_FIELDS)
_KEY = 1
_START = _COPY_FIELDS.index("start")
_ACCOUNT = _FIELDS.index("account")


def _rows(server, infos: list[dict]) -> list[tuple]:
    """One tuple of ``_COPY_FIELDS`` per distinct record of VOS's, with its tenant
    (the key as 32 hex digits): what every way of writing starts from."""
    owners = tenants_by_account(server, {_text(info.get("account")) for info in infos})
    server_id, seen, rows = server.pk, set(), []
    for info in infos:
        key = _key_hex(server_id, info)
        if key in seen:
            continue
        seen.add(key)
        values = _field_values(info)
        tenant_id, path = owners.get(values[_ACCOUNT], (None, ""))
        rows.append((server_id, key, tenant_id, path, *values))
    return rows


def prepared_rows(server, infos: list[dict]) -> dict[uuid.UUID, dict]:
    """{natural key: column values} of VOS's records, each with its tenant, without
    duplicates."""
    prepared = {}
    for row in _rows(server, infos):
        values = dict(zip(_COPY_FIELDS, row, strict=True))
        values["natural_key"] = key = uuid.UUID(row[_KEY])
        prepared[key] = values
    return prepared


def build_rows(server, infos: list[dict]) -> list[Cdr]:
    """Unsaved ``Cdr`` rows for VOS's records, each with its tenant, without duplicates."""
    return [Cdr(**values) for values in prepared_rows(server, infos).values()]


def old_keys_last_id() -> int:
    """The last id that may carry an older portal's whole-record key (``CdrOldKeys``;
    0: no row does)."""
    return CdrOldKeys.objects.filter(pk=1).values_list("last_id", flat=True).first() or 0


def store(server, infos: list[dict]) -> StoreResult:
    """Write VOS's records, skipping those already stored. Safe to repeat and to run
    concurrently for the same day: the unique natural key has the last word.

    "Already stored" is decided set-wise, by the database, in two ways: the same
    ``natural_key`` (the unique constraint), or, among the rows an older portal may
    have stored under its ``whole_record_key`` (ids up to ``CdrOldKeys.last_id``), a
    row of the same server equal in every InfoCdr column: the re-look pull after an
    upgrade must not store it again. No key is computed twice and no JSON is made per
    record."""
    if connection.vendor == "postgresql":
        return StoreResult(fetched=len(infos), inserted=_copy_records(server, infos))
    rows = _rows(server, infos)
    if not rows:
        return StoreResult(fetched=len(infos), inserted=0)
    starts = [row[_START] for row in rows]
    ensure_partitions({_month(start) for start in starts})
    return StoreResult(
        fetched=len(infos), inserted=_bulk_create(server, rows, min(starts), max(starts))
    )


def _bulk_create(server, rows: list[tuple], first: datetime, last: datetime) -> int:
    """Other databases (SQLite: development and tests): the same rule as ``_copy_rows``
    in Python, against the rows already stored in the batch's time span."""
    stored = Cdr.objects.filter(server_id=server.pk, start__gte=first, start__lte=last)
    keys = {key.hex for key in stored.values_list("natural_key", flat=True)}
    old_last_id = old_keys_last_id()
    same = set(stored.filter(pk__lte=old_last_id).values_list(*_FIELDS)) if old_last_id else ()
    new = []
    for row in rows:
        if row[_KEY] in keys or row[4:] in same:
            continue
        values = dict(zip(_COPY_FIELDS, row, strict=True))
        values["natural_key"] = uuid.UUID(row[_KEY])
        new.append(Cdr(**values))
    for begin in range(0, len(new), INSERT_BATCH):
        Cdr.objects.bulk_create(new[begin : begin + INSERT_BATCH], ignore_conflicts=True)
    return len(new)


_STAGE = "billing_cdr_stage"


def _column(name: str) -> str:
    return f'"{Cdr._meta.get_field(name).column}"'


def _same_row() -> str:
    """SQL: the billing_cdr row ``c`` is the staged row ``s`` (same key, or, up to the
    id given as the third parameter, the same server and every InfoCdr column: a row an
    older portal keyed otherwise)."""
    same = " AND ".join(
        f"c.{_column(name)} = s.{_column(name)}" for name in ("server_id", *_FIELDS)
    )
    return f"(c.natural_key = s.natural_key OR (c.id <= %s AND {same}))"


def _insert_sql() -> str:
    """Staged rows into the partitioned table, less those stored before: the way when
    another writer wrote some of the same rows between ``_already_stored`` and the
    ``COPY``; the unique key and the column comparison decide (parameters: the first
    and last start, and ``CdrOldKeys.last_id``)."""
    columns = ", ".join(_column(name) for name in _COPY_FIELDS)
    return (
        f"INSERT INTO billing_cdr ({columns}) SELECT {columns} FROM {_STAGE} s"  # noqa: S608
        " WHERE NOT EXISTS (SELECT 1 FROM billing_cdr c"
        f" WHERE c.start = s.start AND c.start >= %s AND c.start <= %s AND {_same_row()})"
        " ON CONFLICT (natural_key, start) DO NOTHING"
    )


# The batch's records of one month already stored under their key: one probe of the
# month partition's unique index (natural_key, start) per (key, start), which finds
# nothing for a new record and reads no row, whatever else starts at the same instant
# (through the parent table, with the batch's time span to prune the months, the
# planner probes the start index instead and reads every row at that instant).
# LATERAL ... LIMIT keeps the batch outside and the probe inside, whatever the planner
# guesses of a month filled since its last ANALYZE (joining the other way round, or
# hashing the whole day for every batch, makes a pull quadratic). The keys and starts
# travel as two texts (the starts as COPY writes them), split by the server: one
# literal to quote, not one per value.
_STORED_BY_KEY_SQL = (
    "SELECT s.k FROM unnest(string_to_array(%s, ',')::uuid[],"
    " string_to_array(%s, ',')::timestamptz[]) AS s(k, start)"
    ' CROSS JOIN LATERAL (SELECT 1 FROM "{partition}" WHERE natural_key = s.k'
    " AND start = s.start LIMIT 1) AS c"
)

# The rows an older portal may have keyed otherwise (ids up to CdrOldKeys.last_id) of
# this server, at the instants of the batch's records not found by key: one probe of
# the start index (start, id) per instant, whole rows back, compared column by column.
_OLD_ROWS_SQL = (
    "SELECT c.* FROM unnest(string_to_array(%s, ',')::timestamptz[]) AS s(start)"
    " CROSS JOIN LATERAL (SELECT {fields} FROM billing_cdr WHERE start = s.start"
    " AND start >= %s AND start <= %s AND id <= %s AND server_id = %s OFFSET 0) AS c"
)


def _already_stored(cursor, server, records: list[tuple], first, last) -> set[str]:
    """The keys (hex) of the records (``(key, start text, info)``) stored before: by key,
    or, among the rows an older portal may have keyed otherwise, by every column."""
    months: dict[str, list[tuple]] = {}
    for record in records:
        months.setdefault(record[1][:7], []).append(record)  # "2026-12"
    stored = set()
    for month, in_month in months.items():
        partition = partition_name(date(int(month[:4]), int(month[5:7]), 1))
        keys = ",".join([key for key, _start, _info in in_month])
        starts = ",".join([start for _key, start, _info in in_month])
        # The partition's name is made here from a date, never from input.
        cursor.execute(_STORED_BY_KEY_SQL.format(partition=partition), [keys, starts])
        stored |= {key.hex for (key,) in cursor.fetchall()}
    old_last_id = old_keys_last_id()
    if not old_last_id:
        return stored
    rest = [record for record in records if record[0] not in stored]
    if not rest:
        return stored
    fields = ", ".join(_column(name) for name in _FIELDS)
    instants = ",".join({start for _key, start, _info in rest})
    cursor.execute(
        _OLD_ROWS_SQL.format(fields=fields), [instants, first, last, old_last_id, server.pk]
    )
    alike = {tuple(values) for values in cursor.fetchall()}
    if alike:
        # Only the records starting at those rows' instants are converted to be compared.
        instants = {values[_TIMES_AT] for values in alike}
        stored |= {
            key
            for key, _start, info in rest
            if _time(info.get("start")) in instants and tuple(_field_values(info)) in alike
        }
    return stored


# COPY's text format, written here for the whole row (psycopg's ``write_row`` adapts
# value by value): tab between columns, \N for null, and backslash, tab, newline and
# the other control characters psycopg escapes written as escapes.
_COPY_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r"}
)
_COPY_SPECIAL = re.compile("[\\\\\b\n\v\f\r]")  # and a tab, found by counting them
_all_wires = itemgetter(*_WIRES)
_TIMES_AT = len(_TEXT_WIRES)
_MONEY_AT = _TIMES_AT + len(_TIME_WIRES)
_WHOLE_AT = _MONEY_AT + len(_MONEY_WIRES)
_TEXT_TABS = len(_TEXT_WIRES) - 1
# The whole numbers in one C call: "%d" is int() for ints, floats and bools; a text
# or a null refuses it and takes the long way (int() of it, 0 for null or "").
_WHOLES_LINE = "\t".join(["%d"] * len(_WHOLE_WIRES))


def _copy_text(value) -> str:
    return ("" if value is None else str(value)).translate(_COPY_ESCAPES)


# The text of each minute a time falls in ("2026-12-06 00:17:"), made once per minute:
# VOS's times are whole milliseconds, so the rest is two divisions, no datetime.
_MINUTE_TEXTS: dict[int, str] = {}
_LAST_MINUTE = 4_102_444_800_000 // 60_000  # 2100-01-01: beyond, the datetime's own text


def _time_text(value) -> str:
    """``_time(value)`` as COPY reads it ("2026-12-06 00:17:03.206+00:00")."""
    ms = int(value or 0)
    minute, rest = divmod(ms, 60_000)
    try:
        head = _MINUTE_TEXTS[minute]
    except KeyError:
        if not 0 <= minute < _LAST_MINUTE:
            return str(_time(ms))
        if len(_MINUTE_TEXTS) > 100_000:
            _MINUTE_TEXTS.clear()
        head = _MINUTE_TEXTS[minute] = f"{_time(minute * 60_000):%Y-%m-%d %H:%M:}"
    return f"{head}{rest // 1000:02d}.{rest % 1000:03d}+00:00"


_MONEY_TEXTS: dict = {}


def _money_text(value) -> str:
    """``_money(value)`` as COPY reads it: the Decimal's own text ("0.2520"), never a
    float's. Amounts repeat, so each distinct one is converted once."""
    try:
        return _MONEY_TEXTS[value]
    except KeyError:
        text = _MONEY_TEXTS[value] = str(_money(value))
        if len(_MONEY_TEXTS) > 65_536:  # a server of odd amounts: start again
            _MONEY_TEXTS.clear()
        return text
    except TypeError:  # not hashable: a loose server's odd value
        return str(_money(value))


def _copy_line(head: str, info: dict) -> str:
    """One record as a line of ``COPY``'s text format: ``head`` (server, key, tenant
    and path, already written) and ``_FIELDS``, with the values ``_field_values`` gives
    (missing or null fields: "", 0, 1970 for a time), converted by kind in bulk."""
    try:  # a whole record (VOS sends every field): no copy
        values = _all_wires(info)
    except KeyError:
        values = _all_wires({**_ABSENT, **info})
    texts = values[:_TIMES_AT]
    try:
        text = "\t".join(texts)
    except TypeError:  # a null, or a number where VOS sends text
        text = "\t".join(["" if value is None else str(value) for value in texts])
    if text.count("\t") != _TEXT_TABS or _COPY_SPECIAL.search(text):
        text = "\t".join(map(_copy_text, texts))
    wholes = values[_WHOLE_AT:]
    try:
        whole = _WHOLES_LINE % wholes
    except TypeError:
        whole = "\t".join([str(int(value or 0)) for value in wholes])
    return "\t".join(
        (
            head,
            text,
            *map(_time_text, values[_TIMES_AT:_MONEY_AT]),
            *map(_money_text, values[_MONEY_AT:_WHOLE_AT]),
            whole,
        )
    )


_LINES_PER_WRITE = 500


def _copy_records(server, infos: list[dict]) -> int:
    """PostgreSQL: find the records already stored in one set-wise query, then
    ``COPY`` the others straight into the partitioned table (PostgreSQL routes them to
    their month and writes them in bulk), as text lines made here, sent in blocks as
    they are made: PostgreSQL files the first block into its indexes while the next is
    made. No per-row statement, no model instances, no conflict handling per row.
    Returns the rows inserted."""
    server_id, seen, records, moments = server.pk, set(), [], []
    for info in infos:
        key = _key_hex(server_id, info)
        if key not in seen:
            seen.add(key)
            moment = int(info.get("start") or 0)
            moments.append(moment)
            records.append((key, _time_text(moment), info))
    if not records:
        return 0
    first, last = _time(min(moments)), _time(max(moments))
    ensure_partitions({date(int(start[:4]), int(start[5:7]), 1) for _key, start, _info in records})
    owners = {
        account: f"{tenant_id}\t{_copy_text(path)}"
        for account, (tenant_id, path) in tenants_by_account(
            server, {_text(info.get("account")) for _key, _start, info in records}
        ).items()
    }
    columns = ", ".join(_column(name) for name in _COPY_FIELDS)
    new = records
    try:
        # One transaction, no savepoint: a refused COPY takes the look and the COPY
        # back together, and the way below starts again in a transaction of its own.
        with transaction.atomic(), connection.cursor() as cursor:
            stored = _already_stored(cursor, server, records, first, last)
            if stored:
                new = [record for record in records if record[0] not in stored]
            if not new:
                return 0
            with cursor.copy(f"COPY billing_cdr ({columns}) FROM STDIN") as copy:
                for block in _copy_blocks(server_id, new, owners):
                    copy.write(block)
            return len(new)
    except Exception as exc:
        from psycopg import IntegrityError as Refused

        if not isinstance(exc, IntegrityError | Refused):
            raise
    # Another writer stored some of these since the look: stage them, and let the
    # unique key (and the column comparison) decide, set-wise, probing the start
    # index per staged row (not hashing the day, whatever the planner guesses).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;"
            " SET LOCAL enable_material = off"
        )
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} AS"  # noqa: S608 (constant names)
            f" SELECT {columns} FROM billing_cdr WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {_STAGE}")
        with cursor.copy(f"COPY {_STAGE} ({columns}) FROM STDIN") as copy:
            for block in _copy_blocks(server_id, new, owners):
                copy.write(block)
        cursor.execute(_insert_sql(), [first, last, old_keys_last_id()])
        return cursor.rowcount


_NO_TENANT = "\\N\t"  # tenant_id null, tenant_path ""


def _copy_blocks(server_id: int, records: list[tuple], owners: dict[str, str]):
    """The records' ``COPY`` lines, ``_LINES_PER_WRITE`` to a text."""
    for begin in range(0, len(records), _LINES_PER_WRITE):
        lines = [
            _copy_line(
                f"{server_id}\t{key}\t{owners.get(_text(info.get('account')), _NO_TENANT)}",
                info,
            )
            for key, _start, info in records[begin : begin + _LINES_PER_WRITE]
        ]
        lines.append("")
        yield "\n".join(lines)


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
