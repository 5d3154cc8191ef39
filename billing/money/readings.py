"""What VOS told the portal about accounts it read: balance readings (the figures that
sort and filter lists between reads, ``billing.models.BalanceReading``) and the tenant's
local copy of a few VOS fields (``vos_memo``, ``vos_locked``, ``vos_type``: search aids).
Every page, dashboard and Pay answer that reads accounts calls ``remember_read``.

A page answers first and writes after (``web.after``): the readings a request gathered are
written once its response has been sent, in one batch per server, and only where VOS said
something new (a balance, an overdraft or a field that changed, or a reading older than
``REFRESH_AFTER``). Reloading a list writes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import Tenant
from billing.events import balances_read
from billing.models import BalanceReading
from web import after

# A reading whose figures did not change is rewritten (for its time) only when it is older
# than this: "last known value, read at ..." stays within this of the truth, and a page
# reloaded again and again writes nothing.
REFRESH_AFTER = timedelta(minutes=10)
STORED = Decimal("0.0001")


def as_money(value) -> Decimal | None:
    """A VOS double as a Decimal (VOS sends floats; str() keeps what it printed)."""
    if value is None or value == "":
        return None
    return Decimal(str(value))


def as_stored(value) -> Decimal | None:
    """An amount as a reading keeps it (VOS's 1/10000), to compare with the one kept."""
    money = as_money(value)
    return None if money is None else money.quantize(STORED, rounding=ROUND_HALF_UP)


def copy_to_tenants(server, accounts) -> None:
    """The tenants' copy of their last balance (``Tenant.vos_money``: the list sorts and
    filters on it with an index, no subquery per row) from the readings, for ``accounts``
    whose reading was just written. One UPDATE, set-wise; the reading that won (the
    newest) is the one copied."""
    accounts = list(accounts)
    if not accounts:
        return
    last = BalanceReading.objects.filter(
        server=OuterRef("server"), vos_account=OuterRef("vos_account")
    )
    Tenant.objects.filter(server=server, vos_account__in=accounts).update(
        vos_money=Subquery(last.values("money")[:1])
    )


# --- Readings and the local copy of VOS fields ----------------------------------------------
def record_balances(server, infos, source: str, read_at: datetime | None = None) -> int:
    """Keep the last balance VOS told us for each account in ``infos`` (InfoCustomer
    dicts) as a ``BalanceReading``. A reading never replaces a newer one (a Pay answer
    that arrived meanwhile, say). One SELECT, one batched UPDATE (executemany: a page of
    100 rows costs about as much as one) and one INSERT, whatever the count."""
    read_at = read_at or timezone.now()
    fresh = {info["account"]: info for info in infos if info.get("account") and "money" in info}
    if not fresh:
        return 0
    known = {
        account: (money, limit, when)
        for account, money, limit, when in BalanceReading.objects.filter(
            server=server, vos_account__in=list(fresh)
        ).values_list("vos_account", "money", "limit_money", "read_at")
    }
    meta = BalanceReading._meta
    money_field, limit_field = meta.get_field("money"), meta.get_field("limit_money")
    ops = connection.ops

    def decimal(field, value):
        return ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)

    when = ops.adapt_datetimefield_value(read_at)
    updates, created = [], []
    for account, info in fresh.items():
        money = as_stored(info.get("money"))
        limit = as_stored(info.get("limitMoney"))
        if account in known:
            old_money, old_limit, old_when = known[account]
            if (
                old_money == money
                and old_limit == limit
                and old_when is not None
                and old_when > read_at - REFRESH_AFTER
            ):
                continue  # nothing new: no write
            updates.append(
                (
                    decimal(money_field, money),
                    decimal(limit_field, limit),
                    when,
                    source,
                    server.pk,
                    account,
                    when,
                )
            )
        else:
            created.append(
                BalanceReading(
                    server=server,
                    vos_account=account,
                    money=money,
                    limit_money=limit,
                    read_at=read_at,
                    source=source,
                )
            )
    if updates:
        column = {name: meta.get_field(name).column for name in ("money", "limit_money")}
        column.update(
            read_at=meta.get_field("read_at").column,
            source=meta.get_field("source").column,
            server=meta.get_field("server").column,
            vos_account=meta.get_field("vos_account").column,
        )
        quote = ops.quote_name
        # Identifiers come from the model's own metadata, values are parameters.
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {quote(column['money'])} = %s, "  # noqa: S608
            f"{quote(column['limit_money'])} = %s, {quote(column['read_at'])} = %s, "
            f"{quote(column['source'])} = %s WHERE {quote(column['server'])} = %s "
            f"AND {quote(column['vos_account'])} = %s AND {quote(column['read_at'])} <= %s"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, updates)
    if created:
        # Another request may have inserted the same account a moment ago: its reading
        # is as good as ours.
        BalanceReading.objects.bulk_create(created, ignore_conflicts=True, batch_size=500)
    copy_to_tenants(server, [row[5] for row in updates] + [r.vos_account for r in created])
    return len(updates) + len(created)


