"""Every page in Simplified Chinese: no message the page asks gettext for lacks a Chinese
translation, no text the catalogue translates is shown in English, and every date input
carries an ISO value (``2026-11-30``: a browser leaves ``2026/11/30`` blank).

Two walks, in zh-Hans. The isolation suite's world (accounts.tests.isolation_world, the
VOS simulator answering with its demo platform): as each role, and signed out, every
named URL is asked for, and every form found on a page is sent back empty (its errors
are words too). The demo (``seed_demo`` on the simulator's demo platform, calls pulled):
as each demo login, the portal is crawled from its parameterless pages along the links
the pages show (two URLs per page name), so the pages carry real data: calls, phones,
gateways, alarms, rates. Meanwhile gettext is
watched: a message looked up in Chinese that the compiled catalogue (ours, Django's,
allauth's, merged) has no translation for is recorded with the page that asked. A new
``{% translate %}`` or ``_()`` without its Chinese fails here until ``make messages`` has
run and the entry is translated. The rendered text is also compared with the English
msgids of our catalogue: one shown as it is was translated too early (``gettext`` at
import time instead of ``gettext_lazy``) or in the wrong language.
"""

from __future__ import annotations

import html as html_lib
import io
import re
from collections import Counter, defaultdict, deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation

from accounts.models import User
from accounts.tests import isolation_world as iw
from accounts.tests.factories import UserFactory
from accounts.tests.test_isolation import ALL_URLS, PORTAL_URLS, _url
from alerts.models import Notification
from billing.cdrs.tasks import pull_server
from dashboard.management.commands.seed_demo import DEMO_USERS
from switch import vos
from switch.models import VosServer
from telephony.phones.forms import PhoneCreateForm, PhoneSettingsForm
from vosportal.tests.test_translations import LOCALE, _po_entries
from web import pages as up
from web.tests.test_htmx_contract import ALLAUTH_PAGES, UNSENT_FAMILIES, _family, forms_of

pytestmark = pytest.mark.django_db

CHINESE = "zh-hans"

# Words shown as they are: the language names, each in its own language (Django's
# language tags pass them through gettext).
NOT_WORDS: set[str] = {name for _code, name in settings.LANGUAGES}


class Untranslated:
    """Records each message gettext is asked for in Chinese and cannot translate."""

    def __init__(self):
        self.found: dict[str, set[str]] = defaultdict(set)
        self.where = ""

    def _record(self, translation_object, key, message):
        if translation_object.language() != CHINESE or not message.strip():
            return
        if key in translation_object._catalog or message in NOT_WORDS:
            return
        self.found[message.replace("\x04", " | ")].add(self.where)

    def install(self, monkeypatch):
        original_gettext = DjangoTranslation.gettext
        original_ngettext = DjangoTranslation.ngettext
        record = self._record

        def gettext(self, message):
            record(self, message, message)
            return original_gettext(self, message)

        def ngettext(self, msgid1, msgid2, n):
            record(self, (msgid1, 0), msgid1)
            return original_ngettext(self, msgid1, msgid2, n)

        monkeypatch.setattr(DjangoTranslation, "gettext", gettext)
        monkeypatch.setattr(DjangoTranslation, "ngettext", ngettext)

    def report(self) -> list[str]:
        return [
            f"{message!r} on {', '.join(sorted(self.found[message]))}" for message in self.found
        ]


# What a browser accepts as the value of a date input: anything else leaves it blank.
ISO_VALUES = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "datetime-local": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?"),
    "month": re.compile(r"\d{4}-\d{2}"),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2})?"),
}


# Date inputs seen with a (good) value: the check above must not pass for want of any.
FILLED_DATES: Counter = Counter()


