"""The audit trail's filters, shared by the list page and the CSV export task."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.audit_trail import sentences
from web.widgets import DateInput

RESULTS = [
    ("", _("Any result")),
    ("ok", _("OK")),
    ("error", _("Error")),
    ("denied", _("Denied")),
    ("unknown", _("Unknown (may have been applied)")),
]


FILTER_FIELDS = (
    "actor",
    "tenant",
    "action",
    "target_type",
    "target_id",
    "date_from",
    "date_to",
    "result",
)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor email contains"), max_length=254, required=False)
    tenant = forms.ModelChoiceField(
        label=_("Account"), queryset=None, required=False, empty_label=_("All accounts")
    )
    # Choices in words (set per form: the words follow the viewer's language).
    action = forms.ChoiceField(label=_("Action"), required=False)
    target_type = forms.ChoiceField(label=_("Target kind"), required=False)
    target_id = forms.CharField(label=_("Target number"), max_length=128, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To (inclusive)"), required=False, widget=DateInput())
    result = forms.ChoiceField(label=_("Result"), choices=RESULTS, required=False)

    def __init__(self, *args, scope, time_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        # Only the tenants this user may see: a foreign id is not a valid choice.
        self.fields["tenant"].queryset = scope.tenants().order_by("path")
        self.fields["action"].choices = sentences.action_choices()
        self.fields["target_type"].choices = sentences.kind_choices()
        self.zone = zoneinfo.ZoneInfo(time_zone)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        # Days are the user's days: midnight in their time zone.
        data["since"] = datetime.combine(start, time.min, self.zone) if start else None
        data["until"] = (
            datetime.combine(end + timedelta(days=1), time.min, self.zone) if end else None
        )
        return data

    def as_params(self) -> dict[str, str]:
        """The submitted filters as plain strings (for links and the export job)."""
        return {name: str(self.data.get(name, "")) for name in FILTER_FIELDS if self.data.get(name)}
