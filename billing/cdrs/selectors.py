"""Reading the local CDR copy: the scoped, filtered search behind the CDR pages, the
exports and the local reports, one keyset page of it, and its totals.

Everything starts from ``visible_cdrs(scope)``; a filter can only narrow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Count, Q, Sum

from accounts.models import Tenant
from accounts.scope import OutOfScope
from billing.models import Cdr, CdrExport
from billing.rating import exact_sum

PAGE_SIZE = 50


def visible_cdrs(scope):
    """The pulled call records this user may search: all on the platform; a reseller's
    subtree by the path each row carries; a customer's own account only."""
    return scope.visible(Cdr.objects.all(), "tenant_path", own="tenant_id")


def latest_call_start(scope, tenant=None):
    """When the newest pulled call in the scope (of one account, if given) started, or
    None: the calls page opens on that day rather than on an empty today."""
    rows = visible_cdrs(scope)
    if tenant is not None:
        rows = rows.filter(tenant_id=tenant.pk)
    return rows.order_by("-start").values_list("start", flat=True).first()


def cdr_exports(scope):
    """Exports are private to the person who asked, whoever else shares the scope."""
    return scope.private(CdrExport.objects.all())


def cdr_export_or_404(scope, pk) -> CdrExport:
    return scope.get_or_404(cdr_exports(scope), pk, "CDR export")


@dataclass(frozen=True)
class CdrFilters:
    """What a CDR search asks for. Times are aware datetimes; ``until`` is exclusive.
    ``tenant`` (a customer, or a reseller's whole subtree) must be in the scope."""

    since: datetime
    until: datetime
    tenant: Tenant | None = None
    caller_prefix: str = ""
    callee_prefix: str = ""
    phone: str = ""
    gateway: str = ""
    min_duration: int = 0
    answered_only: bool = False
    with_fee: bool = False


def search(scope, filters: CdrFilters):
    """The scope's CDRs narrowed by ``filters`` (unordered)."""
    rows = visible_cdrs(scope).filter(start__gte=filters.since, start__lt=filters.until)
    if filters.tenant is not None:
        if not scope.contains(filters.tenant):
            raise OutOfScope(f"tenant {filters.tenant.pk}")
        if filters.tenant.kind == Tenant.Kind.CUSTOMER:
            rows = rows.filter(tenant_id=filters.tenant.pk)
        elif filters.tenant.kind == Tenant.Kind.RESELLER:
            rows = rows.filter(tenant_path__startswith=filters.tenant.path)
    if filters.caller_prefix:
        rows = rows.filter(caller_e164__startswith=filters.caller_prefix)
    if filters.callee_prefix:
        rows = rows.filter(callee_e164__startswith=filters.callee_prefix)
    if filters.phone:
        rows = rows.filter(Q(caller_e164=filters.phone) | Q(callee_e164=filters.phone))
    if filters.gateway:
        if not scope.sees_gateways:
            raise OutOfScope("gateway filter")
        rows = rows.filter(Q(caller_gateway=filters.gateway) | Q(callee_gateway=filters.gateway))
    if filters.min_duration:
        rows = rows.filter(hold_time__gte=filters.min_duration)
    if filters.answered_only:
        rows = rows.filter(hold_time__gt=0)
    if filters.with_fee:
        rows = rows.filter(fee__gt=0)
    return rows


def cursor_of(cdr) -> str:
    """An opaque position: the row's start (ms) and id, newest first."""
    return f"{int(cdr.start.timestamp() * 1000)}-{cdr.pk}"


def parse_cursor(text: str | None) -> tuple[datetime, int] | None:
    if not text:
        return None
    try:
        ms, pk = str(text).split("-", 1)
        return datetime.fromtimestamp(int(ms) / 1000, tz=UTC), int(pk)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class CdrRow(dict):
    """One call record of a page, read as values (no ``Cdr`` instance is built): its
    fields by name (``row["fee"]`` or ``row.fee``), and ``pk``."""

    __slots__ = ()

    @property
    def pk(self) -> int:
        return self["id"]

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


# What a page reads when the caller names no fields: every column of the record.
ALL_FIELDS = tuple(field.attname for field in Cdr._meta.concrete_fields)


@dataclass(frozen=True)
class CdrPage:
    rows: list  # CdrRow
    newer: str | None  # cursor for the "newer" link (?after=), None on the newest page
    older: str | None  # cursor for the "older" link (?before=), None on the oldest page


