"""Forms of the rates, suites, phone book, tools and history pages. Phone book forms are
generated from the catalog; the others carry what the catalog cannot say (days in the
user's time zone, a phone chosen from the customer's own) and are checked against the
catalog when their payload is sent."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.rates.selectors import Period
from billing.rating import normalize_number, to_decimal
from switch import labels as enum_labels
from switch.forms import CatalogForm

# The longest range of days a history page asks VOS about at once.
MAX_PERIOD_DAYS = 366


PHONE_BOOK_NUMBER = re.compile(r"^\+?[0-9]{1,63}$")


def _dialled_number(value: str) -> str:
    number = normalize_number(value)
    if not 3 <= len(number) <= 32:
        raise forms.ValidationError(
            _("Enter a phone number: 3 to 32 digits, e.g. +44 20 7946 0000.")
        )
    return number


class NumberField(forms.CharField):
    """A number someone wants to call, typed any way ("+44 20 7946-0000"), cleaned to
    its digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 48)
        kwargs.setdefault("label", _("Number"))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")
        self.widget.attrs.setdefault("autocomplete", "off")

    def clean(self, value):
        value = super().clean(value)
        return _dialled_number(value) if value else value


# --- Rates -------------------------------------------------------------------------------
class GrantForm(forms.Form):
    groups = forms.MultipleChoiceField(
        label=_("Fee rate groups"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, grantable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(g, g) for g in grantable]


class RateSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Prefix or area"),
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Prefix, area code or area name")}
        ),
    )


class PriceForm(forms.Form):
    number = NumberField(label=_("Price of a call to"))


# --- Suites ------------------------------------------------------------------------------
def _suite_label(suite: dict) -> str:

    return _("%(name)s: %(fee)s every %(period)s %(unit)s") % {
        "name": suite.get("name"),
        "fee": f"{to_decimal(suite.get('rentFee')):.2f}",
        "period": suite.get("rentPeriod"),
        "unit": enum_labels.label("InfoSuite", "rentType", suite.get("rentType")),
    }


class SuiteOrderForm(forms.Form):
    suite = forms.TypedChoiceField(label=_("Suite"), coerce=int)
    phone = forms.ChoiceField(
        label=_("For"),
        required=False,
        help_text=_("The whole account, or one of its phones."),
    )
    available = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expires = forms.DateField(
        label=_("Ends after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day of the suite, in your time zone. Empty: no end."),
    )

    def __init__(self, *args, suites=(), phones=(), **kwargs):
        kwargs.setdefault("initial", {"available": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["suite"].choices = [(s["id"], _suite_label(s)) for s in suites]
        self.fields["phone"].choices = [("", _("The whole account")), *((p, p) for p in phones)]

    def clean(self):
        data = super().clean()
        available, expires = data.get("available"), data.get("expires")
        if available and expires and expires < available:
            self.add_error("expires", _("The suite cannot end before it starts."))
        return data


class SuiteEndForm(forms.Form):
    """Which order or current suite to end: checked against a fresh scoped read."""

    kind = forms.ChoiceField(choices=[("order", "order"), ("current", "current")])
    id = forms.IntegerField(min_value=0)
    phone = forms.CharField(required=False, max_length=64)
    confirm = forms.BooleanField(required=False)


class SuiteOrderEndForm(forms.Form):
    """A new last day for an order (ModifySuiteOrder); empty: no end."""

    id = forms.IntegerField(min_value=0)
    phone = forms.CharField(required=False, max_length=64)
    expires = forms.DateField(
        label=_("Ends after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day of the suite, in your time zone. Empty: no end."),
    )


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


# --- Tools -------------------------------------------------------------------------------
class RateLookupForm(forms.Form):
    number = NumberField(label=_("What does a call to this number cost?"))


class _PhoneChoiceForm(forms.Form):
    phone = forms.ChoiceField(label=_("From my phone"))

    def __init__(self, *args, phones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].choices = [(p, p) for p in phones]


class MinutesLeftForm(_PhoneChoiceForm):
    number = NumberField(label=_("To"))


class ClickToCallForm(_PhoneChoiceForm):
    number = NumberField(label=_("Call"))


# --- History -----------------------------------------------------------------------------
def check_day_range(form, first_field: str, last_field: str, max_days: int) -> None:
    """The form's two day fields make a range of at most ``max_days`` days, in order;
    the error goes on the field to change."""
    first, last = form.cleaned_data.get(first_field), form.cleaned_data.get(last_field)
    if not (first and last):
        return
    if last < first:
        form.add_error(last_field, _("The end comes before the start."))
    elif (last - first).days + 1 > max_days:
        form.add_error(first_field, _("Choose at most %(days)d days.") % {"days": max_days})


class PeriodForm(forms.Form):
    first = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *args, default_days: int = 30, **kwargs):
        today = timezone.localdate()
        defaults = {"first": today - timedelta(days=default_days - 1), "last": today}
        if data is not None and not any(data.get(k) for k in ("first", "last")):
            data = None  # no dates given: the default range
        super().__init__(data, *args, initial=defaults, **kwargs)
        self.defaults = defaults

    def clean(self):
        data = super().clean()
        check_day_range(self, "first", "last", MAX_PERIOD_DAYS)
        return data

    def period(self):
        """The chosen days (the default range when the form is unbound)."""

        if not self.is_bound:
            return Period(self.defaults["first"], self.defaults["last"])
        if self.is_valid():
            return Period(self.cleaned_data["first"], self.cleaned_data["last"])
        return None
