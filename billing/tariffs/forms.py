"""Forms of the platform's billing console: fee rate groups, suites with their gift
times, phone cards, CDR injection and callee reservations. Every field comes from the
VOS catalog (``switch.forms``); the forms add only what the catalog cannot
say (a day time typed as 08:30, a moment in the user's time zone, ranges VOS would
refuse anyway)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from switch import labels
from switch.forms import CatalogForm, catalog_field, form_field
from vos3000 import catalog
from vos3000.client.dates import ms_from_datetime
from web.widgets import DateTimeInput

# A fake minute is a number of seconds; beyond an hour it no longer means anything.
FAKE_MINUTE_MAX = 3600


# The memo GetFeeRateGroup answers with is at most 64 characters (InfoFeeRateGroup).
GROUP_MEMO_LENGTH = 64


PREFIXES = re.compile(r"^[0-9]+(,[0-9]+)*$")


DAY_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


DAY_SECONDS = 86_400


E164 = re.compile(r"^\+?[0-9]{1,63}$")


def narrow(form: CatalogForm, name: str, **limits) -> None:
    """Rebuild the catalog field ``name`` of ``form`` with tighter limits than the
    manual prints (``minimum``, ``maximum``, ``length``): the catalog still decides its
    type, label and whether it is mandatory."""
    old = form.fields[name]
    spec = replace(catalog_field(form.endpoint, name), **limits)
    field = form_field(spec, label=old.label, required=old.required)
    field.help_text = old.help_text
    for key in ("min", "max", "maxlength"):
        value = {"min": spec.minimum, "max": spec.maximum, "maxlength": spec.length}[key]
        if value is not None:
            field.widget.attrs[key] = value
    form.fields[name] = field


def _number(value: str) -> str:
    value = (value or "").replace(" ", "").replace("-", "")
    if value and not E164.match(value):
        raise forms.ValidationError(_("Enter digits only (a leading + is allowed)."))
    return value


# --- Fee rate groups ---------------------------------------------------------------------
class _GroupFields(CatalogForm):
    labels = {
        "name": _("Name"),
        "fakeMinute": _("Fake minute (seconds)"),
        "memo": _("Memo"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        narrow(self, "fakeMinute", minimum=1, maximum=FAKE_MINUTE_MAX)
        narrow(self, "memo", length=GROUP_MEMO_LENGTH)


class FeeRateGroupForm(_GroupFields):
    endpoint = "CreateFeeRateGroup"
    catalog_fields = ["name", "fakeMinute", "memo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fakeMinute"].help_text = _(
            "How many seconds of a calling-card call count as one minute. Empty: the "
            "switch's default (60)."
        )

    def clean_name(self):
        name = self.cleaned_data["name"]
        if "/" in name:
            # The group's own pages carry its name in their address.
            raise forms.ValidationError(_("A group name cannot contain “/”."))
        return name


class FeeRateGroupEditForm(_GroupFields):
    endpoint = "ModifyFeeRateGroup"
    catalog_fields = ["fakeMinute", "memo"]
    # An emptied memo is sent empty, so VOS clears it; an empty fake minute is left out
    # (GetFeeRateGroup does not tell it, so there is nothing to show or to clear).
    omit_blank = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fakeMinute"].help_text = _(
            "The switch does not tell the current value. Empty: left as it is."
        )


# --- Suites ------------------------------------------------------------------------------
class SuiteForm(CatalogForm):
    endpoint = "CreateSuite"
    catalog_fields = ["name", "rentPeriod", "rentType", "rentFee", "giftMoney", "memo"]
    labels = {
        "name": _("Name"),
        "rentPeriod": _("Rent period"),
        "rentType": _("Rent unit"),
        "rentFee": _("Rent per period"),
        "giftMoney": _("Gift money per period"),
        "memo": _("Memo"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        narrow(self, "rentPeriod", minimum=1)
        narrow(self, "rentFee", minimum=0)
        narrow(self, "giftMoney", minimum=0)


class DayTimeField(forms.Field):
    """A time of day typed as 08:30 (or 08:30:15, up to 24:00), sent as seconds from
    0:00 within the catalog's range."""

    def __init__(self, *, spec, **kwargs):
        self.low = spec.minimum if spec.minimum is not None else 0
        self.high = spec.maximum if spec.maximum is not None else DAY_SECONDS
        super().__init__(**kwargs)
        self.widget.attrs.update(inputmode="numeric", size=8, maxlength=8)

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        match = DAY_TIME.match(value)
        if not match:
            raise forms.ValidationError(_("Enter a time of day such as 08:30 or 24:00."))
        hours, minutes, seconds = (int(part or 0) for part in match.groups())
        if minutes > 59 or seconds > 59:
            raise forms.ValidationError(_("Enter a time of day such as 08:30 or 24:00."))
        total = hours * 3600 + minutes * 60 + seconds
        if not self.low <= total <= self.high:
            raise forms.ValidationError(_("Enter a time between 00:00 and 24:00."))
        return total

    def prepare_value(self, value):
        return as_clock(value) if isinstance(value, int) else value


