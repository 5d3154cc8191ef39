"""The CDR search form, shared by the search page, its account tab and the export task
(which re-validates the stored filters against the scope as it is when it runs)."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tenant
from billing.cdrs.selectors import CdrFilters
from billing.models import CdrExport
from web.widgets import DateInput

# A wider search is a report's job (and an export's); the page refuses it in words.
MAX_RANGE_DAYS = 93


FILTER_FIELDS = (
    "date_from",
    "date_to",
    "tenant",
    "account",
    "caller_prefix",
    "callee_prefix",
    "phone",
    "gateway",
    "min_duration",
    "answered",
    "with_fee",
)


def _number(label, help_text=""):
    return forms.CharField(
        label=label,
        max_length=64,
        required=False,
        strip=True,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


class CdrSearchForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DateInput())
    date_to = forms.DateField(label=_("To (inclusive)"), widget=DateInput())
    # Providers only. ``tenant`` (an id) comes from links and the account's Calls tab;
    # ``account`` is what a person types. Both are looked up in the scope only.
    tenant = forms.IntegerField(required=False, widget=forms.HiddenInput)
    account = forms.CharField(
        label=_("Account"),
        max_length=64,
        required=False,
        help_text=_("A customer, or a reseller for its whole subtree."),
    )
    caller_prefix = _number(_("Caller starts with"))
    callee_prefix = _number(_("Callee starts with"))
    phone = _number(_("Phone number (caller or callee)"))
    gateway = forms.CharField(label=_("Gateway"), max_length=64, required=False)  # admins only
    min_duration = forms.IntegerField(
        label=_("At least (seconds)"), min_value=0, max_value=86_400, required=False
    )
    answered = forms.BooleanField(label=_("Answered calls only"), required=False)
    with_fee = forms.BooleanField(label=_("Charged calls only (fee > 0)"), required=False)

    def __init__(self, *args, scope, time_zone: str = "UTC", fixed_tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fixed_tenant = fixed_tenant
        try:
            self.zone = zoneinfo.ZoneInfo(time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.zone = zoneinfo.ZoneInfo("UTC")
        # Fields a role may not use are not there at all: a posted value is ignored.
        if not scope.sees_gateways:
            del self.fields["gateway"]
        if not scope.is_provider or fixed_tenant is not None:
            del self.fields["account"]
        if not scope.is_provider:
            del self.fields["tenant"]

    # --- defaults ------------------------------------------------------------------------
    @classmethod
    def today_in(cls, time_zone: str) -> date:
        return cls.day_in(timezone.now(), time_zone)

    @classmethod
    def day_in(cls, moment, time_zone: str) -> date:
        try:
            zone = zoneinfo.ZoneInfo(time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        return moment.astimezone(zone).date()

    # --- validation ----------------------------------------------------------------------
    def clean_tenant(self):
        pk = self.cleaned_data.get("tenant")
        if pk is None:
            return None
        # A foreign id is a 404, as everywhere (it came from a link, not from typing).
        tenant = self.scope.tenant_or_404(pk)
        return None if tenant.kind == Tenant.Kind.PLATFORM else tenant

    def clean_account(self):
        name = self.cleaned_data.get("account", "")
        if not name:
            return None
        found = list(
            self.scope.tenants()
            .filter(vos_account=name)
            .exclude(kind=Tenant.Kind.PLATFORM)
            .exclude(status=Tenant.Status.GONE)[:2]
        )
        if not found:
            raise forms.ValidationError(
                _("None of your accounts is called %(name)s.") % {"name": name}
            )
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several accounts are called %(name)s; open the one you mean from its page.")
                % {"name": name}
            )
        return found[0]

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last:
            if last < first:
                self.add_error("date_to", _("The end date is before the start date."))
            elif (last - first).days + 1 > MAX_RANGE_DAYS:
                self.add_error(
                    "date_to",
                    _(
                        "Search at most %(days)s days at a time (you asked for %(asked)s). "
                        "Use the reports for longer periods."
                    )
                    % {"days": MAX_RANGE_DAYS, "asked": (last - first).days + 1},
                )
        return data

    # --- results -------------------------------------------------------------------------
    @property
    def chosen_tenant(self) -> Tenant | None:
        if self.fixed_tenant is not None:
            return self.fixed_tenant
        data = getattr(self, "cleaned_data", {})
        return data.get("account") or data.get("tenant")

    def filters(self) -> CdrFilters:
        """The valid form as a search: the user's days as aware datetimes, ``until``
        exclusive (midnight after the last day, in the user's zone)."""
        data = self.cleaned_data
        return CdrFilters(
            since=datetime.combine(data["date_from"], time.min, self.zone),
            until=datetime.combine(data["date_to"] + timedelta(days=1), time.min, self.zone),
            tenant=self.chosen_tenant,
            caller_prefix=data.get("caller_prefix", ""),
            callee_prefix=data.get("callee_prefix", ""),
            phone=data.get("phone", ""),
            gateway=data.get("gateway", "") if self.scope.sees_gateways else "",
            min_duration=data.get("min_duration") or 0,
            answered_only=bool(data.get("answered")),
            with_fee=bool(data.get("with_fee")),
        )

    def as_params(self) -> dict[str, str]:
        """The valid search as plain strings: for the pager's links and the export job.
        The account is kept as the tenant's id, so the task looks it up again in the
        scope as it is then."""
        data = self.cleaned_data
        params = {
            "date_from": data["date_from"].isoformat(),
            "date_to": data["date_to"].isoformat(),
        }
        tenant = self.chosen_tenant
        if tenant is not None:
            params["tenant"] = str(tenant.pk)
        for name in ("caller_prefix", "callee_prefix", "phone", "gateway"):
            if data.get(name):
                params[name] = data[name]
        if data.get("min_duration"):
            params["min_duration"] = str(data["min_duration"])
        for name in ("answered", "with_fee"):
            if data.get(name):
                params[name] = "on"
        return params


class CdrExportForm(forms.Form):
    """How to write an export: its format (the button pressed) and whether its column
    names and codes stay as the fields are named, for scripts."""

    format = forms.ChoiceField(choices=CdrExport.Format.choices)
    raw = forms.BooleanField(
        label=_("Column names for machines"),
        required=False,
        help_text=_("Field names and codes (caller_e164, call_level 5) instead of words."),
    )
