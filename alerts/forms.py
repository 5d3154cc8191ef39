"""Forms of the alert and operations pages."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from switch.forms import CatalogForm, PlainDecimalField
from switch.models import VosServer
from web.widgets import DateTimeInput


class ThresholdForm(forms.Form):
    low_balance_threshold = PlainDecimalField(
        label=_("Warn when the balance falls below"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.00"),
        required=False,
        help_text=_("Leave empty to use the platform's default."),
        error_messages={"max_decimal_places": _("Use at most two decimals.")},
    )


class CreateAlarmForm(CatalogForm):
    """2.79 CreateAlarm: every field of the manual, from the catalog; the two times
    (UTC milliseconds on the wire) typed as dates and times."""

    endpoint = "CreateAlarm"
    catalog_fields = ["name", "level", "value", "alarmInfo", "upper", "lower"]
    labels = {
        # The manual labels the name in Chinese only (告警名称).
        "name": _("Alarm name"),
        "level": _("Level"),
        "value": _("Value"),
        "alarmInfo": _("Alarm information"),
        "upper": _("Upper value"),
        "lower": _("Lower value"),
    }

    server = forms.ModelChoiceField(
        label=_("VOS server"), queryset=VosServer.objects.filter(enabled=True), empty_label=None
    )
    start = forms.DateTimeField(
        label=_("Starts (UTC; empty: now)"),
        required=False,
        widget=DateTimeInput(),
    )
    stop = forms.DateTimeField(
        label=_("Stops (UTC; empty: until cleared)"),
        required=False,
        widget=DateTimeInput(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["server", *self.catalog_fields, "start", "stop"])

    def clean(self):
        cleaned = super().clean()
        start, stop = cleaned.get("start"), cleaned.get("stop")
        if start and stop and stop <= start:
            self.add_error("stop", _("The stop must come after the start."))
        upper, lower = cleaned.get("upper"), cleaned.get("lower")
        if upper is not None and lower is not None and lower > upper:
            self.add_error("lower", _("The lower value must not exceed the upper value."))
        return cleaned

    def to_payload(self) -> dict:
        payload = super().to_payload()
        for field, wire in (("start", "startTime"), ("stop", "stopTime")):
            value = self.cleaned_data.get(field)
            if value is not None:
                # The form's times are UTC, as the manual's are.
                payload[wire] = int(value.replace(tzinfo=UTC).timestamp() * 1000)
        return payload
