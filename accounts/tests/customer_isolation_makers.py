"""Makers of this app's object kinds for the isolation suite (see
accounts.tests.isolation_world): kind -> maker(world, role_name, own) returning a primary
key, a dict of URL kwargs, or None when no such object exists for that role."""

from __future__ import annotations

OBJECT_MAKERS: dict = {}
SAMPLE_KWARGS: dict = {}
OWN_REFUSED: set = set()
