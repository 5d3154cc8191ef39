"""Forms of bulk work: the upload of an import file, and an action on the customer list
(the accounts ticked, or every account the list's filter matches)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import BulkAction, BulkImport
from switch.forms import PlainDecimalField


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=BulkImport.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8) or XLSX, with the template's column names in its first row."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        return upload


class BulkActionForm(forms.Form):
    """Posted by the customer list: the action, its value, and which accounts."""

    action = forms.ChoiceField(label=_("Action"), choices=BulkAction.Action.choices)
    ids = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=())
    every = forms.BooleanField(required=False)
    group = forms.CharField(label=_("Fee rate group"), required=False, max_length=64)
    # A top-up of nothing is no top-up: at least 0.01, as on the one-customer form.
    amount = PlainDecimalField(
        label=_("Amount"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("csv", "CSV"), ("xlsx", "XLSX")]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the scope decides which accounts they are.
        self.fields["ids"].valid_value = lambda value: True

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == BulkAction.Action.FEE_RATE_GROUP and not data.get("group"):
            self.add_error("group", _("Choose the fee rate group to give."))
        if action == BulkAction.Action.TOPUP and not data.get("amount"):
            self.add_error("amount", _("Enter the amount of each top-up."))
        if not data.get("every") and not data.get("ids"):
            raise forms.ValidationError(_("Tick the accounts first, or choose every account."))
        return data

    def params(self) -> dict:
        data = self.cleaned_data
        action = data["action"]
        if action == BulkAction.Action.FEE_RATE_GROUP:
            return {"group": data["group"]}
        if action == BulkAction.Action.TOPUP:
            return {"amount": str(data["amount"])}
        if action in (BulkAction.Action.EXPORT_CUSTOMERS, BulkAction.Action.EXPORT_PHONES):
            return {"format": data.get("format") or "csv"}
        return {}
