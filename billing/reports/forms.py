"""Forms of the report pages: a new VOS fee report, and the local call statistics."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tenant
from billing.history.forms import check_day_range
from billing.models import ReportJob
from billing.reports import services as reports
from billing.reports import stats as cdr_stats
from web.widgets import DateInput

# VOS computes a report in one request; a year of days is already 366 rows per account.
MAX_REPORT_DAYS = 366


# The subject list is a plain select; a platform with more accounts than this picks
# from the first ones by name (or opens the report from the account's own page).
MAX_SUBJECT_CHOICES = 1000


MAX_PHONES = 50


_DIGITS = re.compile(r"^[0-9]{1,64}$")


def _utc_today():
    return datetime.now(UTC).date()


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportJob.Kind.choices)
    # Not a choice field: any id sent is looked up through the scope (a foreign one is a
    # 404, as everywhere), the select only offers the likely ones.
    tenant = forms.IntegerField(label=_("Account"), widget=forms.Select())
    reach = forms.ChoiceField(
        label=_("For a reseller"),
        choices=(
            (reports.REACH_ACCOUNT, _("its own account")),
            (reports.REACH_CUSTOMERS, _("every customer below it")),
        ),
        initial=reports.REACH_CUSTOMERS,
        required=False,
    )
    period = forms.ChoiceField(label=_("Rows"), choices=ReportJob.Period.choices)
    first_day = forms.DateField(label=_("From (UTC day)"), widget=DateInput())
    last_day = forms.DateField(label=_("To (UTC day)"), widget=DateInput())
    area_code = forms.CharField(
        label=_("Area code prefix (location report)"),
        max_length=64,
        required=False,
        help_text=_("Only destinations starting with these digits; empty for all."),
    )
    e164s = forms.CharField(
        label=_("Phone numbers (phone report)"),
        max_length=2000,
        required=False,
        help_text=_("Separated by commas or spaces; empty for every phone."),
    )

    def __init__(self, data=None, *, scope, initial_tenant=None, **kwargs):
        today = _utc_today()
        initial = {
            "first_day": today - timedelta(days=29),
            "last_day": today,
            "kind": ReportJob.Kind.CUSTOMER_FEE,
            "period": ReportJob.Period.DAY,
            "reach": reports.REACH_CUSTOMERS,
        }
        if initial_tenant is not None:
            initial["tenant"] = initial_tenant.pk
        super().__init__(data, initial=initial, **kwargs)
        self.scope = scope
        if scope.is_customer:
            # Customers report on themselves: no choice to make.
            del self.fields["tenant"]
            del self.fields["reach"]
        else:
            subjects = reports.reportable_tenants(scope).order_by("name", "pk")
            reseller = _("reseller")  # outside the f-string: makemessages cannot read inside one
            choices = [
                (
                    t.pk,
                    f"{t.name} ({t.vos_account})"
                    + (f" · {reseller}" if t.kind == Tenant.Kind.RESELLER else ""),
                )
                for t in subjects[:MAX_SUBJECT_CHOICES]
            ]
            # A reseller's own account (its customers' report) first, and chosen.
            own = [c for c in choices if c[0] == scope.tenant.pk]
            choices = own + [c for c in choices if c[0] != scope.tenant.pk]
            if initial_tenant is not None and initial_tenant.pk not in {c[0] for c in choices}:
                choices.insert(0, (initial_tenant.pk, f"{initial_tenant.name}"))
            if initial_tenant is None and own:
                self.initial["tenant"] = scope.tenant.pk
            self.fields["tenant"].widget.choices = choices

    def clean_tenant(self):
        # Any id typed in is looked up through the scope: a foreign one is a 404.
        tenant = self.scope.tenant_or_404(self.cleaned_data["tenant"])
        if not reports.reportable_tenants(self.scope).filter(pk=tenant.pk).exists():
            raise forms.ValidationError(_("This account has no VOS account to report on."))
        return tenant

    def clean_area_code(self):
        value = self.cleaned_data["area_code"].strip()
        if value and not _DIGITS.match(value):
            raise forms.ValidationError(_("Digits only."))
        return value

    def clean_e164s(self):
        numbers = [n for n in re.split(r"[\s,;]+", self.cleaned_data["e164s"].strip()) if n]
        if any(not _DIGITS.match(n) for n in numbers):
            raise forms.ValidationError(_("Phone numbers are digits only."))
        if len(numbers) > MAX_PHONES:
            raise forms.ValidationError(_("At most %(n)d phone numbers.") % {"n": MAX_PHONES})
        return list(dict.fromkeys(numbers))

    def clean(self):
        data = super().clean()
        if "tenant" not in self.fields and not (
            reports.reportable_tenants(self.scope).filter(pk=self.scope.tenant.pk).exists()
        ):
            raise forms.ValidationError(_("Your account is not linked to a VOS account yet."))
        check_day_range(self, "first_day", "last_day", MAX_REPORT_DAYS)
        return data

    def subject(self) -> Tenant:
        if "tenant" in self.fields:
            return self.cleaned_data["tenant"]
        return self.scope.tenant


MAX_STATS_DAYS = 93


class CallStatsForm(forms.Form):
    """Days in the viewer's time zone, and how to group the calls."""

    first = forms.DateField(label=_("From"), widget=DateInput())
    last = forms.DateField(label=_("To"), widget=DateInput())
    group = forms.ChoiceField(label=_("Per"), choices=())

    def __init__(self, data=None, *, scope, zone: zoneinfo.ZoneInfo, **kwargs):
        today = timezone.localtime(timezone.now(), zone).date()
        self.defaults = {
            "first": today - timedelta(days=6),
            "last": today,
            "group": cdr_stats.BY_DAY,
        }
        if data is not None and not any(data.get(k) for k in ("first", "last", "group")):
            data = None  # nothing asked: the last seven days, per day
        super().__init__(data, initial=self.defaults, **kwargs)
        self.zone = zone
        self.fields["group"].choices = cdr_stats.groupings_for(scope)

    def clean(self):
        data = super().clean()
        check_day_range(self, "first", "last", MAX_STATS_DAYS)
        return data

    def chosen(self) -> dict | None:
        """first, last and group: the defaults when nothing was asked, None when invalid."""
        if not self.is_bound:
            return dict(self.defaults)
        return dict(self.cleaned_data) if self.is_valid() else None
