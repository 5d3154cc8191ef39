"""What VOS told the portal about accounts it read: balance readings (the figures that
sort and filter lists between reads, ``billing.models.BalanceReading``) and the tenant's
local copy of a few VOS fields (``vos_memo``, ``vos_locked``, ``vos_type``: search aids).
Every page, dashboard and Pay answer that reads accounts calls ``remember_read``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from accounts.models import Tenant
from billing.models import BalanceReading


def as_money(value) -> Decimal | None:
    """A VOS double as a Decimal (VOS sends floats; str() keeps what it printed)."""
    if value is None or value == "":
        return None
    return Decimal(str(value))


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
    known = set(
        BalanceReading.objects.filter(server=server, vos_account__in=list(fresh)).values_list(
            "vos_account", flat=True
        )
    )
    meta = BalanceReading._meta
    money_field, limit_field = meta.get_field("money"), meta.get_field("limit_money")
    ops = connection.ops

    def decimal(field, value):
        return ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)

    when = ops.adapt_datetimefield_value(read_at)
    updates, created = [], []
    for account, info in fresh.items():
        money = as_money(info.get("money"))
        limit = as_money(info.get("limitMoney"))
        if account in known:
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
    return len(updates) + len(created)


def remember_vos_fields(server, infos) -> int:
    """Refresh the tenants' copy of name, memo, lock state and type from InfoCustomer
    dicts just read. Writes only what differs (usually nothing): one UPDATE per field
    and new value, so a page of 100 rows costs a handful of statements at most."""
    by_account = {info["account"]: info for info in infos if info.get("account")}
    if not by_account:
        return 0
    changes: dict[tuple[str, object], list[int]] = {}
    changed_rows = set()
    for tenant in Tenant.objects.filter(server=server, vos_account__in=list(by_account)).only(
        "pk", "vos_account", "name", "vos_memo", "vos_locked", "vos_type"
    ):
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


def remember_read(server, infos, source: str, read_at: datetime | None = None) -> None:
    """After any GetCustomer a page made: the balance readings and the local copy."""
    infos = list(infos)
    record_balances(server, infos, source, read_at)
    remember_vos_fields(server, infos)


# --- Checks shared by every change ---------------------------------------------------------
