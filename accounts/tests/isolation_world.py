"""The world the isolation suite tests in, and how to make objects of each kind in it.

Tree:  platform > reseller A > customer A1
                            > reseller A-mid > sub-reseller A' (depth 3) > customer A1'
                > reseller B > customer B1

``OBJECT_MAKERS[kind](world, role_name, own)`` returns the primary key of an object of
that kind that the user of ``role_name`` owns (own=True) or must not see (own=False),
or None when no such object exists (the platform admin has nothing foreign); the suite
puts it in the URL's one parameter, whatever its name. A URL in
``web.pages`` with a new object kind needs a maker here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import Invitation, Tenant, User
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory

ROLE_NAMES = ("customer_a1", "customer_b1", "reseller_a", "sub_reseller_a", "reseller_b", "admin")


@dataclass
class World:
    tenants: dict[str, Tenant]
    users: dict[str, User]

    # The tenant whose objects count as "own" for each role, and a foreign one.
    def own_tenant(self, role_name: str) -> Tenant:
        return {
            "customer_a1": self.tenants["A1"],
            "customer_b1": self.tenants["B1"],
            "reseller_a": self.tenants["A1'"],  # a depth-4 customer three levels below A
            "sub_reseller_a": self.tenants["A1'"],
            "reseller_b": self.tenants["B1"],
            "admin": self.tenants["B1"],
        }[role_name]

    def foreign_tenant(self, role_name: str) -> Tenant | None:
        return {
            "customer_a1": self.tenants["B1"],
            "customer_b1": self.tenants["A1"],
            "reseller_a": self.tenants["B1"],
            "sub_reseller_a": self.tenants["A1"],  # its parent's other customer
            "reseller_b": self.tenants["A1'"],
            "admin": None,
        }[role_name]


def build_world() -> World:
    a = ResellerFactory(name="A", vos_account="res-a")
    a_mid = ResellerFactory(name="A-mid", parent=a, vos_account="res-a-mid")
    a_sub = ResellerFactory(name="A'", parent=a_mid, vos_account="res-a-sub")
    assert a_sub.depth == 3
    b = ResellerFactory(name="B", vos_account="res-b")
    tenants = {
        "A": a,
        "A'": a_sub,
        "B": b,
        "A1": TenantFactory(name="A1", parent=a, vos_account="a1"),
        "A1'": TenantFactory(name="A1'", parent=a_sub, vos_account="a1-sub"),
        "B1": TenantFactory(name="B1", parent=b, vos_account="b1"),
    }
    users = {
        "customer_a1": UserFactory(tenant=tenants["A1"], role=Role.CUSTOMER_OWNER),
        "customer_b1": UserFactory(tenant=tenants["B1"], role=Role.CUSTOMER_OWNER),
        "reseller_a": UserFactory(tenant=a, role=Role.RESELLER_MANAGER),
        "sub_reseller_a": UserFactory(tenant=a_sub, role=Role.RESELLER_MANAGER),
        "reseller_b": UserFactory(tenant=b, role=Role.RESELLER_MANAGER),
        "admin": AdminFactory(),
    }
    # Users the others may (or may not) act on: one viewer in every customer tenant.
    for key in ("A1", "A1'", "B1"):
        UserFactory(tenant=tenants[key], role=Role.CUSTOMER_VIEWER, email=f"viewer-{key}@t.test")
    return World(tenants=tenants, users=users)


def _tenant(world: World, role_name: str, own: bool):
    return world.own_tenant(role_name) if own else world.foreign_tenant(role_name)


def _tenant_pk(world: World, role_name: str, own: bool):
    tenant = _tenant(world, role_name, own)
    return None if tenant is None else tenant.pk


def _user_pk(world: World, role_name: str, own: bool):
    tenant = _tenant(world, role_name, own)
    if tenant is None:
        return None
    return User.objects.get(tenant=tenant, role=Role.CUSTOMER_VIEWER).pk


def _invitation_pk(world: World, role_name: str, own: bool):
    tenant = _tenant(world, role_name, own)
    if tenant is None:
        return None
    return Invitation.objects.create(
        email=f"invitee-{role_name}-{own}@t.test",
        tenant=tenant,
        role=Role.CUSTOMER_VIEWER,
        token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
        invited_by=world.users["admin"],
        expires_at=timezone.now() + timedelta(days=1),
    ).pk


def _audit_event_pk(world: World, role_name: str, own: bool):
    from accounts import audit

    tenant = _tenant(world, role_name, own)
    if tenant is None:
        return None
    return audit.record("test.isolation", actor=world.users["admin"], tenant=tenant).pk


def _audit_export_pk(world: World, role_name: str, own: bool):
    """A finished export with its file: the requester's own, or someone else's (an admin
    may not download another user's export either)."""
    from accounts.audit_trail import services as audit_services
    from accounts.models import AuditExport

    requester = world.users[
        role_name if own else ("customer_b1" if role_name == "admin" else "admin")
    ]
    job = AuditExport.objects.create(
        requested_by=requester,
        scope_user=requester,
        status=AuditExport.Status.DONE,
        file_name=f"isolation-{uuid.uuid4().hex}.csv",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    (audit_services.export_dir() / job.file_name).write_text("id\n", encoding="utf-8")
    return job.pk


OBJECT_MAKERS = {
    "tenant": _tenant_pk,
    # A customer-kind tenant: "customer" pages (phones, money...) take only those.
    "customer": _tenant_pk,
    "user": _user_pk,
    "invitation": _invitation_pk,
    "audit_event": _audit_event_pk,
    "audit_export": _audit_export_pk,
}

# URL kwargs for non-object URLs that take parameters: name -> maker(world). Without an
# entry, the suite fills each parameter with a value that matches nothing.
SAMPLE_KWARGS: dict = {}

# Object URLs where an "own" object does not exist for a role by design (e.g. customers
# cannot view as anyone: their own tenant has nobody below them): (url name, role name).
OWN_REFUSED: set[tuple[str, str]] = {
    ("view_as_start", "customer_a1"),
    ("view_as_start", "customer_b1"),
}


# Apps add makers for their own object kinds in ``<app>/tests/isolation_makers.py``
# (OBJECT_MAKERS, SAMPLE_KWARGS, OWN_REFUSED), merged here. A maker may return a dict of
# URL kwargs instead of a primary key, for URLs with more than one parameter (the
# tenant, then the object inside it); every parameter must then come from the maker.
APP_MAKER_MODULES = (
    "customers.tests.isolation_makers",
    "customers.bulk.tests.isolation_makers",
    "telephony.phones.tests.isolation_makers",
    "billing.rates.tests.isolation_makers",
    "billing.money.tests.isolation_makers",
    "billing.payments.tests.isolation_makers",
    "billing.cdrs.tests.isolation_makers",
    "billing.cdrs.tests.pull_isolation_makers",
    "billing.reports.tests.isolation_makers",
    "telephony.gateways.tests.isolation_makers",
    "telephony.live.tests.isolation_makers",
    "telephony.ivr_media.tests.isolation_makers",
    "alerts.tests.isolation_makers",
    "billing.tariffs.tests.isolation_makers",
    "switch.server_admin.tests.isolation_makers",
    "webhooks.tests.isolation_makers",
    "api.tests.isolation_makers",
)


def _merge_app_makers() -> None:
    from importlib import import_module

    for module_name in APP_MAKER_MODULES:
        module = import_module(module_name)
        for kind, maker in getattr(module, "OBJECT_MAKERS", {}).items():
            if kind in OBJECT_MAKERS:
                raise ValueError(f"{module_name}: a maker for {kind!r} exists already")
            OBJECT_MAKERS[kind] = maker
        SAMPLE_KWARGS.update(getattr(module, "SAMPLE_KWARGS", {}))
        OWN_REFUSED.update(getattr(module, "OWN_REFUSED", set()))


_merge_app_makers()
