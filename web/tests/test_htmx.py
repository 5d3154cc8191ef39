"""The htmx contract's helpers (web.htmx), one by one."""

from __future__ import annotations

import pytest
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxMiddleware

from accounts.tests.factories import UserFactory
from billing.money.forms import LedgerFilterForm
from web import htmx

HTMX = {"HX-Request": "true"}


def _request(method="get", path="/", headers=None):
    request = getattr(RequestFactory(), method)(path, headers=headers or {})
    HtmxMiddleware(lambda r: HttpResponse())(request)  # sets request.htmx
    return request


def test_it_tells_an_htmx_request_from_a_plain_one():
    assert htmx.is_htmx(_request(headers=HTMX))
    assert not htmx.is_htmx(_request())
    # Before django-htmx's middleware ran (an earlier middleware): the header decides.
    assert htmx.is_htmx(RequestFactory().get("/", headers=HTMX))
    assert not htmx.is_htmx(RequestFactory().get("/"))


def test_it_gives_htmx_history_restores_the_whole_page():
    assert htmx.wants_fragment(_request(headers=HTMX))
    restore = _request(headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert htmx.is_htmx(restore) and not htmx.wants_fragment(restore)
    assert not htmx.wants_fragment(_request())


def test_it_names_the_partial_for_htmx_and_the_page_otherwise():
    assert htmx.page_or_partial(_request(headers=HTMX), "x.html", "rows") == "x.html#rows"
    assert htmx.page_or_partial(_request(), "x.html", "rows") == "x.html"


def test_it_renders_the_partial_alone_for_htmx():
    request = _request(method="post", headers=HTMX)
    response = htmx.render_page_or_partial(request, "cdrs/export.html", "refused", {}, status=400)
    assert response.status_code == 400
    assert response.text.strip().startswith('<p role="alert"')
    assert "<html" not in response.text


@pytest.mark.django_db
def test_it_renders_the_whole_page_for_a_plain_request():
    request = _request()
    request.user = UserFactory()
    context = {"form": LedgerFilterForm(), "transfers": [], "open_count": 0}
    response = htmx.render_page_or_partial(request, "money/ledger.html", "ledger-rows", context)
    assert response.status_code == 200 and "<html" in response.text and "<nav" in response.text
    assert 'role="search"' in response.text  # the filters, outside the partial


def test_it_sends_htmx_to_a_whole_page_after_a_form_and_others_a_302():
    answer = htmx.redirect_after(_request(method="post", headers=HTMX), "/done/")
    assert answer.status_code == 204 and answer["HX-Redirect"] == "/done/"
    assert answer.content == b""
    plain = htmx.redirect_after(_request(method="post"), "/done/")
    assert plain.status_code == 302 and plain["Location"] == "/done/"
    assert not plain.has_header("HX-Redirect")


def test_it_keeps_the_page_in_place_with_an_empty_answer():
    answer = htmx.keep_in_place()
    assert answer.status_code == 200 and answer.content == b""
    assert answer["HX-Reswap"] == "none"


def test_it_turns_a_redirect_to_a_page_of_its_own_into_a_whole_page_navigation():
    pages = ("/accounts/login/", "/accounts/reauthenticate/")
    to_login = HttpResponseRedirect("/accounts/reauthenticate/?next=/x/")
    answer = htmx.as_htmx_navigation(_request(headers=HTMX), to_login, pages)
    assert answer.status_code == 204
    assert answer["HX-Redirect"] == "/accounts/reauthenticate/?next=/x/"
    # Other redirects, and any redirect of a plain request, stay as they are.
    elsewhere = HttpResponseRedirect("/customers/")
    assert htmx.as_htmx_navigation(_request(headers=HTMX), elsewhere, pages) is elsewhere
    assert htmx.as_htmx_navigation(_request(), to_login, pages) is to_login


@pytest.mark.django_db
def test_it_answers_htmx_with_a_page_s_content_without_its_layout(client):
    client.force_login(UserFactory())
    url = reverse("preferences")
    page = client.get(url)
    fragment = client.get(url, headers=HTMX)
    assert "<html" in page.text and "<nav" in page.text
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<body" not in fragment.text
    assert "<nav" not in fragment.text and "site-footer" not in fragment.text
    assert "<form" in fragment.text  # the content is all there
    # Back after a reload: htmx asks for the whole page to restore it.
    restore = client.get(url, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text and "<nav" in restore.text