def as_clock(seconds: int) -> str:
    """Seconds from 0:00 as 08:30 (08:30:15 when there are seconds)."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


class GiftTimeForm(forms.Form):
    """One InfoGiftTime of a suite: free seconds to some prefixes, in a daily window."""

    TYPE = "InfoGiftTime"
    labels = {
        "prefix": _("Prefixes"),
        "startTime": _("From"),
        "endTime": _("Until"),
        "giftTime": _("Free seconds"),
        "billingTime": _("Billing period (s)"),
        "memo": _("Memo"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        for spec in catalog.TYPES[self.TYPE]:
            label = self.labels.get(spec.name)
            if spec.name in ("startTime", "endTime"):
                field = DayTimeField(spec=spec, label=label, required=False)
            else:
                field = form_field(spec, label=label, required=False, owner=self.TYPE)
            self.fields[spec.name] = field
        self.fields["prefix"].widget.attrs["placeholder"] = "4420, 4421"
        self.fields["startTime"].widget.attrs["placeholder"] = "00:00"
        self.fields["endTime"].widget.attrs["placeholder"] = "24:00"
        self.fields["prefix"].help_text = _("Number prefixes, separated by commas.")
        for name in ("giftTime", "billingTime"):
            self.fields[name].widget.attrs["min"] = 1

    def has_changed(self):
        # A row left as it was shown (empty) is no gift time; a partly filled one is.
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in self.fields)

    def clean_prefix(self):
        value = (self.cleaned_data.get("prefix") or "").replace(" ", "")
        if value and not PREFIXES.match(value):
            raise forms.ValidationError(_("Digits only, prefixes separated by commas."))
        return value

    def clean(self):
        data = super().clean()
        if not self.has_changed():
            return {}
        for name, spec in ((f.name, f) for f in _gift_specs()):
            if spec.mandatory and data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, _("This field is required."))
        for name in ("giftTime", "billingTime"):
            if data.get(name) is not None and data[name] < 1:
                self.add_error(name, _("At least 1 second."))
        start, end = data.get("startTime"), data.get("endTime")
        if start is not None and end is not None and end <= start:
            self.add_error("endTime", _("The window must end after it starts."))
        return data

    def to_info(self) -> dict:
        """The row as an InfoGiftTime."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name in self.fields
        }


def _gift_specs():
    return catalog.TYPES[GiftTimeForm.TYPE]


class _GiftTimeFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        windows = []
        for form in self.forms:
            if not form.has_changed() or not form.cleaned_data:
                continue
            data = form.cleaned_data
            for prefix in data["prefix"].split(","):
                windows.append((prefix, data["startTime"], data["endTime"]))
        seen: dict[str, list[tuple[int, int]]] = {}
        for prefix, start, end in windows:
            for other_start, other_end in seen.get(prefix, []):
                if start < other_end and other_start < end:
                    raise forms.ValidationError(
                        _("Two gift times for prefix %(prefix)s overlap.") % {"prefix": prefix}
                    )
            seen.setdefault(prefix, []).append((start, end))


GIFT_ROWS_SHOWN = 2


GIFT_ROWS_MAX = 20


GiftTimeFormSet = forms.formset_factory(
    GiftTimeForm,
    formset=_GiftTimeFormSet,
    extra=GIFT_ROWS_SHOWN,
    max_num=GIFT_ROWS_MAX,
    validate_max=True,
)


