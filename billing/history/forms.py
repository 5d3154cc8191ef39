"""The period form of the history pages (days in the user's time zone), and the day-range
check the report forms share."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.history.selectors import Period
from web.widgets import DateInput

# The longest range of days a history page asks VOS about at once.
MAX_PERIOD_DAYS = 366


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
    first = forms.DateField(label=_("From"), widget=DateInput())
    last = forms.DateField(label=_("To"), widget=DateInput())

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
