"""Live state: VOS push receiver, live calls, online phones, live dashboard fragments.
Access policies of this area's URLs (see vosportal.url_policies), navigation entries
(see vosportal.context_processors) and tabs on an account's pages."""

from __future__ import annotations

from vosportal.url_policies import OBJECT, PLATFORM, PUBLIC, SIGNED_IN  # noqa: F401

POLICIES: dict = {}
NAV_ITEMS: list = []
NAV_ITEMS_BY_ACTION: list = []
CUSTOMER_TABS: list = []
