"""Every URL's access policy, declared in one table.

The isolation suite (``accounts/tests/test_isolation.py``) walks the whole URLconf and
fails on any named URL without an entry here, so a new page cannot ship without saying
who may reach it and being tested for it.

Policies:
    PUBLIC        anyone, signed in or not (login, password reset, health)
    SIGNED_IN     any signed-in user; anonymous -> login redirect (HX-Redirect for htmx)
    PLATFORM      platform admins (and auditors for reads); others -> 404
    OBJECT        a scoped object in the URL: own -> 200, foreign -> 404. The entry names
                  the object kind; the suite knows how to make one per tenant (see
                  ``OBJECT_KINDS`` in the test).
    ALLAUTH       allauth's own pages; allauth applies its own rules, the suite checks
                  only that anonymous users are not served private pages
    DJANGO_ADMIN  the Django admin: staff only, through allauth's login
"""

from __future__ import annotations

from importlib import import_module

PUBLIC = "public"


SIGNED_IN = "signed_in"


PLATFORM = "platform"


OBJECT = "object"


ALLAUTH = "allauth"


DJANGO_ADMIN = "django_admin"


# url name -> (policy, object kind or None)
POLICIES: dict[str, tuple[str, str | None]] = {
    "healthz": (PUBLIC, None),
    "set_language": (PUBLIC, None),
    "dashboard": (SIGNED_IN, None),
    "preferences": (SIGNED_IN, None),
    "tenant_list": (SIGNED_IN, None),
    "tenant_detail": (OBJECT, "tenant"),
    "view_as_start": (OBJECT, "user"),
    "view_as_stop": (SIGNED_IN, None),
    "tenant_link": (PLATFORM, None),
    # The audit trail: the list is filtered by the scope (404 without the audit right).
    "audit_list": (SIGNED_IN, None),
    "audit_detail": (OBJECT, "audit_event"),
    "audit_export": (SIGNED_IN, None),
    "audit_export_status": (OBJECT, "audit_export"),
    "audit_export_download": (OBJECT, "audit_export"),
    # Users and invitations (managers only; others get 404 from scope.require).
    "user_list": (SIGNED_IN, None),
    "user_invite": (SIGNED_IN, None),
    "invitation_revoke": (OBJECT, "invitation"),
    "user_deactivate": (OBJECT, "user"),
    "invitation_accept": (PUBLIC, None),
}


# Whole families, by URL namespace or name prefix, whose rules live in their package.
FAMILIES: dict[str, str] = {
    "admin:": DJANGO_ADMIN,
    "account_": ALLAUTH,
    "mfa_": ALLAUTH,
    "usersessions_": ALLAUTH,
}


# Apps declare the policies of their own URLs (and their navigation) in a "pages" module
# of their own, so that several people can add pages without editing one shared table.
# Each module may define POLICIES (merged here), NAV_ITEMS, NAV_ITEMS_BY_ACTION and
# CUSTOMER_TABS (merged by vosportal.context_processors).
PAGE_MODULES = (
    "customers.pages",
    "telephony.phones.pages",
    "telephony.numbers.pages",
    "billing.rates.pages",
    "billing.money.pages",
    "billing.cdrs.pages",
    "billing.reports.pages",
    "telephony.gateways.pages",
    "telephony.live.pages",
    "telephony.ivr_media.pages",
    "alerts.pages",
    "billing.tariffs.pages",
)


def _merge_app_policies() -> None:

    for module_name in PAGE_MODULES:
        module = import_module(module_name)
        for name, policy in getattr(module, "POLICIES", {}).items():
            if name in POLICIES:
                raise ValueError(f"{module_name}: the policy of {name!r} is declared twice")
            POLICIES[name] = policy


_merge_app_policies()


def policy_for(name: str) -> tuple[str, str | None] | None:
    if name in POLICIES:
        return POLICIES[name]
    for prefix, policy in FAMILIES.items():
        if name.startswith(prefix):
            return policy, None
    return None
