"""Access policies (see vosportal.url_policies), navigation and account tabs of these
pages (issue 6 work in progress)."""

from __future__ import annotations

POLICIES: dict = {}
NAV_ITEMS: list = []
NAV_ITEMS_BY_ACTION: list = []
CUSTOMER_TABS: list = []
