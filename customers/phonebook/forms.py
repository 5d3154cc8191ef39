"""Phone book forms, generated from the catalog (``switch.forms.CatalogForm``), with the
number checks the catalog cannot say."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from switch.forms import CatalogForm

PHONE_BOOK_NUMBER = re.compile(r"^\+?[0-9]{1,63}$")


# --- Phone book --------------------------------------------------------------------------
PHONE_BOOK_LABELS = {
    "e164": _("Number"),
    "newE164": _("Number"),
    "name": _("Name"),
    "department": _("Department"),
    "shortE164s": _("Short numbers"),
    "deviceType": _("Device"),
    "addressType": _("Address"),
    "memo": _("Memo"),
}


PHONE_BOOK_FIELDS = ["name", "department", "shortE164s", "deviceType", "addressType", "memo"]


def _clean_phone_book_number(value: str) -> str:
    value = (value or "").replace(" ", "").replace("-", "")
    if not PHONE_BOOK_NUMBER.match(value):
        raise forms.ValidationError(_("Enter digits only (a leading + is allowed)."))
    return value


def _clean_short_numbers(value: str) -> str:
    parts = [p.strip() for p in (value or "").split(",") if p.strip()]
    if any(not p.isdigit() for p in parts):
        raise forms.ValidationError(_("Short numbers are digits, separated by commas."))
    if len(set(parts)) != len(parts):
        raise forms.ValidationError(_("A short number is listed twice."))
    return ", ".join(parts)


class PhoneBookForm(CatalogForm):
    endpoint = "CreateCustomerPhoneBook"
    catalog_fields = ["e164", *PHONE_BOOK_FIELDS]
    labels = PHONE_BOOK_LABELS

    def clean_e164(self):
        return _clean_phone_book_number(self.cleaned_data["e164"])

    def clean_shortE164s(self):
        return _clean_short_numbers(self.cleaned_data.get("shortE164s"))


class PhoneBookEditForm(CatalogForm):
    endpoint = "ModifyCustomerPhoneBook"
    catalog_fields = ["newE164", *PHONE_BOOK_FIELDS]
    labels = PHONE_BOOK_LABELS
    required_fields = {"newE164"}
    # Editing: an emptied field is sent empty, so VOS clears it.
    omit_blank = False

    def clean_newE164(self):
        return _clean_phone_book_number(self.cleaned_data["newE164"])

    def clean_shortE164s(self):
        return _clean_short_numbers(self.cleaned_data.get("shortE164s"))

    @classmethod
    def initial_for(cls, entry: dict) -> dict:
        return cls.initial_from({**entry, "newE164": entry.get("e164")})
