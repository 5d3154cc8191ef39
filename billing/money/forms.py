"""Forms of the money pages. The idempotency key rides in every money form: made when
the form is shown, so submitting the same form twice pays once."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import MoneySettings, MoneyTransfer
from switch.forms import PlainDecimalField, catalog_field, form_field
from web.widgets import DateInput


class _KeyedForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=64, min_length=16)


def _amount_field(label=None, *, minimum=Decimal("0.01"), required=True, help_text=""):
    """An amount of money as people type it: plain digits and at most two decimals;
    NaN, Infinity, exponents, commas, signs and 20-digit values are form errors."""
    return PlainDecimalField(
        label=label or _("Amount"),
        max_digits=12,
        decimal_places=2,
        min_value=minimum,
        required=required,
        help_text=help_text,
        error_messages={
            "max_decimal_places": _("Use at most two decimals."),
            "max_digits": _("That is more than the portal can move."),
            "max_whole_digits": _("That is more than the portal can move."),
            "invalid": _("Enter an amount such as 20 or 20.50."),
        },
    )


class TopupForm(_KeyedForm):
    amount = _amount_field()
    # Pay's memo is 255 long; the portal prefixes its own reference (see money._memo).
    memo = forms.CharField(label=_("Note (optional)"), max_length=180, required=False)


class TakeBackForm(_KeyedForm):
    """Money taken back from a customer; ``corrects`` names the top-up it corrects."""

    amount = _amount_field()
    memo = forms.CharField(label=_("Note (optional)"), max_length=180, required=False)
    corrects = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class AdjustForm(_KeyedForm):
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[("credit", _("Credit: add money")), ("debit", _("Debit: take money"))],
        widget=forms.RadioSelect,
    )
    amount = _amount_field()
    memo = forms.CharField(label=_("Reason"), max_length=180)


class PinTopupForm(_KeyedForm):
    """PIN and password as PayByPhoneCard takes them (lengths from the catalog)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pin"] = form_field(
            catalog_field("PayByPhoneCard", "pin"), label=_("Card number (PIN)"), required=True
        )
        self.fields["password"] = form_field(
            catalog_field("PayByPhoneCard", "password"), label=_("Card password"), required=True
        )
        self.fields["password"].widget = forms.PasswordInput(render_value=False)
        self.fields["pin"].widget.attrs.update({"autocomplete": "off", "inputmode": "numeric"})
        self.order_fields(["pin", "password", "key"])

    def clean_pin(self):
        # Refused here, before the switch is asked about a card that cannot exist.
        pin = (self.cleaned_data.get("pin") or "").replace(" ", "").replace("-", "")
        if not (pin.isascii() and pin.isdigit()):
            raise forms.ValidationError(_("A card number is digits only."))
        return pin


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label=_("Account"), required=False, max_length=64)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any state")), *MoneyTransfer.State.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *MoneyTransfer.Kind.choices]
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What the switch shows"),
        choices=[
            ("succeeded", _("The payment is there: it succeeded")),
            ("failed", _("The payment is not there: it failed")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("How you checked"), max_length=255)


class MoneySettingsForm(forms.ModelForm):
    max_per_transaction = _amount_field(_("largest single amount"))
    max_per_day = _amount_field(
        _("most per day and payer"),
        help_text=_("Per reseller (or admin) making top-ups, counted in UTC days."),
    )
    low_balance_threshold = _amount_field(_("low balance below"), minimum=Decimal("0"))

    class Meta:
        model = MoneySettings
        fields = [
            "reseller_funded_topups",
            "max_per_transaction",
            "max_per_day",
            "low_balance_threshold",
        ]
