"""Hostile query strings on every page of the URLconf, for every role: never a 5xx.

The URL list is the isolation suite's walk of the URLconf and the page registry
(``accounts.tests.test_isolation``: PORTAL_URLS, ``_url``), so a new list page is
fuzzed without a line here. Each page is asked for once plainly; the names its GET forms
send (``web.tests.test_htmx_contract.forms_of``) and the names the list views read
(QUERY_KEYS) then each get every hostile value at once, a fixed few requests a page:
NUL bytes (raw and as ``%00``), 10k-character values, numbers beyond a double, negative
and non-numeric pages, impossible dates, repeated keys, bracketed "arrays", unicode and
bytes that are not UTF-8. Each value is a form error shown on the page or ignored with the
default; none is a 500.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.db import DataError, connection
from django.test import Client

from accounts.tests import isolation_world as iw
from accounts.tests.test_isolation import PORTAL_URLS, _url
from web.tests.test_htmx_contract import forms_of

pytestmark = pytest.mark.django_db

# What the list views read from their query strings (grep request.GET); the pages' own
# GET forms add theirs.
QUERY_KEYS = (
    "q",
    "page",
    "state",
    "date",
    "day",
    "before",
    "after",
    "server",
    "tenant",
    "group",
    "unread",
    "tool",
    "phone",
    "number",
    "created",
    "part",
    "days",
    "start",
    "end",
)

# Raw (already percent-encoded) values: each request sets every key to one of them.
HOSTILE_VALUES = (
    "%00",
    "a%00b",
    "x" * 10_000,
    "1e999",
    "-1",
    "NaN",
    "2026/13/45",
    "99999999999999999999999999",
    quote("ç💩\u202e名"),
    "%FF%FE",
    "-Infinity",
    "",
)

# Hostile queries sent to each page by each role (a different few for each role).
SAMPLES = 1


def _keys_of(client, url) -> list[str]:
    page = client.get(url)
    keys = set(QUERY_KEYS)
    if page.status_code == 200 and page.get("Content-Type", "").startswith("text/html"):
        for form in forms_of(page.content.decode(errors="replace"), url):
            if form["method"] == "get":
                keys.update(name for name, _ in form["values"] if name)
    return sorted(keys)


def _hostile_queries(keys: list[str]) -> list[str]:
    queries = ["&".join(f"{quote(key)}={value}" for key in keys) for value in HOSTILE_VALUES]
    # Repeated keys and bracketed arrays, with values of the wrong type.
    queries.append("&".join(f"{quote(key)}=1&{quote(key)}=%00" for key in keys))
    queries.append("&".join(f"{quote(key)}[]=1&{quote(key)}[0]=NaN" for key in keys))
    return queries


def _refuse_nul_like_postgresql(execute, sql, params, many, context):
    """SQLite stores NUL characters; PostgreSQL refuses them in text ("A string literal
    cannot contain NUL"): a NUL that reaches a query fails here as it would there."""
    rows = params if many else [params]
    for row in rows or ():
        values = row.values() if isinstance(row, dict) else row or ()
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise DataError("A string literal cannot contain NUL (0x00) characters.")
    return execute(sql, params, many, context)


def test_it_answers_hostile_query_strings_on_every_page_for_every_role(vos_server):
    world = iw.build_world()
    admin = Client()
    admin.force_login(world.users["admin"])
    keys = {
        url: _keys_of(admin, url) for url in filter(None, (_url(n, world) for n in PORTAL_URLS))
    }
    failures: list[str] = []
    with connection.execute_wrapper(_refuse_nul_like_postgresql):
        for role_index, role_name in enumerate(iw.ROLE_NAMES):
            client = Client()
            client.force_login(world.users[role_name])
            urls = [_url(name, world, role_name) for name in PORTAL_URLS]
            for url_index, url in enumerate(filter(None, urls)):
                queries = _hostile_queries(keys.get(url) or sorted(QUERY_KEYS))
                # A fixed sample: each role sends each page another of the hostile queries.
                turn = url_index + role_index * SAMPLES
                for n in range(SAMPLES):
                    query = queries[(turn + n) % len(queries)]
                    headers = {"HX-Request": "true"} if (turn + n) % 2 else {}
                    try:
                        answer = client.get(f"{url}?{query}", headers=headers)
                    except Exception as exc:  # the test client re-raises a view's exception
                        failures.append(
                            f"{role_name} {url}?{query[:60]}: {type(exc).__name__}: {exc}"[:300]
                        )
                        continue
                    if answer.status_code >= 500:
                        failures.append(f"{role_name} {url}?{query[:60]}: {answer.status_code}")
    assert failures == [], "\n".join(failures)