# (start, id) < (s, i), spelled so every index that ends in ``start`` (time, tenant,
# path, numbers, gateways) can stop at the cursor: the plain ``start <= s`` bound is what
# the index scan uses (and what prunes partitions); the OR only sorts out the rows of
# that same instant. Without it a deep page would walk every newer row of the range.
def _before(position):
    start, pk = position
    return Q(start__lte=start) & (Q(start__lt=start) | Q(id__lt=pk))


def _after(position):
    start, pk = position
    return Q(start__gte=start) & (Q(start__gt=start) | Q(id__gt=pk))


def page_of(
    rows,
    *,
    before: str | None = None,
    after: str | None = None,
    size=PAGE_SIZE,
    fields=ALL_FIELDS,
):
    """One page, newest first, by keyset on (start, id): no COUNT(*) and no OFFSET, so
    the last page of a month costs what the first does. The rows are ``CdrRow`` values
    of ``fields`` (and always ``id``, ``start`` and ``account``), not model instances."""
    names = list(dict.fromkeys(("id", "start", "account", *fields)))
    after_pos, before_pos = parse_cursor(after), parse_cursor(before)

    def read(queryset) -> list[CdrRow]:
        return [CdrRow(zip(names, values, strict=True)) for values in queryset]

    if after_pos is not None:
        chosen = rows.filter(_after(after_pos)).order_by("start", "id")
        found = read(chosen.values_list(*names)[: size + 1])
        more_newer = len(found) > size
        found = found[:size][::-1]
        more_older = True
    else:
        scoped = rows.filter(_before(before_pos)) if before_pos is not None else rows
        found = read(scoped.order_by("-start", "-id").values_list(*names)[: size + 1])
        more_older = len(found) > size
        found = found[:size]
        more_newer = before_pos is not None
    if found and after_pos is not None:
        more_older = rows.filter(_before((found[-1].start, found[-1].pk))).exists()
    return CdrPage(
        rows=found,
        newer=cursor_of(found[0]) if found and more_newer else None,
        older=cursor_of(found[-1]) if found and more_older else None,
    )


class CallMeasures:
    """Minutes, ASR and ACD of a set of calls, from its ``calls``, ``answered`` and
    ``seconds``: the range totals and every row of the call statistics share them."""

    calls: int
    answered: int
    seconds: int

    @property
    def minutes(self) -> Decimal:
        return (Decimal(self.seconds) / 60).quantize(Decimal("0.1"))

    @property
    def asr(self) -> Decimal | None:
        """Answer-seizure ratio: answered calls in percent of all calls."""
        if not self.calls:
            return None
        return (Decimal(self.answered) * 100 / self.calls).quantize(Decimal("0.1"))

    @property
    def acd(self) -> Decimal | None:
        """Average call duration of answered calls, in seconds."""
        if not self.answered:
            return None
        return (Decimal(self.seconds) / self.answered).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class CdrTotals(CallMeasures):
    calls: int
    answered: int
    seconds: int
    fee: Decimal
    agent_fee: Decimal


def totals_of(rows) -> CdrTotals:
    """Calls, answered calls, seconds and fees of a search, in one aggregate query.

    Counts name no ``id``: a customer's or reseller's covering index has no id, and
    naming it would send PostgreSQL to the table for every row instead of an
    index-only scan of ``cdr_tenant_start``/``cdr_path_start``/``cdr_start_id`` (which
    carry hold time and fees)."""
    return _totals(rows.aggregate(**_TOTALS))


# The totals of a search; counts name no ``id`` (see ``totals_of``).
_TOTALS = {
    "calls": Count("*"),
    "answered": Count("hold_time", filter=Q(hold_time__gt=0)),  # no filter on "*"
    "seconds": Sum("hold_time"),
    "fee": Sum("fee"),
    "agent_fee": Sum("agent_fee"),
}


def _totals(found: dict) -> CdrTotals:
    return CdrTotals(
        calls=found["calls"] or 0,
        answered=found["answered"] or 0,
        seconds=found["seconds"] or 0,
        fee=exact_sum(found["fee"]),
        agent_fee=exact_sum(found["agent_fee"]),
    )


