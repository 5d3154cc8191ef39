"""Forms of the card payment pages. Amounts are plain numbers (``PlainDecimalField``):
NaN, Infinity, exponents, commas, signs and 20-digit values are form errors."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import CENT, PaymentAccount
from switch.forms import PlainDecimalField


def _money_field(label, *, minimum=CENT, maximum=None, required=True, help_text="", places=2):
    return PlainDecimalField(
        label=label,
        max_digits=12,
        decimal_places=places,
        min_value=minimum,
        max_value=maximum,
        required=required,
        help_text=help_text,
        error_messages={
            "max_decimal_places": _("Use at most two decimals."),
            "max_digits": _("That is more than the portal can move."),
            "max_whole_digits": _("That is more than the portal can move."),
            "invalid": _("Enter an amount such as 20 or 20.50."),
        },
    )


class AmountForm(forms.Form):
    """How much to put on the account; the fee comes on top (shown before paying)."""

    amount = _money_field(_("Amount to add to your balance"))
    # Set by the confirmation step: the total was shown, now pay it.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, account: PaymentAccount, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        field = self.fields["amount"]
        field.help_text = _("From %(min)s to %(max)s.") % {
            "min": account.min_amount,
            "max": account.max_amount,
        }
        field.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is None or amount <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."))
        if amount < self.account.min_amount:
            raise forms.ValidationError(
                _("The smallest amount is %(min)s.") % {"min": self.account.min_amount}
            )
        if amount > self.account.max_amount:
            raise forms.ValidationError(
                _("The largest amount is %(max)s.") % {"max": self.account.max_amount}
            )
        return amount.quantize(CENT)


class PaymentAccountForm(forms.ModelForm):
    """The payment account's settings. The keys are write-only: never rendered back;
    left blank, the stored ones stay; typed, they replace them."""

    secret_key = forms.CharField(
        label=_("Secret API key"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    webhook_secret = forms.CharField(
        label=_("Webhook signing secret"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    min_amount = _money_field(_("Smallest amount"))
    max_amount = _money_field(_("Largest amount"))
    fee_percent = _money_field(
        _("Fee (percent of the amount)"), minimum=Decimal("0"), maximum=Decimal("100")
    )
    fee_fixed = _money_field(_("Fee (fixed, per payment)"), minimum=Decimal("0"))

    class Meta:
        model = PaymentAccount
        fields = ["kind", "min_amount", "max_amount", "fee_percent", "fee_fixed", "enabled"]

    def clean(self):
        data = super().clean()
        has_keys = self.instance.pk is not None and self.instance.has_keys
        for name in ("secret_key", "webhook_secret"):
            if not data.get(name) and not has_keys:
                self.add_error(name, _("Enter it once; it is never shown again."))
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and high is not None and low > high:
            self.add_error("max_amount", _("The largest amount is below the smallest."))
        return data
