"""Writes for the rates and suites pages: fee rate group grants (a portal record,
audited here) and suite orders (VOS writes, audited by ``switch.vos.call``). Every
function takes the request's scope and checks what it is about before anything
changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import Tenant
from accounts.roles import Action
from accounts.scope import OutOfScope
from billing.models import FeeRateGroupGrant
from billing.rates import selectors
from billing.rates.selectors import NotLinked, Owner, granted_groups, require_linked
from switch import vos
from vos3000.client.dates import ms_from_datetime
from vos3000.simulator import demo


# --- Fee rate group grants ---------------------------------------------------------------
class Refused(Exception):
    """A request the portal will not make, with words for the person who asked."""


def grants_tenant_or_404(scope, tenant_id) -> Tenant:
    """A reseller tenant in the scope whose grants this user may look at."""
    tenant = scope.tenant_or_404(tenant_id)
    if tenant.kind != Tenant.Kind.RESELLER:
        raise OutOfScope(f"tenant {tenant_id!r} is not a reseller")
    return tenant


def may_edit_grants(scope, tenant: Tenant) -> bool:
    """Admins edit any reseller's grants; a reseller those of resellers below it, never
    its own."""
    return (
        scope.can(Action.CHANGE) and tenant.kind == Tenant.Kind.RESELLER and scope.manages(tenant)
    )


def current_grants(tenant: Tenant) -> list[str]:
    return sorted(FeeRateGroupGrant.objects.filter(tenant=tenant).values_list("group", flat=True))


def grantable_groups(scope, tenant: Tenant) -> list[str]:
    """What this user may grant to (or revoke from) ``tenant``: for the platform every
    group of the tenant's VOS server (plus grants VOS no longer knows, to revoke them);
    for a reseller the groups granted to its own tenant."""
    if scope.is_platform:
        if not tenant.server_id:
            raise NotLinked
        names = {row.name for row in selectors.all_groups(scope, tenant.server)}
        return sorted(names | set(current_grants(tenant)))
    return sorted(granted_groups(scope) or ())


@dataclass
class GrantChange:
    added: list[str]
    removed: list[str]
    cascaded: int


@transaction.atomic
def set_grants(scope, tenant: Tenant, wanted: Iterable[str], grantable: Iterable[str]):
    """Make ``tenant``'s grants among ``grantable`` exactly ``wanted`` (grants outside
    ``grantable`` are left alone: a reseller cannot touch what the platform gave below
    it). A revoked group is also taken from the resellers below ``tenant`` it was passed
    on to. Audited with the groups before and after."""
    if not may_edit_grants(scope, tenant):
        raise OutOfScope("grants not editable")
    wanted, grantable = set(wanted), set(grantable)
    if wanted - grantable:
        raise Refused(_("You can only grant fee rate groups you have yourself."))
    # Lock the tenant's row so two simultaneous edits do not interleave.
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
    before = set(current_grants(tenant))
    added = sorted(wanted - before)
    removed = sorted((before & grantable) - wanted)
    FeeRateGroupGrant.objects.bulk_create(
        [FeeRateGroupGrant(tenant=tenant, group=g, granted_by=scope.user) for g in added],
        ignore_conflicts=True,
    )
    FeeRateGroupGrant.objects.filter(tenant=tenant, group__in=removed).delete()
    cascaded = _revoke_below(scope, tenant, removed) if removed else 0
    if added or removed:
        audit.record(
            "billing.fee_rate_grants",
            scope=scope,
            target=tenant,
            before={"groups": sorted(before)},
            after={"groups": current_grants(tenant)},
            payload={"added": added, "removed": removed},
        )
    return GrantChange(added, removed, cascaded)


def _revoke_below(scope, tenant: Tenant, groups: list[str]) -> int:
    """Take ``groups`` from the resellers below ``tenant`` that got them from it (or from
    someone below it): what was passed on goes when the source goes."""
    passed_on = FeeRateGroupGrant.objects.filter(
        tenant__path__startswith=tenant.path, group__in=groups
    ).exclude(tenant=tenant)
    passed_on = passed_on.filter(
        Q(granted_by__isnull=True) | Q(granted_by__tenant__path__startswith=tenant.path)
    )
    by_tenant: dict[int, list[FeeRateGroupGrant]] = {}
    for grant in passed_on.select_related("tenant"):
        by_tenant.setdefault(grant.tenant_id, []).append(grant)
    for grants in by_tenant.values():
        below = grants[0].tenant
        before = current_grants(below)
        FeeRateGroupGrant.objects.filter(pk__in=[g.pk for g in grants]).delete()
        audit.record(
            "billing.fee_rate_grants",
            scope=scope,
            target=below,
            before={"groups": before},
            after={"groups": current_grants(below)},
            payload={"removed": sorted(g.group for g in grants), "because_revoked_from": tenant.pk},
        )
    return sum(len(g) for g in by_tenant.values())


def grant_demo_groups(granted_by=None) -> int:
    """Demo data: grant each demo reseller tenant the fee rate groups it sells from the
    demo's price lists (the top resellers the retail and sub-reseller ones, the
    sub-reseller the two retail ones). Idempotent; returns how many grants were made."""
    plan = {
        **dict.fromkeys(demo.RESELLER_ACCOUNTS, (demo.SUB_RESELLER, demo.PREMIUM, demo.STANDARD)),
        **dict.fromkeys(demo.SUB_RESELLER_ACCOUNTS, (demo.PREMIUM, demo.STANDARD)),
    }
    made = 0
    for tenant in Tenant.objects.filter(kind=Tenant.Kind.RESELLER, vos_account__in=list(plan)):
        for group in plan[tenant.vos_account]:
            _, created = FeeRateGroupGrant.objects.get_or_create(
                tenant=tenant, group=group, defaults={"granted_by": granted_by}
            )
            made += created
    return made


# --- Suites ------------------------------------------------------------------------------
def may_manage_suites(scope) -> bool:
    """Ordering and ending suites is for resellers and admins (a suite's rent is
    charged to the customer): customers see theirs, read-only."""
    return scope.can(Action.CHANGE) and scope.is_provider


def _require_suite_manager(scope) -> None:
    if not may_manage_suites(scope):
        raise Refused(_("Suites are ordered and ended by your reseller."))


def start_of_day_ms(day: date) -> int:
    zone = timezone.get_current_timezone()
    return ms_from_datetime(datetime.combine(day, time.min, tzinfo=zone))


def order_suite(
    scope, tenant: Tenant, *, suite_id: int, owner: Owner, available: date, expires: date | None
) -> int:
    """CreateSuiteOrder for the customer's account or one of its phones (``owner``, made
    by ``selectors.suite_owner``), from the start of ``available`` to the end of
    ``expires`` (no limit when None), both days in the user's time zone."""
    _require_suite_manager(scope)
    server = require_linked(tenant)
    if suite_id not in {int(s["id"]) for s in selectors.suites(scope, server)}:
        raise Refused(_("That suite does not exist (any more)."))
    if expires is not None and expires < available:
        raise Refused(_("The suite cannot end before it starts."))
    payload = {
        "ownerName": owner.name,
        "ownerType": owner.type,
        "suiteId": suite_id,
        "availableTime": start_of_day_ms(available),
    }
    if expires is not None:
        payload["expireTime"] = start_of_day_ms(expires + timedelta(days=1))
    answer = vos.call(
        scope,
        server,
        "CreateSuiteOrder",
        payload,
        target=tenant,
        tenant=tenant,
        verified={owner.name} if owner.is_phone else frozenset(),
    )
    return int(answer.get("id") or 0)


