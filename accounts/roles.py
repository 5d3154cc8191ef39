"""Roles, what each may do, and the navigation each gets.

A user holds one role within one tenant. The role names what they may do; the tenant
(and everything below it) is where they may do it. Both are enforced by the Scope.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")
    PLATFORM_AUDITOR = "platform_auditor", _("Platform auditor")
    RESELLER_MANAGER = "reseller_manager", _("Reseller manager")
    RESELLER_OPERATOR = "reseller_operator", _("Reseller operator")
    CUSTOMER_OWNER = "customer_owner", _("Customer owner")
    CUSTOMER_VIEWER = "customer_viewer", _("Customer viewer")


class Action(models.TextChoices):
    VIEW = "view", _("view")
    CHANGE = "change", _("change")
    MOVE_MONEY = "move_money", _("move money")
    MANAGE_USERS = "manage_users", _("manage users")
    VIEW_AUDIT = "view_audit", _("view the audit trail")
    RUN_PLATFORM = "run_platform", _("run the platform")


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.PLATFORM_ADMIN: frozenset(Action.values),
    Role.PLATFORM_AUDITOR: frozenset({Action.VIEW, Action.VIEW_AUDIT}),
    Role.RESELLER_MANAGER: frozenset(
        {Action.VIEW, Action.CHANGE, Action.MOVE_MONEY, Action.MANAGE_USERS, Action.VIEW_AUDIT}
    ),
    # Everything a manager does except moving money and managing users.
    Role.RESELLER_OPERATOR: frozenset({Action.VIEW, Action.CHANGE, Action.VIEW_AUDIT}),
    Role.CUSTOMER_OWNER: frozenset(
        {Action.VIEW, Action.CHANGE, Action.MOVE_MONEY, Action.MANAGE_USERS, Action.VIEW_AUDIT}
    ),
    Role.CUSTOMER_VIEWER: frozenset({Action.VIEW}),
}

# Higher may grant lower. Used to cap the role a user may give when inviting.
ROLE_RANK: dict[str, int] = {
    Role.PLATFORM_ADMIN: 100,
    Role.PLATFORM_AUDITOR: 90,
    Role.RESELLER_MANAGER: 60,
    Role.RESELLER_OPERATOR: 50,
    Role.CUSTOMER_OWNER: 30,
    Role.CUSTOMER_VIEWER: 20,
}

# Which roles a tenant of each kind can hold.
ROLES_BY_TENANT_KIND: dict[str, tuple[str, ...]] = {
    "platform": (Role.PLATFORM_ADMIN, Role.PLATFORM_AUDITOR),
    "reseller": (Role.RESELLER_MANAGER, Role.RESELLER_OPERATOR),
    "customer": (Role.CUSTOMER_OWNER, Role.CUSTOMER_VIEWER),
}

# Roles that must enrol a second factor before reaching anything else.
MFA_REQUIRED_ROLES = frozenset(
    {Role.PLATFORM_ADMIN, Role.PLATFORM_AUDITOR, Role.RESELLER_MANAGER, Role.RESELLER_OPERATOR}
)

ADMIN = "admin"
RESELLER = "reseller"
CUSTOMER = "customer"


def role_of(user) -> str | None:
    """The navigation family of a user: admin, reseller or customer (None when anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.role in (Role.PLATFORM_ADMIN, Role.PLATFORM_AUDITOR):
        return ADMIN
    if user.role in (Role.RESELLER_MANAGER, Role.RESELLER_OPERATOR):
        return RESELLER
    return CUSTOMER


def can_grant(granter_role: str, role: str) -> bool:
    return ROLE_RANK.get(role, 10**6) <= ROLE_RANK.get(granter_role, -1)
