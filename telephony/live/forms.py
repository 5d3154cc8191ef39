"""The search boxes of the live pages. A query string is input like any other: a NUL
character or an overlong value is a form error in words, never a database error."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

STATES = ("connected", "ringing")


class LiveSearchForm(forms.Form):
    # CharField refuses NUL characters (ProhibitNullCharactersValidator) by itself.
    q = forms.CharField(required=False, max_length=64, label=_("Number"))
    state = forms.ChoiceField(required=False, choices=[("", "")] + [(s, s) for s in STATES])

    def search(self) -> tuple[str, str, str]:
        """(number, state, error in words): the valid part of the search, and why the
        rest was left out."""
        if self.is_valid():
            return self.cleaned_data["q"], self.cleaned_data["state"], ""
        errors = self.errors.get("q") or self.errors.get("state") or []
        state = self.data.get("state") if self.data.get("state") in STATES else ""
        return "", state, " ".join(str(error) for error in errors)
