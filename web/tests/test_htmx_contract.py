"""The htmx contract, walked over the whole URLconf: an htmx request never gets a page.

As each role of the isolation suite's world (accounts.tests.isolation_world), every named
URL is asked for with ``HX-Request: true``: its GET, and every form found on its page,
sent as htmx would (a GET form with the page's values; a POST form empty and with the
page's values). No answer with a body (2xx) may hold a page: ``<html``, ``<body`` or the
site's navigation (``site-header``, templates/base.html). Redirects, empty answers and
errors are other tests' business.

allauth's and the Django admin's own forms are plain pages the portal never sends by htmx
(and signing out would end the walk): their pages are asked for, their forms not sent.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.tests import isolation_world as iw
from accounts.tests.test_isolation import ALL_URLS, PORTAL_URLS, _url
from web import pages as up

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}

PAGE_MARKERS = ("<html", "<body", "site-header")

# Forms not sent: allauth's and the admin's (see above).
UNSENT_FAMILIES = {up.ALLAUTH, up.DJANGO_ADMIN}

# Named URLs without parameters from allauth: their pages are asked for too (allauth
# renders them in the portal's layout). Those with parameters need tokens: left out.
ALLAUTH_PAGES = sorted(
    name
    for name in ALL_URLS
    if up.policy_for(name)
    and up.policy_for(name)[0] == up.ALLAUTH
    and not ALL_URLS[name].pattern.regex.groups
)


class _Forms(HTMLParser):
    """The forms of a page: method, where they go, and the values they would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = "post" if attrs.get("hx-post") else attrs.get("method", "get").lower()
            action = attrs.get("hx-post") or attrs.get("hx-get") or attrs.get("action") or ""
            self._form = {"method": method, "action": action, "values": []}
            self.forms.append(self._form)
        elif self._form is None or ("name" not in attrs and tag != "option"):
            return
        elif tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._form["values"].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select":
            self._select, self._select_value = attrs["name"], None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in attrs:
                self._select_value = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._form["values"].append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea is not None and self._form is not None:
            name, value = self._form["values"].pop()
            self._form["values"].append((name, value + data))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            if self._form is not None and self._select_value is not None:
                self._form["values"].append((self._select, self._select_value))
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str, page_url: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        form["action"] = urlsplit(form["action"] or page_url).path or page_url
    return parser.forms


def _family(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    policy = up.policy_for(match.view_name)
    return policy[0] if policy else None


def _page_in(response) -> str:
    """What in an htmx answer is a page, or ""."""
    if not 200 <= response.status_code < 300 or getattr(response, "streaming", False):
        return ""
    if not response.get("Content-Type", "").startswith("text/html"):
        return ""
    text = response.content.decode(errors="replace")
    return next((marker for marker in PAGE_MARKERS if marker in text), "")


@pytest.fixture
def world(vos_server):
    # The console pages find a server to ask: the simulator, over HTTP.
    return iw.build_world()


@pytest.mark.parametrize("role_name", iw.ROLE_NAMES)
def test_it_never_answers_htmx_with_a_page(world, role_name):
    user = world.users[role_name]
    client = Client()
    client.force_login(user)
    pages_found: list[str] = []
    urls = [_url(name, world, role_name) for name in PORTAL_URLS] + [
        _url(name, world) for name in ALLAUTH_PAGES
    ]
    sent_forms: set = set()
    to_send: list[dict] = []
    for url in filter(None, urls):
        answer = client.get(url, headers=HTMX)
        if marker := _page_in(answer):
            pages_found.append(f"GET {url}: {marker}")
        page = client.get(url)
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        for form in forms_of(page.content.decode(errors="replace"), url):
            key = (form["method"], form["action"], tuple(name for name, _ in form["values"]))
            if key not in sent_forms and _family(form["action"]) not in UNSENT_FAMILIES:
                sent_forms.add(key)
                to_send.append(form)
    # Each form from a fresh session: what one sends (view as, language) stays there.
    for form in to_send:
        sender = Client()
        sender.force_login(user)
        action, values = form["action"], form["values"]
        if form["method"] == "get":
            tries = [("GET", f"{action}?{urlencode(values)}", None)]
        else:
            data: dict = {}
            for name, value in values:
                data.setdefault(name, []).append(value)
            tries = [("POST (empty)", action, {}), ("POST", action, data)]
        for label, target, data in tries:
            if data is None:
                answer = sender.get(target, headers=HTMX)
            else:
                answer = sender.post(target, data, headers=HTMX)
            if marker := _page_in(answer):
                pages_found.append(f"{label} {target}: {marker}")
    assert pages_found == [], "\n".join(pages_found)
    assert to_send, "the walk found no form to send"
