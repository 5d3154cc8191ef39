"""Every URL x every role x own and foreign objects x GET, POST and htmx.

The URL list is walked from the URLconf: a named URL without a policy in
``web.pages`` fails the suite, and so does an object kind without a maker
in ``isolation_world``.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.tests import isolation_world as iw
from web import pages as up

pytestmark = pytest.mark.django_db


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


ALL_URLS = dict(_walk(get_resolver().url_patterns))
PORTAL_URLS = sorted(
    name
    for name in ALL_URLS
    if up.policy_for(name)
    and up.policy_for(name)[0] in {up.PUBLIC, up.SIGNED_IN, up.PLATFORM, up.OBJECT}
)


def test_it_has_a_policy_for_every_url():
    missing = sorted(name for name in ALL_URLS if up.policy_for(name) is None)
    assert missing == [], f"declare these in their area's pages.py (web.pages): {missing}"


def test_it_knows_how_to_make_every_object_kind():
    kinds = {kind for policy, kind in up.POLICIES.values() if policy == up.OBJECT}
    assert kinds - set(iw.OBJECT_MAKERS) == set()


def test_it_declares_no_policy_for_a_url_that_does_not_exist():
    assert sorted(set(up.POLICIES) - set(ALL_URLS)) == []


@pytest.fixture
def world():
    return iw.build_world()


def _url(name, world, role_name="admin", own=True):
    policy, kind = up.policy_for(name)
    converters = ALL_URLS[name].pattern.converters
    if not converters:
        return reverse(name)
    if policy == up.OBJECT:
        made = iw.OBJECT_MAKERS[kind](world, role_name, own)
        if made is None:
            return None
        if isinstance(made, dict):
            assert set(made) == set(converters), f"{name}: the maker must give {set(converters)}"
            return reverse(name, kwargs=made)
        assert len(converters) == 1, f"{name}: a maker of one id serves one-parameter URLs"
        return reverse(name, kwargs={next(iter(converters)): made})
    if name in iw.SAMPLE_KWARGS:
        return reverse(name, kwargs=iw.SAMPLE_KWARGS[name](world))
    unmatched = {
        key: 999_999_999 if converter.regex == "[0-9]+" else "matches-nothing-0000"
        for key, converter in converters.items()
    }
    return reverse(name, kwargs=unmatched)


def _requests(client, url):
    """GET, POST and an htmx GET; the answers' status codes."""
    return {
        "GET": client.get(url),
        "POST": client.post(url, {}),
        "HTMX": client.get(url, HTTP_HX_REQUEST="true"),
    }


@pytest.mark.parametrize("name", PORTAL_URLS)
def test_it_sends_anonymous_users_to_login(client, world, name):
    policy, _ = up.policy_for(name)
    url = _url(name, world)
    if policy == up.PUBLIC:
        assert client.get(url).status_code < 500
        return
    answers = _requests(client, url)
    for method in ("GET", "POST"):
        assert answers[method].status_code in (302, 405), (method, answers[method].status_code)
        if answers[method].status_code == 302:
            assert answers[method]["Location"].startswith(reverse("account_login"))
    htmx = answers["HTMX"]
    if htmx.status_code != 405:
        assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role_name", iw.ROLE_NAMES)
@pytest.mark.parametrize("name", PORTAL_URLS)
def test_it_answers_404_for_everything_outside_the_scope(client, world, name, role_name):
    policy, _ = up.policy_for(name)
    client.force_login(world.users[role_name])
    if policy == up.PLATFORM:
        url = _url(name, world, role_name)
        expected_hidden = role_name != "admin"
        for method, answer in _requests(client, url).items():
            if expected_hidden:
                assert answer.status_code == 404, (method, answer.status_code)
            else:
                assert answer.status_code != 404, (method, answer.status_code)
        return
    if policy != up.OBJECT:
        return
    foreign = _url(name, world, role_name, own=False)
    if foreign is not None:
        for method, answer in _requests(client, foreign).items():
            # A POST-only view may answer 405 to GET before looking anything up: it says
            # the same for every id, so nothing leaks; the POST must still be 404.
            allowed = {404, 405} if method != "POST" else {404}
            assert answer.status_code in allowed, (method, answer.status_code)
    own = _url(name, world, role_name, own=True)
    answers = _requests(client, own)
    if (name, role_name) in iw.OWN_REFUSED:
        assert answers["POST"].status_code == 404
        return
    for method, answer in answers.items():
        assert answer.status_code not in (404, 500), (method, answer.status_code)


def test_it_lets_every_role_reach_the_pages_meant_for_everyone(client, world):
    for role_name in iw.ROLE_NAMES:
        client.force_login(world.users[role_name])
        for name in PORTAL_URLS:
            if up.policy_for(name)[0] == up.SIGNED_IN and not ALL_URLS[name].pattern.converters:
                status = client.get(reverse(name)).status_code
                assert status in (200, 302, 405), (role_name, name, status)


def test_it_keeps_the_django_admin_for_staff(client, world):
    assert client.get("/admin/").status_code == 302
    client.force_login(world.users["reseller_a"])
    assert client.get("/admin/").status_code in (302, 403)
    client.force_login(world.users["admin"])
    assert client.get("/admin/").status_code == 200


def test_it_never_trusts_a_tenant_named_in_the_request(client, world):
    """Hidden inputs and hx-vals do not decide ownership: a reseller asking for B's
    tenant list through extra parameters still sees only its own subtree."""
    client.force_login(world.users["reseller_a"])
    body = client.get(
        reverse("tenant_list"), {"tenant": world.tenants["B"].pk, "parent": world.tenants["B"].pk}
    ).text
    # Names as the page shows them (">B1<"): a bare "B1" can occur inside a random token.
    assert ">B1<" not in body and ">A1<" in body
