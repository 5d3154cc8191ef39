"""Isolation-suite makers for billing.console_pages (see accounts.tests.isolation_world)."""

from __future__ import annotations

OBJECT_MAKERS: dict = {}
SAMPLE_KWARGS: dict = {}
OWN_REFUSED: set = set()