class _Text(HTMLParser):
    """The words of a page a reader sees: text outside scripts and styles, and the
    attributes read aloud or shown (title, placeholder, aria-label, alt)."""

    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.bad_dates: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "pre", "textarea"):
            self._skip += 1
        kind = dict(attrs).get("type")
        if tag == "input" and kind in ISO_VALUES:
            value = dict(attrs).get("value") or ""
            if value and not ISO_VALUES[kind].fullmatch(value):
                self.bad_dates.append(f"<input type={kind} value={value}>")
            elif value:
                FILLED_DATES[kind] += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre", "textarea") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def texts_of(html: str) -> list[str]:
    """The page's words, and its date inputs whose value is not ISO (marked "!date ")."""
    parser = _Text()
    parser.feed(html)
    return parser.texts + [f"!date {bad}" for bad in parser.bad_dates]


def _wrong(text: str, english: set[str]) -> bool:
    return text in english or text.startswith("!date ")


def english_msgids() -> set[str]:
    """Our catalogue's msgids whose Chinese differs, written as a page would show them
    (words only: no placeholders, no markup)."""
    return {
        msgid
        for msgid, msgstr in _po_entries(LOCALE / "django.po").items()
        if msgstr != msgid
        and "%" not in msgid
        and "<" not in msgid
        and "{" not in msgid
        and re.search(r"[A-Za-z]{3}", msgid)
    }


def _html(response) -> str:
    if response.status_code != 200 or getattr(response, "streaming", False):
        return ""
    if not response.get("Content-Type", "").startswith("text/html"):
        return ""
    return response.content.decode(errors="replace")


def walk(make_client, urls, untranslated: Untranslated, english: set[str]) -> list[str]:
    """Asks for every URL and sends every form found on the pages back empty (each from a
    fresh session: what one sends, a view-as, stays there); returns the English msgids
    shown."""
    client = make_client()
    shown: list[str] = []
    forms: set[tuple] = set()

    def look(label: str, response):
        html = _html(response)
        shown.extend(f"{text!r} on {label}" for text in texts_of(html) if _wrong(text, english))
        return html

    for url in filter(None, urls):
        untranslated.where = f"GET {url}"
        html = look(f"GET {url}", client.get(url))
        for form in forms_of(html, url):
            key = (form["method"], form["action"])
            if key not in forms and _family(form["action"]) not in UNSENT_FAMILIES:
                forms.add(key)
    for method, action in sorted(forms):
        untranslated.where = f"{method.upper()} {action} (empty)"
        if method == "get":
            look(untranslated.where, client.get(action, {"_": "1"}))
        else:
            look(untranslated.where, make_client().post(action, {}))
    return shown


# Pages the crawl does not follow: the Django admin (not the portal's words).
NOT_CRAWLED = {up.DJANGO_ADMIN}


def links_of(html: str) -> list[str]:
    """The portal's own links on a page (paths with their query strings)."""
    hrefs = (html_lib.unescape(href) for href in re.findall(r'href="([^"#]*)', html))
    return [href for href in hrefs if href.startswith("/") and not href.startswith("//")]


def crawl(client: Client, starts, untranslated: Untranslated, english: set[str]) -> list[str]:
    """Follows the links from ``starts``: at most two URLs per page name; returns the
    English msgids shown."""
    shown: list[str] = []
    visited: set[str] = set()
    per_name: Counter = Counter()
    queue = deque(starts)
    while queue:
        url = queue.popleft()
        try:
            name = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        policy = up.policy_for(name)
        if url in visited or per_name[name] >= 2 or not policy or policy[0] in NOT_CRAWLED:
            continue
        visited.add(url)
        per_name[name] += 1
        untranslated.where = f"GET {url}"
        html = _html(client.get(url))
        shown.extend(f"{text!r} on GET {url}" for text in texts_of(html) if _wrong(text, english))
        queue.extend(links_of(html))
    return shown


@pytest.fixture
def untranslated(monkeypatch):
    recorder = Untranslated()
    recorder.install(monkeypatch)
    return recorder


@pytest.fixture
def world(demo_vos_server):
    world = iw.build_world()
    for user in world.users.values():
        user.language = CHINESE
        user.save(update_fields=["language"])
    return world