# What remember_vos_fields compares: a tenant loaded with these can be handed to it.
VOS_FIELDS = ("pk", "vos_account", "name", "vos_memo", "vos_locked", "vos_type")


def remember_vos_fields(server, infos, tenants=None) -> int:
    """Refresh the tenants' copy of name, memo, lock state and type from InfoCustomer
    dicts just read. Writes only what differs (usually nothing): one UPDATE per field
    and new value, so a page of 100 rows costs a handful of statements at most.
    ``tenants``: those accounts' tenants as the caller loaded them a moment ago (with
    ``VOS_FIELDS``), compared instead of reading them again."""
    by_account = {info["account"]: info for info in infos if info.get("account")}
    if not by_account:
        return 0
    changes: dict[tuple[str, object], list[int]] = {}
    changed_rows = set()
    if tenants is None:
        tenants = Tenant.objects.filter(server=server, vos_account__in=list(by_account)).only(
            *VOS_FIELDS
        )
    for tenant in tenants:
        if tenant.server_id != server.pk or tenant.vos_account not in by_account:
            continue
        info = by_account[tenant.vos_account]
        # Only what VOS said: a field a sparse answer left out keeps the copy we have.
        wanted = {"name": (info.get("name") or tenant.name)[:128]}
        if "memo" in info:
            wanted["vos_memo"] = (info.get("memo") or "")[:255]
        if info.get("lockType") is not None:
            wanted["vos_locked"] = info["lockType"] == 1
        if info.get("type") is not None:
            wanted["vos_type"] = int(info["type"])
        for name, value in wanted.items():
            if getattr(tenant, name) != value:
                changes.setdefault((name, value), []).append(tenant.pk)
                changed_rows.add(tenant.pk)
    # .update() skips save(): paths are untouched, which is what we want.
    for (name, value), pks in changes.items():
        Tenant.objects.filter(pk__in=pks).update(**{name: value})
    return len(changed_rows)


def remember_read(
    server,
    infos,
    source: str,
    read_at: datetime | None = None,
    *,
    announce: bool = False,
    tenants=None,
) -> None:
    """After any GetCustomer a page made: the balance readings and the local copy, written
    after the response (at once outside a request). ``announce``: tell the low-balance
    alerts too (``billing.events.balances_read``), after the readings are written.
    ``tenants``: the page's tenants, loaded with ``VOS_FIELDS`` (remember_vos_fields)."""
    after.batch(
        _remember,
        (server, list(infos), source, read_at or timezone.now(), announce, tenants),
    )


def _outermost() -> bool:
    """Whether an atomic block opened now is the outermost, judged as Django judges
    ``atomic(durable=True)``: a test case's own transaction does not count."""
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _remember(items) -> None:
    """The readings a request gathered: one batch per server and source, the latest
    answer about an account winning."""
    batches: dict = {}
    for server, infos, source, read_at, announce, tenants in items:
        batch = batches.setdefault(
            (server.pk, source),
            {"server": server, "infos": {}, "read_at": read_at, "announce": False, "tenants": []},
        )
        # The loaded tenants are used only when every batch of this server had them.
        if batch["tenants"] is not None:
            batch["tenants"] = None if tenants is None else [*batch["tenants"], *tenants]
        for info in infos:
            if info.get("account"):
                batch["infos"][info["account"]] = info
        batch["read_at"] = max(batch["read_at"], read_at)
        batch["announce"] = batch["announce"] or announce
    for (_server_pk, source), batch in batches.items():
        server, infos = batch["server"], list(batch["infos"].values())
        # One transaction for the batch (its statements committed one by one cost a
        # commit each: 10 ms for a 25-row page whose readings changed), committed without
        # waiting for the disk: these rows are copies of what VOS said, which the next
        # read says again, and a crash that loses the last of them loses nothing else.
        # Only when the transaction is the batch's own: inside a caller's (a Pay answer
        # recorded with its transfer) the caller's commit must wait for the disk.
        outermost = _outermost()
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            record_balances(server, infos, source, batch["read_at"])
            remember_vos_fields(server, infos, batch["tenants"])
        if batch["announce"]:
            # Only the balances VOS said: a left-out money is unknown, not a zero to alert on.
            balances = {i["account"]: i["money"] for i in infos if i.get("money") is not None}
            balances_read.send(sender=None, server=server, balances=balances)


# --- Checks shared by every change ---------------------------------------------------------
