"""Query strings read through forms: a list page's ``?page=``, keyset cursors, flags.

A query string is input like any other. Each value a list view reads goes through a
Django form, so a NUL character (CharField's ProhibitNullCharactersValidator), an
overlong value, a page number that is not a whole number (``1e999``, ``NaN``, ``-1``),
a date that does not exist or a repeated key (the form takes the last) is a form error,
and the page falls back to its default: never a database error, never a 500. Search
boxes have their own forms in their areas (``telephony.live.forms.LiveSearchForm``...);
these are the small ones every list shares.
"""

from __future__ import annotations

from typing import Any

from django import forms

# No list is anywhere near this many pages long; a larger number is a hostile one.
MAX_PAGE = 1_000_000


class PageForm(forms.Form):
    """``?page=``: a whole number from 1 (Paginator.get_page takes a page past the end
    as the last one)."""

    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)


class FlagForm(forms.Form):
    """A yes/no flag sent as ``1`` (``?unread=1``, ``?created=1``)."""

    flag = forms.ChoiceField(required=False, choices=[("", ""), ("0", "0"), ("1", "1")])


class TextForm(forms.Form):
    """One short text value (a keyset cursor of a path, a server or tenant id...)."""

    value = forms.CharField(required=False, max_length=255, strip=True)


class IdForm(forms.Form):
    """One id (a primary key or a keyset cursor of ids)."""

    value = forms.IntegerField(required=False, min_value=0, max_value=2**63 - 1)


def cleaned(form_class: type[forms.Form], data: Any, field: str, default: Any = None) -> Any:
    """``field`` of the query string ``data`` as ``form_class`` cleans it; ``default``
    when it is absent, empty or not valid."""
    form = form_class(data)
    if not form.is_valid():
        return default
    value = form.cleaned_data.get(field)
    return default if value in (None, "") else value


def page_number(request) -> int:
    """The page asked for (1 when absent or not a page number)."""
    return cleaned(PageForm, request.GET, "page", 1)


def flag(request, name: str) -> bool:
    """Whether ``?<name>=1`` was sent."""
    return cleaned(FlagForm, {"flag": request.GET.get(name, "")}, "flag", "") == "1"


def text(request, name: str, default: str = "") -> str:
    """The short text ``?<name>=`` (``default`` when absent or not valid)."""
    return cleaned(TextForm, {"value": request.GET.get(name, "")}, "value", default)


def identifier(request, name: str) -> int | None:
    """The id ``?<name>=`` (None when absent or not a valid id)."""
    return cleaned(IdForm, {"value": request.GET.get(name, "")}, "value", None)