@pytest.mark.parametrize("role_name", iw.ROLE_NAMES)
def test_it_shows_every_page_of_every_role_in_chinese(world, untranslated, role_name):
    def make_client():
        client = Client(headers={"Accept-Language": CHINESE})
        client.force_login(world.users[role_name])
        return client

    urls = [_url(name, world, role_name) for name in PORTAL_URLS]
    urls += [_url(name, world) for name in ALLAUTH_PAGES]
    # The makers' notifications are stored text in English ("Low balance"): data, not
    # words the portal translates (a real one is written in its reader's language).
    Notification.objects.update(title="余额不足")
    FILLED_DATES.clear()
    shown = walk(make_client, urls, untranslated, english_msgids())
    assert untranslated.report() == [], "translate these (make messages):\n" + "\n".join(
        untranslated.report()
    )
    assert shown == [], "shown in English:\n" + "\n".join(shown)
    assert FILLED_DATES["date"], "the walk met no filled date input (calls, statistics)"


def test_it_shows_the_signed_out_pages_in_chinese(world, untranslated):
    urls = [_url(name, world) for name in PORTAL_URLS if up.policy_for(name)[0] == up.PUBLIC]
    urls += [_url(name, world) for name in ALLAUTH_PAGES]
    shown = walk(
        lambda: Client(headers={"Accept-Language": CHINESE}), urls, untranslated, english_msgids()
    )
    assert untranslated.report() == [], "\n".join(untranslated.report())
    assert shown == [], "\n".join(shown)


@pytest.fixture
def demo(db, portal_sim, settings):
    """The demo platform as ``make run`` seeds it, on the simulator, in Chinese."""
    portal_sim.control("reset", demo=True)
    vos.forget_clients()
    settings.VOS_SERVERS = [{"name": "main", "base_url": portal_sim.base_url}]
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    pull_server(VosServer.objects.get(name="main").pk)
    User.objects.update(language=CHINESE)
    yield
    vos.forget_clients()


@pytest.mark.parametrize("email", [email for email, *_ in DEMO_USERS])
def test_it_shows_the_demo_in_chinese_to_every_login(demo, untranslated, email):
    client = Client(headers={"Accept-Language": CHINESE})
    client.force_login(User.objects.get(email=email))
    starts = [
        _url(name, None)
        for name in PORTAL_URLS
        if up.policy_for(name)[0] in {up.SIGNED_IN, up.PLATFORM}
        and not ALL_URLS[name].pattern.converters
    ]
    shown = crawl(client, starts, untranslated, english_msgids())
    assert untranslated.report() == [], "translate these (make messages):\n" + "\n".join(
        untranslated.report()
    )
    assert shown == [], "shown in English:\n" + "\n".join(shown)


UNKNOWN = ("A sentence nobody translated", "%(n)s new thing", "%(n)s new things")


def test_it_catches_a_message_without_chinese(untranslated):
    with translation.override(CHINESE):
        assert translation.gettext("Dashboard") != "Dashboard"
        # Through variables: makemessages must not collect these into the catalogue.
        sentence, singular, plural = UNKNOWN
        translation.gettext(sentence)
        translation.ngettext(singular, plural, 2)
        # A template string added without its translation.
        Template("{% load i18n %}{% translate 'Words added to a template' %}").render(Context())
    assert set(untranslated.found) == {
        "A sentence nobody translated",
        "%(n)s new thing",
        "Words added to a template",
    }


@pytest.mark.parametrize("language", ["en", CHINESE])
def test_it_names_each_language_in_its_own_words(client, language):
    client.force_login(UserFactory(language=language))
    page = client.get("/").text
    options = re.findall(r'<option value="(en|zh-hans)" lang="[^"]+"[^>]*>([^<]+)</option>', page)
    assert options == [("en", "English"), ("zh-hans", "简体中文")]


def test_it_says_the_phone_lock_and_low_balance_prompt_in_chinese():
    """Issue 14 saw Lock Call Out/In/All, Money Left and Time Left in English."""
    with translation.override(CHINESE):
        create = str(PhoneCreateForm())
        settings_form = str(PhoneSettingsForm())
    for words in ("锁定呼出", "锁定呼入", "剩余金额", "剩余时长"):
        assert words in create + settings_form, words
    for english in ("Lock Call Out", "Lock Call In", "Lock All", "Money Left", "Time Left"):
        assert english not in create + settings_form, english
