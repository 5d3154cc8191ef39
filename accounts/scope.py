"""The one place that decides what a user may see and touch.

A ``Scope`` is built per request (``request.scope``, see ``ScopeMiddleware``) or per
task (``Scope.for_user_id``) from the user's tenant and role. Views, selectors, forms,
exports, htmx fragments and Celery tasks ask it; none decides on its own. Anything
outside the scope is answered with 404 (``Http404``), never 403, so that the existence
of other tenants' objects does not leak.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import AuditEvent, Tenant, User
from accounts.roles import ROLE_ACTIONS, ROLES_BY_TENANT_KIND, Action, Role, can_grant, role_of

log = logging.getLogger(__name__)


class OutOfScope(Http404):
    """A foreign or unknown id. Rendered as a plain 404 and recorded in the audit trail."""


def _never_saved(*args, **kwargs):
    raise RuntimeError("a user acting with another role (Scope.with_role) is never saved")


@dataclass(frozen=True)
class Scope:
    user: User
    # Who is really at the keyboard when an admin or reseller views as ``user``.
    acting_user: User | None = None

    # --- construction --------------------------------------------------------------------
    @classmethod
    def for_user_id(cls, user_id: int, acting_user_id: int | None = None) -> Scope:
        """For Celery tasks: they get ids, never objects, and rebuild the scope."""
        user = User.objects.select_related("tenant").get(pk=user_id, is_active=True)
        acting = User.objects.get(pk=acting_user_id, is_active=True) if acting_user_id else None
        return cls(user=user, acting_user=acting)

    @classmethod
    def with_role(cls, user: User, role: str) -> Scope:
        """``user`` acting with ``role`` instead of their own (an API key a manager made
        for an operator's work, say): exactly the scope a user of that role in the same
        tenant would have. The role must fit the tenant's kind and be no higher than the
        user's (``can_grant``), else ValueError. The stand-in is never saved."""
        if user.tenant is None or role not in ROLES_BY_TENANT_KIND.get(user.tenant.kind, ()):
            raise ValueError(f"role {role!r} does not fit the user's tenant")
        if not can_grant(user.role, role):
            raise ValueError(f"role {role!r} is above the user's own")
        stand_in = copy.copy(user)
        stand_in.role = role
        stand_in.save = _never_saved
        return cls(user=stand_in)

    # --- who -----------------------------------------------------------------------------
    @property
    def role(self) -> str:
        return self.user.role

    @property
    def role_family(self) -> str | None:
        """The navigation's family of the user: admin, reseller or customer."""
        return role_of(self.user)

    @cached_property
    def tenant(self) -> Tenant | None:
        return self.user.tenant

    @property
    def is_platform(self) -> bool:
        return self.tenant is not None and self.tenant.kind == Tenant.Kind.PLATFORM

    @property
    def is_provider(self) -> bool:
        """The platform or a reseller: those who set accounts, phones and money up for
        the accounts below them."""
        return self.tenant is not None and self.tenant.kind in (
            Tenant.Kind.PLATFORM,
            Tenant.Kind.RESELLER,
        )

    @property
    def is_customer(self) -> bool:
        return self.tenant is not None and self.tenant.kind == Tenant.Kind.CUSTOMER

    def manages(self, tenant: Tenant) -> bool:
        """Whether this user runs ``tenant`` from above: a provider, and ``tenant`` an
        account strictly below its own (never its own account, never the platform).
        Changes to an account, its grants and its top-ups are made from above."""
        return (
            self.is_provider
            and tenant.kind != Tenant.Kind.PLATFORM
            and self.contains(tenant)
            and tenant.pk != self.tenant.pk
        )

    def can(self, action: str) -> bool:
        if self.tenant is None or not self.user.is_active:
            return False
        return action in ROLE_ACTIONS.get(self.role, frozenset())

    def require_platform(self, action: str = Action.VIEW) -> None:
        """Pages about the switch itself (gateways, operations, consoles, pulls) are the
        platform's: everyone else gets the 404 of a page that does not exist, whatever
        the method; then the role must allow ``action`` (auditors only read)."""
        if not self.is_platform:
            raise OutOfScope("a platform page")
        self.require(action)

    def require(self, action: str) -> None:
        """Refuse an action the role does not allow. A 404 like any other refusal: a
        viewer probing a manager's form learns nothing either."""
        if not self.can(action):
            raise OutOfScope(f"action {action} not allowed")

    # --- tenants -------------------------------------------------------------------------
    def tenants(self):
        """Every tenant this user may see: its own and everything below it."""
        if self.tenant is None:
            return Tenant.objects.none()
        return Tenant.objects.filter(path__startswith=self.tenant.path)

    def tenant_or_404(self, pk) -> Tenant:
        return self.get_or_404(self.tenants(), pk, "tenant")

    def customer_or_404(self, pk) -> Tenant:
        """A customer tenant in the scope (the pages about one VOS customer account)."""
        tenant = self.tenant_or_404(pk)
        if tenant.kind != Tenant.Kind.CUSTOMER:
            raise OutOfScope(f"tenant {pk!r} is not a customer")
        return tenant

    def account_or_404(self, pk) -> Tenant:
        """A tenant with a VOS account (customer or reseller) in the scope."""
        tenant = self.tenant_or_404(pk)
        if tenant.kind == Tenant.Kind.PLATFORM:
            raise OutOfScope(f"tenant {pk!r} has no VOS account")
        return tenant

    def contains(self, tenant: Tenant) -> bool:
        return self.tenant is not None and tenant.path.startswith(self.tenant.path)

    # --- any scoped rows: the primitives each area's readers are written with ---------------
    def visible(self, rows: QuerySet, *paths: str, own: str = "", action: str = Action.VIEW):
        """The rows of ``rows`` this user may see, after ``require(action)``: all of them
        on the platform; none without a tenant; a customer's own rows by the ``own``
        field (its tenant id), when given; otherwise the rows whose tenant path (any of
        ``paths``) lies in the subtree: one indexed prefix per path, never a tree walk.
        Each area keeps a one-line reader next to its model (``billing.cdrs.selectors.
        visible_cdrs``); the scope knows no feature's models."""
        self.require(action)
        if self.is_platform:
            return rows
        if self.tenant is None:
            return rows.none()
        if own and not self.is_provider:
            return rows.filter(**{own: self.tenant.pk})
        prefix = Q()
        for path in paths:
            prefix |= Q(**{f"{path}__startswith": self.tenant.path})
        return rows.filter(prefix)

    def private(self, rows: QuerySet, field: str = "requested_by", action: str = Action.VIEW):
        """Rows private to the person at the keyboard (an export file), whoever else
        shares the scope: when an admin views as someone, the admin's own rows."""
        self.require(action)
        return rows.filter(**{field: self.acting_user or self.user})

    def get_or_404(self, rows: QuerySet, pk, what: str = ""):
        """One row of an already scoped queryset by id; a foreign, unknown or malformed
        id is the same 404 (``OutOfScope``, recorded in the audit trail)."""
        try:
            return rows.get(pk=int(pk))
        except (rows.model.DoesNotExist, TypeError, ValueError):
            raise OutOfScope(f"{what or rows.model._meta.verbose_name} {pk!r}") from None

    # --- users ---------------------------------------------------------------------------
    def users(self):
        return (
            User.objects.filter(tenant__path__startswith=self.tenant.path)
            if self.tenant
            else (User.objects.none())
        )

    def user_or_404(self, pk) -> User:
        return self.get_or_404(self.users(), pk, "user")

    def grantable_roles(self, tenant: Tenant) -> list[str]:
        """Roles this user may give someone in ``tenant``: fitting the tenant's kind and
        no higher than their own."""
        if not self.contains(tenant):
            return []
        return self.grantable_roles_in_kinds({tenant.kind})

    def grantable_roles_in_kinds(self, kinds) -> list[str]:
        """Roles this user may give in tenants of any of ``kinds`` (for choice lists)."""
        if not self.can(Action.MANAGE_USERS):
            return []
        return [
            role
            for role in Role.values
            if can_grant(self.role, role)
            and any(role in ROLES_BY_TENANT_KIND[kind] for kind in kinds)
        ]

    def may_manage(self, other: User) -> bool:
        """Whether this user may change ``other``'s account (deactivate it, say): someone
        in the scope, not themselves, and not above their own role."""
        return (
            self.can(Action.MANAGE_USERS)
            and other.tenant is not None
            and self.contains(other.tenant)
            and other.pk not in {self.user.pk, getattr(self.acting_user, "pk", None)}
            and can_grant(self.role, other.role)
        )

    # --- audit trail ---------------------------------------------------------------------
    def audit_events(self):
        """The part of the trail this user may read: all of it on the platform (admins,
        auditors), the tenant's subtree for resellers, the own tenant for customer
        owners (a prefix on the path: the (tenant_path, -id) index serves it). Roles
        without the audit right get a 404."""
        return self.visible(AuditEvent.objects.all(), "tenant_path", action=Action.VIEW_AUDIT)

    def audit_event_or_404(self, pk):
        return self.get_or_404(self.audit_events(), pk, "audit event")

    # --- VOS accounts --------------------------------------------------------------------
    def vos_accounts(self, server) -> set[str]:
        """The VOS account names this user may name in calls to ``server``."""
        return set(
            self.tenants()
            .filter(server=server, status=Tenant.Status.ACTIVE)
            .exclude(vos_account="")
            .values_list("vos_account", flat=True)
        )

    def vos_accounts_among(self, server, accounts: Iterable[str]) -> set[str]:
        """Which of ``accounts`` this user may name: one indexed query about just those
        names, so its cost follows the page, not the size of the subtree."""
        names = {a for a in accounts if a}
        if not names:
            return set()
        return set(
            self.tenants()
            .filter(server=server, status=Tenant.Status.ACTIVE, vos_account__in=names)
            .values_list("vos_account", flat=True)
        )

    def require_vos_accounts(self, server, accounts: Iterable[str]) -> list[str]:
        """Check every account a request is about to name; 404 on any foreign one."""
        accounts = list(accounts)
        allowed = self.vos_accounts_among(server, accounts)
        foreign = [a for a in accounts if a not in allowed]
        if foreign:
            raise OutOfScope(f"VOS accounts outside the scope: {len(foreign)}")
        return accounts

    def keep_in_scope(self, server, rows: Iterable[dict], field: str = "account") -> list[dict]:
        """Re-check an answer from VOS: rows about accounts outside the subtree are
        dropped (and logged), whatever VOS sent."""
        rows = list(rows)
        allowed = self.vos_accounts_among(server, (row.get(field) for row in rows))
        kept, dropped = [], 0
        for row in rows:
            if row.get(field) in allowed:
                kept.append(row)
            else:
                dropped += 1
        if dropped:
            log.warning("dropped %d VOS rows outside the scope of user %s", dropped, self.user.pk)
        return kept

    @property
    def sees_gateways(self) -> bool:
        """Gateway and vendor names, and call IPs, are the platform's business only."""
        return self.is_platform

    # --- money -------------------------------------------------------------------------
    def may_top_up(self, tenant: Tenant) -> bool:
        """Top-ups are given from above (``manages``) by someone who may move money.
        Customers top themselves up with phone cards instead."""
        return self.can(Action.MOVE_MONEY) and self.manages(tenant)

    def may_use_phone_card(self, tenant: Tenant) -> bool:
        """A phone card tops up any account in the scope, one's own included."""
        return (
            self.can(Action.MOVE_MONEY)
            and self.contains(tenant)
            and tenant.kind != Tenant.Kind.PLATFORM
        )

    # --- view-as -------------------------------------------------------------------------
    def may_view_as(self, other: User) -> bool:
        """Admins may view as anyone; resellers as users strictly below their tenant."""
        if self.acting_user is not None or other.pk == self.user.pk or not other.is_active:
            return False
        if other.tenant is None:
            return False
        if self.role == Role.PLATFORM_ADMIN:
            return other.role != Role.PLATFORM_ADMIN
        if self.role == Role.RESELLER_MANAGER:
            return other.tenant.path.startswith(self.tenant.path) and (
                other.tenant_id != self.tenant.pk
            )
        return False