def gift_times_with_one_more_row(data) -> forms.BaseFormSet:
    """The posted gift-time rows, as typed and not yet checked, plus an empty one (the
    "Add a row" button, which works with and without JavaScript: it posts the form and
    gets it back one row longer)."""
    try:
        total = min(int(data.get("gift-TOTAL_FORMS", GIFT_ROWS_SHOWN)), GIFT_ROWS_MAX - 1)
    except ValueError:
        total = GIFT_ROWS_SHOWN
    names = [spec.name for spec in _gift_specs()]
    rows = [
        {name: data.get(f"gift-{index}-{name}", "") for name in names} for index in range(total)
    ]
    longer = forms.formset_factory(
        GiftTimeForm, formset=_GiftTimeFormSet, extra=1, max_num=GIFT_ROWS_MAX
    )
    return longer(initial=rows, prefix="gift")


class SuiteDeleteForm(forms.Form):
    force = forms.BooleanField(
        label=_("Also end every order of this suite"),
        required=False,
        help_text=_(
            "Without it the switch refuses to delete a suite that is still ordered. With "
            "it the orders and the periods in force end at once."
        ),
    )


# --- Phone cards -------------------------------------------------------------------------
class PhoneCardLookupForm(forms.Form):
    """A card's PIN and (optionally) its password: posted only, never in an address."""

    pin = forms.CharField(
        label=_("Card number (PIN)"),
        max_length=catalog_field("GetPhoneCard", "pin").length or 255,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("Card password"),
        required=False,
        help_text=_("Optional: the switch then also checks the password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def clean_pin(self):
        pin = self.cleaned_data["pin"].replace(" ", "").replace("-", "")
        if not pin.isdigit():
            raise forms.ValidationError(_("A card number is digits only."))
        return pin


class PhoneCardActivateForm(CatalogForm):
    endpoint = "PhoneCardActive"
    catalog_fields = ["pin", "password", "bindedE164"]
    labels = {
        "pin": _("Card number (PIN)"),
        "password": _("Card password"),
        "bindedE164": _("Bind this number to the card"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pin"].widget = forms.HiddenInput()
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "off"})
        self.fields["password"].help_text = _("Empty: the switch checks the card number only.")
        self.fields["bindedE164"].help_text = _(
            "Optional: a phone number that may then call on the card's account."
        )

    def clean_pin(self):
        pin = (self.cleaned_data.get("pin") or "").strip()
        if not pin.isdigit():
            raise forms.ValidationError(_("A card number is digits only."))
        return pin

    def clean_bindedE164(self):
        return _number(self.cleaned_data.get("bindedE164"))


def pin_ending(pin: str) -> str:
    """What of a PIN may be shown or recorded: its last four digits."""
    return "…" + str(pin)[-4:]


# --- CDR injection -----------------------------------------------------------------------
CDR_LABELS = {
    "billingMode": _("Who pays"),
    "account": _("Billing account"),
    "callerE164": _("Caller"),
    "calleeE164": _("Callee"),
    "callerIp": _("Caller IP"),
    "callerGatewayId": _("Caller gateway"),
    "callerProductId": _("Caller device"),
    "callerToGatewayE164": _("Caller as sent out"),
    "calleeIp": _("Callee IP"),
    "calleeGatewayId": _("Callee gateway"),
    "calleeProductId": _("Callee device"),
    "calleeToGatewayE164": _("Callee as sent out"),
    "startTime": _("Began"),
    "stopTime": _("Ended"),
    "billingTime": _("Billed seconds"),
    "endDirection": _("Hung up by"),
    "endReason": _("End reason (code)"),
    "flowNo": _("Flow number"),
}


CDR_MOMENTS = ("startTime", "stopTime")


class CdrForm(CatalogForm):
    """Every field of CreateCdr, from the catalog; the two moments are typed in the
    user's time zone and sent as VOS's UTC milliseconds."""

    endpoint = "CreateCdr"
    catalog_fields = [
        "billingMode",
        "account",
        "callerE164",
        "calleeE164",
        "startTime",
        "stopTime",
        "billingTime",
        "endDirection",
        "endReason",
        "flowNo",
        "callerIp",
        "callerGatewayId",
        "callerProductId",
        "callerToGatewayE164",
        "calleeIp",
        "calleeGatewayId",
        "calleeProductId",
        "calleeToGatewayE164",
    ]
    labels = CDR_LABELS
    # The callee decides the rate: without it the record cannot be priced.
    required_fields = {"calleeE164"}
    understood = forms.BooleanField(
        label=_("I understand that this call is billed to the account as if it happened."),
        required=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        empty = {"startTime": _("now"), "stopTime": _("the start (an unanswered call)")}
        for name in CDR_MOMENTS:
            self.fields[name] = forms.DateTimeField(
                label=self.labels[name],
                required=False,
                widget=DateTimeInput(seconds=True),
                help_text=_("In your time zone. Empty: %(default)s.") % {"default": empty[name]},
            )
        narrow(self, "billingTime", minimum=0)
        narrow(self, "flowNo", minimum=-1)
        self.fields["billingTime"].help_text = _(
            "The seconds to bill; the callee's rate rounds them up to its billing period."
        )
        self.fields["flowNo"].help_text = _(
            "Optional. A number of your own (0 or more) makes the correction safe to send "
            "twice: the switch will not bill a flow number it already has."
        )
        self.fields["account"].help_text = _("Empty: chosen from the caller as “Who pays” says.")
        known = "; ".join(f"{code}: {words}" for code, words in labels.END_REASONS.items())
        self.fields["endReason"].help_text = _("The codes in words: %(known)s.") % {"known": known}
        # The understanding box goes last, after every catalog field.
        self.order_fields([*self.catalog_fields, "understood"])

    def clean_callerE164(self):
        return _number(self.cleaned_data.get("callerE164"))

    def clean_calleeE164(self):
        return _number(self.cleaned_data.get("calleeE164"))

    def clean(self):
        data = super().clean()
        start, stop = data.get("startTime"), data.get("stopTime")
        if start and stop and stop < start:
            self.add_error("stopTime", _("The call cannot end before it began."))
        if stop and not start:
            self.add_error("startTime", _("Give the start too when you give the end."))
        if start and start > timezone.now():
            self.add_error("startTime", _("A correction is for a call that has happened."))
        mode = data.get("billingMode")
        if mode == 1 and not data.get("callerGatewayId") and not data.get("account"):
            self.add_error(
                "callerGatewayId", _("Name the caller gateway (or the billing account).")
            )
        if mode in (0, 2, 3) and not data.get("callerE164") and not data.get("account"):
            self.add_error("callerE164", _("Name the caller (or the billing account)."))
        return data

    def to_payload(self) -> dict:
        payload = super().to_payload()
        for name in CDR_MOMENTS:
            moment = self.cleaned_data.get(name)
            payload.pop(name, None)
            if isinstance(moment, datetime):
                payload[name] = ms_from_datetime(moment)
        return payload


# --- Callee reservations -----------------------------------------------------------------
class ReserveCalleeForm(CatalogForm):
    endpoint = "ReserveCalleeE164"
    catalog_fields = ["accessE164", "accessE164Password", "callerE164", "calleeE164"]
    labels = {
        "accessE164": _("Access number"),
        "accessE164Password": _("Access number's password"),
        "callerE164": _("Caller"),
        "calleeE164": _("Callee to reserve"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accessE164"].help_text = _(
            "The phone that provides the callback (calling-card) service."
        )
        self.fields["accessE164Password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "off"}
        )
        self.fields["callerE164"].help_text = _("The number that will dial in.")
        self.fields["calleeE164"].help_text = _("The number it is put through to.")
        for name in ("accessE164", "callerE164", "calleeE164"):
            self.fields[name].widget.attrs.update(inputmode="tel", autocomplete="off")

    def clean_accessE164(self):
        return _number(self.cleaned_data.get("accessE164"))

    def clean_callerE164(self):
        return _number(self.cleaned_data.get("callerE164"))

    def clean_calleeE164(self):
        return _number(self.cleaned_data.get("calleeE164"))

    def clean(self):
        data = super().clean()
        if data.get("callerE164") and data.get("callerE164") == data.get("calleeE164"):
            self.add_error("calleeE164", _("A number cannot be reserved for itself."))
        return data
