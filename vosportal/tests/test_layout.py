"""The rooms of docs/architecture.md: one package per area, with fixed file names.

An area's views, forms, reads, writes, tasks, URLs and pages live in ``views.py``,
``forms.py``, ``selectors.py``, ``services.py``, ``tasks.py``, ``urls.py`` and ``pages.py``;
a module that grows becomes a package with the same names. No production module mixes
in another scheme (``customer_views.py``, ``views_numbers.py``, ``money_forms.py``).
"""

from __future__ import annotations

import re

from vosportal.tests.test_import_graph import AREA_APPS, ROOT, production_modules

FIXED = ("views", "forms", "selectors", "services", "tasks", "urls", "pages")
MIXED = re.compile(rf"^(\w+_({'|'.join(FIXED)})|({'|'.join(FIXED)})_\w+)$")


def mixed_names(modules) -> list[str]:
    return sorted(name for name in modules if MIXED.match(name.rsplit(".", 1)[-1]))


def test_it_finds_a_mixed_name():
    names = ["billing.money_views", "telephony.views_phones", "billing.money.views"]
    assert mixed_names(names) == ["billing.money_views", "telephony.views_phones"]


def test_no_module_mixes_the_naming_schemes():
    assert mixed_names(production_modules()) == []


def test_every_page_area_keeps_its_views_beside_its_urls():
    """An area with URLs has its views in ``views.py`` next to them (not in a sibling)."""
    for app in AREA_APPS:
        for urls in (ROOT / app).rglob("urls.py"):
            if "tests" in urls.parts:
                continue
            assert (urls.parent / "views.py").exists() or urls.parent.name == "switch", urls


def test_it_tests_and_sorts_every_app_of_ours():
    """A new app's tests run in ``make test`` and its imports sort as ours (pyproject)."""
    import tomllib

    from django.conf import settings

    ours = {
        name.split(".")[0]
        for name in settings.INSTALLED_APPS
        if (ROOT / name.split(".")[0]).is_dir()
    }
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    tested = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    first_party = set(config["tool"]["ruff"]["lint"]["isort"]["known-first-party"])
    assert ours - tested == set(), "add these to testpaths"
    assert ours - first_party == set(), "add these to known-first-party"