def end_suite_order(scope, tenant: Tenant, owner: Owner, order_id: int) -> None:
    """DeleteSuiteOrder of an order read just now through the scope for ``owner``."""
    _require_suite_manager(scope)
    server = require_linked(tenant)
    ids = {str(o.get("id")) for o in selectors.suite_orders(scope, tenant, owner)}
    if str(order_id) not in ids:
        raise OutOfScope(f"suite order {order_id!r}")
    vos.call(
        scope,
        server,
        "DeleteSuiteOrder",
        {"id": int(order_id)},
        target=tenant,
        tenant=tenant,
        verified=ids,
    )


def change_suite_order_end(
    scope, tenant: Tenant, owner: Owner, order_id: int, expires: date | None
) -> None:
    """ModifySuiteOrder: move the last day of an order read just now through the scope
    for ``owner`` (the end of ``expires`` in the user's time zone; None: no end). The
    start stays; an end before it is refused before VOS is asked."""
    _require_suite_manager(scope)
    server = require_linked(tenant)
    orders = {str(o.get("id")): o for o in selectors.suite_orders(scope, tenant, owner)}
    order = orders.get(str(order_id))
    if order is None:
        raise OutOfScope(f"suite order {order_id!r}")
    expire_ms = selectors.NO_LIMIT
    if expires is not None:
        expire_ms = start_of_day_ms(expires + timedelta(days=1))
        if expire_ms <= int(order.get("availableTime") or 0):
            raise Refused(_("The suite cannot end before it starts."))
    vos.call(
        scope,
        server,
        "ModifySuiteOrder",
        {"id": int(order_id), "expireTime": expire_ms},
        target=tenant,
        tenant=tenant,
        verified=set(orders),
        before={"expireTime": order.get("expireTime")},
        after={"expireTime": expire_ms},
    )


def end_current_suite(scope, tenant: Tenant, owner: Owner, suite_id: int) -> None:
    """DeleteCurrentSuite of a current suite read just now through the scope."""
    _require_suite_manager(scope)
    server = require_linked(tenant)
    ids = {str(s.get("id")) for s in selectors.current_suites(scope, tenant, owner)}
    if str(suite_id) not in ids:
        raise OutOfScope(f"current suite {suite_id!r}")
    vos.call(
        scope,
        server,
        "DeleteCurrentSuite",
        {"id": int(suite_id)},
        target=tenant,
        tenant=tenant,
        verified=ids,
    )
