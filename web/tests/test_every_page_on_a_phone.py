"""Every page of every role on a 360 px phone, in a real browser: no page-level
horizontal scroll, and every control a finger presses (buttons, fields, menus, tabs) at
least 40 px tall.

The demo platform as ``make run`` seeds it (calls pulled, so pages carry real rows). As
each demo login, the portal is crawled with Django's client from its parameterless pages
along the links the pages show (one URL per page name, so each kind of page once, with
its data); every HTML page found is then opened in Chromium at 360 x 740. The key pages
are also walked in Chinese by ``test_screens.py``; here the whole set, in English for
the resellers and the admins and in Chinese for the customers (CJK text wraps anywhere,
English words do not: both kinds of overflow are seen).
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.tests.browser import open_signed_in
from accounts.tests.test_isolation import ALL_URLS, PORTAL_URLS, _url
from vosportal.tests.test_chinese_pages import NOT_CRAWLED, links_of
from web import pages as up
from web.tests.test_screens import WIDEST_ELEMENT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
MIN_TAP = 40

# The demo logins walked, with the language each reads the portal in.
LOGINS = {
    "admin@demo.vosportal": "en",
    "auditor@demo.vosportal": "en",
    "globaltel@demo.vosportal": "en",
    "operator@demo.vosportal": "zh-hans",
    "citylink@demo.vosportal": "en",
    "manila@demo.vosportal": "zh-hans",
    "acme@demo.vosportal": "en",
}

# Controls a finger presses that are shorter than MIN_TAP px, as "tag.class 'words' h=..".
# A checkbox or radio counts with its label (the label presses it); a link inside running
# text or a table cell is an inline target (WCAG 2.5.8's exception), the row is the target.
SMALL_TARGETS = """(minimum) => {
  const controls = document.querySelectorAll(
    "main button, main input:not([type=hidden]), main select, main textarea, main summary," +
    " main [role=button], main [role=tab], main a[role=button], main .tabs a," +
    " .site-header button, .site-header a, .menu-toggle, .site-header select");
  const small = [];
  for (const el of controls) {
    const box = el.getBoundingClientRect();
    // Not shown: hidden, or inside a closed <details> (its summary is shown).
    if (!el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})) continue;
    if (box.width === 0 || box.height === 0) continue;
    let height = box.height;
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      const label = el.closest("label")
        || (el.id && document.querySelector(`label[for="${el.id}"]`));
      height = label ? Math.max(height, label.getBoundingClientRect().height) : height;
    }
    if (height + 0.5 < minimum) {
      const kind = el.className ? "." + String(el.className).split(" ")[0] : "";
      const words = (el.innerText || el.value || el.getAttribute("aria-label") || el.name
        || el.outerHTML).trim().slice(0, 60);
      small.push(`${el.tagName.toLowerCase()}${kind} '${words}' h=${Math.round(height)}`);
    }
  }
  return small.slice(0, 8);
}"""


def html_pages(client: Client) -> list[str]:
    """The HTML pages reachable from the parameterless pages, one URL per page name."""
    starts = [
        _url(name, None)
        for name in PORTAL_URLS
        if up.policy_for(name)[0] in {up.SIGNED_IN, up.PLATFORM}
        and not ALL_URLS[name].pattern.converters
    ]
    found: list[str] = []
    seen_names: set[str] = set()
    queue = deque(starts)
    while queue:
        url = queue.popleft()
        try:
            name = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        policy = up.policy_for(name)
        # The API's routes and its Swagger UI page (vendored, a page of its own without the
        # portal's header) are the API's, not the portal's pages.
        if name in seen_names or not policy or policy[0] in NOT_CRAWLED | {up.API}:
            continue
        if name == "api_docs":
            continue
        seen_names.add(name)
        response = client.get(url)
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        found.append(url)
        queue.extend(links_of(response.content.decode(errors="replace")))
    return found


@pytest.mark.parametrize("email", sorted(LOGINS))
def test_it_fits_every_page_on_a_phone_with_fingers_sized_targets(page, live_server, demo, email):
    client = open_signed_in(page, live_server, email, LOGINS[email])
    urls = html_pages(client)
    assert len(urls) >= 8, urls  # the crawl found the role's pages
    page.set_viewport_size(PHONE)
    too_wide, too_small, broken = [], [], []
    for url in urls:
        response = page.goto(url)
        if response is None or response.status != 200:
            broken.append((url, response and response.status))
            continue
        if page.locator("body .site-header").count() != 1:
            broken.append((url, "a page inside the page"))
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > PHONE["width"]:
            too_wide.append((url, scroll, page.evaluate(WIDEST_ELEMENT, PHONE["width"])))
        small = page.evaluate(SMALL_TARGETS, MIN_TAP)
        if small:
            too_small.append((url, small))
    assert broken == [], "pages that did not open"
    assert too_wide == [], "pages wider than a 360 px phone (url, px, what sticks out)"
    assert too_small == [], f"controls under {MIN_TAP} px tall on a phone"
