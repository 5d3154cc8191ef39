"""The URLconf includes every area's urls.py, found by walking our apps: each named URL
must still reach the view its own urls.py gives it, whatever order the areas come in."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

import pytest
from django.urls import URLPattern, get_resolver, resolve, reverse

from web.pages import area_modules


def _sample(converter) -> object:
    return 7 if converter.regex == "[0-9]+" else "x7"


def _declared() -> list[tuple[str, URLPattern]]:
    """(module, pattern) for every named URL of every area's urls.py."""
    return [
        (module, pattern)
        for module in area_modules("urls")
        for pattern in import_module(module).urlpatterns
        if isinstance(pattern, URLPattern) and pattern.name
    ]


def test_it_includes_every_areas_urls_module():
    included = {
        entry.urlconf_name.__name__
        for entry in get_resolver().url_patterns
        if isinstance(getattr(entry, "urlconf_name", None), ModuleType)
    }
    assert set(area_modules("urls")) <= included
    assert {"customers.urls", "billing.money.urls", "accounts.audit_trail.urls"} <= included


@pytest.mark.parametrize(("module", "pattern"), _declared(), ids=lambda v: getattr(v, "name", v))
def test_it_resolves_every_url_to_the_view_its_area_gives_it(module, pattern):
    kwargs = {key: _sample(conv) for key, conv in pattern.pattern.converters.items()}
    url = reverse(pattern.name, kwargs=kwargs)
    match = resolve(url)
    assert (match.url_name, match.func) == (pattern.name, pattern.callback), (
        f"{url} ({module}) is taken by {match.url_name} of another area"
    )


def test_it_keeps_the_paths_of_the_kernels_pages():
    assert reverse("healthz") == "/healthz"
    assert reverse("dashboard") == "/"
    assert reverse("audit_export_status", kwargs={"pk": 3}) == "/audit/export/3/"
    assert reverse("user_list") == "/users/"
    assert reverse("customer_detail", kwargs={"tenant_id": 3}) == "/customers/3/"