def page_and_totals(
    rows,
    *,
    before: str | None = None,
    after: str | None = None,
    size=PAGE_SIZE,
    fields=ALL_FIELDS,
) -> tuple[CdrPage, CdrTotals]:
    """``page_of`` and ``totals_of`` of a search, in one round trip to PostgreSQL where
    it can (a first or "older" page: the page's SELECT and the totals' aggregate sent
    together); otherwise (other databases, a "newer" page) as the two calls."""
    if connection.vendor != "postgresql" or after:
        return page_of(rows, before=before, after=after, size=size, fields=fields), totals_of(rows)
    if rows.query.is_empty():  # a scope that may see no CDR (``.none()``): no SQL to send
        return CdrPage(rows=[], newer=None, older=None), _totals(dict.fromkeys(_TOTALS))
    names = list(dict.fromkeys(("id", "start", "account", *fields)))
    position = parse_cursor(before)
    where = _where_of(rows)
    if where is not None:
        (page_sql, page_params), (totals_sql, totals_params) = _statements(
            where, names, position, int(size)
        )
    else:
        scoped = rows.filter(_before(position)) if position is not None else rows
        page_sql, page_params = (
            scoped.order_by("-start", "-id").values_list(*names)[: size + 1].query.sql_with_params()
        )
        inner_sql, totals_params = (
            rows.order_by().values_list("hold_time", "fee", "agent_fee").query.sql_with_params()
        )
        totals_sql = (
            "SELECT count(*), count(*) FILTER (WHERE t.hold_time > 0), sum(t.hold_time),"  # noqa: S608
            f" sum(t.fee), sum(t.agent_fee) FROM ({inner_sql}) AS t"
        )
    with connection.cursor() as cursor:
        cursor.execute(f"{page_sql}; {totals_sql}", [*page_params, *totals_params])
        found = [CdrRow(zip(names, values, strict=True)) for values in cursor.fetchall()]
        cursor.nextset()
        sums = cursor.fetchone() or (0, 0, 0, None, None)
    more_older = len(found) > size
    found = found[:size]
    page = CdrPage(
        rows=found,
        newer=cursor_of(found[0]) if found and position is not None else None,
        older=cursor_of(found[-1]) if found and more_older else None,
    )
    return page, _totals(dict(zip(_TOTALS, sums, strict=True)))


_TABLE = Cdr._meta.db_table


def _where_of(rows) -> tuple[str, list] | None:
    """The WHERE clause of a search (scope and filters, as the ORM compiles them), when
    the search is the CDR table alone with nothing but filters: the page and the totals
    are then written around it, instead of compiling two querysets that differ only in
    what they select (two thirds of the portal's own time on a customer's day). None
    for anything else, and when the ORM finds the filters match nothing or everything:
    the caller compiles the querysets then."""
    query = rows.query
    # A filter on ``tenant_id`` leaves a join to the tenants that the ORM trims (unused).
    if (
        [alias for alias, uses in query.alias_refcount.items() if uses] != [_TABLE]
        or query.annotations
        or query.extra
        or query.distinct
        or query.combinator
        or query.low_mark
        or query.high_mark is not None
    ):
        return None
    try:
        sql, params = query.get_compiler(connection=connection).compile(query.where)
    except (EmptyResultSet, FullResultSet):
        return None
    return (sql, list(params)) if sql else None


def _statements(where, names: list[str], position, size: int):
    """The page's SELECT (newest first, one row more than the page to know if there is
    an older one) and the totals' aggregate, both over ``where``; ``position``: the
    (start, id) the page starts below, as ``_before`` spells it."""
    where_sql, where_params = where
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return f"{quote(_TABLE)}.{quote(Cdr._meta.get_field(name).column)}"

    start, pk = column("start"), column("id")
    page_where, page_params = where_sql, list(where_params)
    if position is not None:
        page_where = f"({where_sql}) AND {start} <= %s AND ({start} < %s OR {pk} < %s)"
        page_params += [position[0], position[0], position[1]]
    page_sql = (
        f"SELECT {', '.join(column(name) for name in names)} FROM {quote(_TABLE)}"  # noqa: S608
        f" WHERE {page_where} ORDER BY {start} DESC, {pk} DESC LIMIT {size + 1}"
    )
    hold, fee, agent_fee = column("hold_time"), column("fee"), column("agent_fee")
    totals_sql = (
        f"SELECT count(*), count(*) FILTER (WHERE {hold} > 0), sum({hold}), sum({fee}),"  # noqa: S608
        f" sum({agent_fee}) FROM {quote(_TABLE)} WHERE {where_sql}"
    )
    return (page_sql, page_params), (totals_sql, list(where_params))
