"""The page registry: every page says who may reach it, where the navigation shows it and
which tab it is on an account's pages, in its own area's ``pages.py``.

Each area declares one list, ``PAGES``, of ``Page`` entries. The modules are found by
walking our apps (the apps installed from the project directory, beside this one): each
app's own ``pages.py`` and each area's (``billing/money/pages.py``), loaded once at
start-up (``WebConfig.ready``). A URL name declared twice stops the start-up. The same
walk finds every area's ``urls.py`` for the URLconf (``area_modules("urls")``), so a new
page is a view, a template, a line in its area's urls.py and an entry in its pages.py.

The isolation suite (``accounts/tests/test_isolation.py``) walks the whole URLconf and
fails on any named URL without a policy, so a new page cannot ship without saying who
may reach it and being tested for it.

Policies:
    PUBLIC        anyone, signed in or not (login, password reset, health)
    SIGNED_IN     any signed-in user; anonymous -> login redirect (HX-Redirect for htmx)
    PLATFORM      platform admins (and auditors for reads); others -> 404
    OBJECT        a scoped object in the URL: own -> 200, foreign -> 404. The page names
                  the object kind; the suite knows how to make one per tenant (see
                  ``OBJECT_MAKERS`` in accounts/tests/isolation_world.py).
    ALLAUTH       allauth's own pages; allauth applies its own rules, the suite checks
                  only that anonymous users are not served private pages
    DJANGO_ADMIN  the Django admin: staff only, through allauth's login
    API           the API's routes (``api:`` names): keys, not sessions; every route is
                  walked by api/tests/test_isolation_api.py with its own policy table
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PUBLIC = "public"
SIGNED_IN = "signed_in"
PLATFORM = "platform"
OBJECT = "object"
ALLAUTH = "allauth"
DJANGO_ADMIN = "django_admin"
API = "api"


_POLICY_NAMES = {PUBLIC, SIGNED_IN, PLATFORM, OBJECT, ALLAUTH, DJANGO_ADMIN, API}


# The menus of the navigation: at most seven entries per role (docs/architecture.md).
# A Nav names its menu, or a menu per role family ({"admin": None, ...}: top level).
CUSTOMERS_MENU = _("Customers")
MONEY_MENU = _("Money")
CALLS_MENU = _("Calls & reports")
SETTINGS_MENU = _("Settings")
OPERATIONS = _("Operations")


def _always(scope, tenant) -> bool:
    return True


def on_customer_accounts(scope, tenant) -> bool:
    """A tab shown on a customer account's pages only (not a reseller's)."""
    return tenant.kind == "customer"


@dataclass(frozen=True)
class Nav:
    """An entry of the navigation, shown to the role families in ``roles`` (admin,
    reseller, customer: the scope's ``role_family``) or to whoever's scope allows
    ``action``; under the menu ``group`` when given (the menu stands where its first
    entry would), or under ``group[role_family]`` when ``group`` is a mapping (missing
    or None: at the top level). Entries of all areas are shown by ``order``, smallest
    first."""

    label: Any
    order: int
    roles: frozenset[str] = field(default_factory=frozenset)
    action: str | None = None
    group: Any = None

    def __post_init__(self):
        object.__setattr__(self, "roles", frozenset(self.roles))
        if bool(self.roles) == bool(self.action):
            raise ImproperlyConfigured(f"{self.label}: a Nav names its roles or its action")

    def shown_to(self, role_family: str, scope) -> bool:
        return role_family in self.roles or (self.action is not None and scope.can(self.action))

    def group_for(self, role_family: str):
        if isinstance(self.group, Mapping):
            return self.group.get(role_family)
        return self.group


@dataclass(frozen=True)
class Tab:
    """A tab on an account's pages (its URL takes ``tenant_id``), shown when
    ``allowed(scope, tenant)``; tabs of all areas are shown by ``order``."""

    label: Any
    order: int
    allowed: Callable[[Any, Any], bool] = _always


@dataclass(frozen=True)
class Page:
    """A named URL: its policy (an OBJECT page names its object kind), and optionally its
    entry in the navigation and its tab on an account's pages."""

    url_name: str
    policy: str
    object_kind: str | None = None
    nav: Nav | None = None
    tab: Tab | None = None

    def __post_init__(self):
        if self.policy not in _POLICY_NAMES:
            raise ImproperlyConfigured(f"{self.url_name}: unknown policy {self.policy!r}")
        if (self.policy == OBJECT) != (self.object_kind is not None):
            raise ImproperlyConfigured(f"{self.url_name}: an OBJECT page names its object kind")


# Whole families, by URL namespace or name prefix, whose rules live in their package.
FAMILIES: dict[str, str] = {
    "admin:": DJANGO_ADMIN,
    "api:": API,
    "account_": ALLAUTH,
    "mfa_": ALLAUTH,
    "usersessions_": ALLAUTH,
}


# Filled once at start-up by ``discover()``: url name -> its Page, and -> (policy, kind).
PAGES: dict[str, Page] = {}
POLICIES: dict[str, tuple[str, str | None]] = {}


def _our_apps() -> list:
    """The installed apps that are ours: those in the project directory, beside web."""
    project = Path(__file__).resolve().parent.parent
    return [app for app in apps.get_app_configs() if Path(app.path).resolve().parent == project]


def area_modules(name: str) -> list[str]:
    """Our modules called ``name``: per app (in INSTALLED_APPS order) its own, then its
    areas' in alphabetical order (``billing.cdrs.urls``, ``billing.money.urls``...)."""
    found = []
    for app in _our_apps():
        base = Path(app.path)
        if (base / f"{name}.py").is_file():
            found.append(f"{app.name}.{name}")
        for area in sorted(base.iterdir()):
            if (area / "__init__.py").is_file() and (area / f"{name}.py").is_file():
                found.append(f"{app.name}.{area.name}.{name}")
    return [module for module in found if module != __name__]


def collect(modules: Iterable[ModuleType]) -> dict[str, Page]:
    """The pages the modules declare (``PAGES``), by url name; a name declared twice, or
    a module without ``PAGES``, is a configuration error."""
    pages: dict[str, Page] = {}
    where: dict[str, str] = {}
    for module in modules:
        declared = getattr(module, "PAGES", None)
        if declared is None:
            raise ImproperlyConfigured(f"{module.__name__} declares no PAGES")
        for page in declared:
            if page.url_name in pages:
                raise ImproperlyConfigured(
                    f"the page {page.url_name!r} is declared twice: in "
                    f"{where[page.url_name]} and in {module.__name__}"
                )
            pages[page.url_name] = page
            where[page.url_name] = module.__name__
    return pages


def discover() -> None:
    """Load every area's pages module into ``PAGES`` and ``POLICIES`` (at start-up)."""
    pages = collect(import_module(name) for name in area_modules("pages"))
    PAGES.clear()
    PAGES.update(pages)
    POLICIES.clear()
    POLICIES.update({name: (page.policy, page.object_kind) for name, page in pages.items()})


def nav_pages() -> list[Page]:
    """The pages with a navigation entry, in the navigation's order."""
    return sorted((page for page in PAGES.values() if page.nav), key=lambda page: page.nav.order)


def tab_pages() -> list[Page]:
    """The pages with a tab on an account's pages, in the tabs' order."""
    return sorted((page for page in PAGES.values() if page.tab), key=lambda page: page.tab.order)


def policy_for(name: str) -> tuple[str, str | None] | None:
    if name in POLICIES:
        return POLICIES[name]
    for prefix, policy in FAMILIES.items():
        if name.startswith(prefix):
            return policy, None
    return None
