"""This app's pages: their access policies (see vosportal.url_policies), navigation
entries and tabs on a customer's pages (see vosportal.context_processors)."""

from __future__ import annotations

from vosportal.url_policies import OBJECT, PLATFORM, SIGNED_IN  # noqa: F401

POLICIES: dict = {}
# (url name, label, role families that see it), as in vosportal.context_processors.
NAV_ITEMS: list = []
# (url name, label, action the scope must allow).
NAV_ITEMS_BY_ACTION: list = []
# (url name taking ``tenant_id``, label, predicate(scope, tenant) -> bool).
CUSTOMER_TABS: list = []
