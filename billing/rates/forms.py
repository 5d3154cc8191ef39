"""Forms of the rates, grants and suites pages, and ``NumberField`` (a dialled number)
that the tools share. They carry what the catalog cannot say (days in the user's time
zone, a phone chosen from the customer's own) and are checked against the catalog when
their payload is sent."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.rating import normalize_number, to_decimal
from switch import labels as enum_labels
from web.widgets import DateInput


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
        # A fee the switch left out is unknown: "—", not 0.00.
        "fee": "—" if suite.get("rentFee") in (None, "") else f"{to_decimal(suite['rentFee']):.2f}",
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
    available = forms.DateField(label=_("Starts on"), widget=DateInput())
    expires = forms.DateField(
        label=_("Ends after"),
        required=False,
        widget=DateInput(),
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
        widget=DateInput(),
        help_text=_("The last day of the suite, in your time zone. Empty: no end."),
    )
