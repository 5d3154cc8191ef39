"""Date inputs carry ISO values in every language (web.widgets), and every form uses them."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from django import forms
from django.utils import translation

from vosportal.tests.test_import_graph import production_modules
from web.widgets import DateInput, DateTimeInput

# Django's own widgets write the value in the language's input format ("2026/11/30" in
# Chinese), which a browser's date input rejects: only web.widgets may build on them.
DJANGO_WIDGETS = re.compile(r"\bforms\.(DateInput|DateTimeInput|SplitDateTimeWidget)\(")
TYPED_DATE = re.compile(r"""["']type["']\s*:\s*["'](date|datetime-local|month|time)["']""")


class _Form(forms.Form):
    day = forms.DateField(widget=DateInput())
    moment = forms.DateTimeField(widget=DateTimeInput())
    exact = forms.DateTimeField(widget=DateTimeInput(seconds=True))


INITIAL = {
    "day": date(2026, 11, 30),
    "moment": datetime(2026, 11, 30, 8, 15),
    "exact": datetime(2026, 11, 30, 8, 15, 42),
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_writes_iso_values_in_every_language(language):
    with translation.override(language):
        html = str(_Form(initial=INITIAL))
    assert 'type="date" name="day" value="2026-11-30"' in html
    assert 'type="datetime-local" name="moment" value="2026-11-30T08:15"' in html
    assert 'type="datetime-local" name="exact" value="2026-11-30T08:15:42" step="1"' in html


def test_it_shows_why_django_s_own_widget_is_not_used():
    with translation.override("zh-hans"):
        assert forms.DateInput().format_value(date(2026, 11, 30)) == "2026/11/30"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_reads_back_what_the_browser_sends(language):
    with translation.override(language):
        form = _Form(
            {"day": "2026-11-30", "moment": "2026-11-30T08:15", "exact": "2026-11-30T08:15:42"}
        )
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(2026, 11, 30)
    assert form.cleaned_data["exact"].second == 42


def test_it_builds_every_date_input_of_the_portal_from_web_widgets():
    offenders = []
    for module, path in production_modules().items():
        if module == "web.widgets":
            continue
        source = path.read_text(encoding="utf-8")
        for number, line in enumerate(source.splitlines(), start=1):
            if DJANGO_WIDGETS.search(line) or TYPED_DATE.search(line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == [], "use web.widgets.DateInput/DateTimeInput:\n" + "\n".join(offenders)
