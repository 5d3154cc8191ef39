"""The health check's access policy (see web.pages)."""

from __future__ import annotations

from web.pages import PUBLIC, Page

PAGES: list[Page] = [
    # Monitors and load balancers poll it without signing in; it never names an address.
    Page("healthz", PUBLIC),
]
