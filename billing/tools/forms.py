"""Forms of the customer tools: a number, and a phone chosen from the customer's own."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.rates.forms import NumberField


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
