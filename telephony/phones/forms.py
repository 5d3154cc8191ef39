"""Phone forms, generated from the catalog (``switch.forms``).

``PHONE_GROUPS`` lays every setting ModifyPhone accepts out in groups and sections a
person can find them in; ``PhoneSettingsForm`` shows the groups the viewer may see and
lets them change only what their role may change (``editable_paths``): a field they may
not change is disabled, so a value posted for it anyway is ignored (Django keeps the
initial value of a disabled field) and it is never sent to VOS.
"""

from __future__ import annotations

import re

from django import forms
from django.core.validators import MinLengthValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from switch import labels as enum_labels
from switch.forms import SEPARATOR, CatalogForm

VA = f"infoPhoneValueAdded{SEPARATOR}"


IA = f"infoPhoneAdditional{SEPARATOR}"


PERIODS = f"{VA}infoPhoneValueAddedPeriodForwardings"


E164_PATTERN = r"^[0-9A-Za-z+*#._-]{1,64}$"


e164_validator = RegexValidator(
    E164_PATTERN, _("Use digits (letters, + * # . _ - allowed), at most 64 characters.")
)


def _forward(kind: str) -> list[str]:
    return [
        f"{VA}{kind}Forward",
        f"{VA}{kind}ForwardE164{SEPARATOR}e164",
        f"{VA}{kind}ForwardE164{SEPARATOR}forwardMethod",
        f"{VA}{kind}ForwardE164{SEPARATOR}alertSecond",
    ]


# (key, title, [(section title or None, [catalog paths])]). Every field of ModifyPhone's
# request but e164, password (its own page), account (admins' "move", added by the
# form) and the period forwardings (a row editor, PeriodForwardingFormSet).
PHONE_GROUPS = [
    (
        "basic",
        _("Basic"),
        [
            (
                None,
                [
                    "displayNumber",
                    "lockType",
                    "callLevel",
                    "calleeBilling",
                    "customerPassword",
                    "memo",
                ],
            )
        ],
    ),
    (
        "limits",
        _("Limits"),
        [
            (_("Lines"), ["lineCapacity", "lineCallIn", "lineCallOut"]),
            (
                _("Money per month"),
                ["monthlyMoneyMinimum", "monthlyMoneyMaximum", "monthlyRentFee"],
            ),
            (_("Phone book"), ["phonebookLimit"]),
            (
                _("Who may call and be called"),
                [
                    "callerLimitE164GroupsAllow",
                    "callerLimitE164Groups",
                    "calleeLimitE164Allow",
                    "calleeLimitE164Groups",
                ],
            ),
        ],
    ),
    (
        "value_added",
        _("Value-added services"),
        [
            (_("Forward every call"), _forward("unconditional")),
            (_("Forward when not answered"), _forward("noAnswer")),
            (_("Forward when the phone is offline"), _forward("offline")),
            (_("Forward when busy"), _forward("busy")),
            (_("Forward by time of day"), [f"{VA}periodForwarding"]),
            (_("Do not disturb"), [f"{VA}doNotDisturb"]),
            (
                _("Voicemail"),
                [
                    f"{VA}voiceMail",
                    f"{VA}voiceMailCheckPassword",
                    f"{VA}voiceMailAudioType",
                    f"{VA}voiceMailMaxNumber",
                    f"{VA}voiceMailExpireDay",
                ],
            ),
            (
                _("Color ring"),
                [f"{VA}colorRing", f"{VA}colorRingName", f"{VA}remoteColorRingPassthrough"],
            ),
            (_("Calling features"), [f"{VA}callerIdDisplay", f"{VA}callTransfer"]),
            (
                _("Prompts"),
                [
                    f"{VA}unableToConnectVoicePrompts",
                    f"{VA}callRemainingTimePrompts",
                    f"{VA}balanceNotEnoughAlarm",
                ],
            ),
        ],
    ),
    (
        "advanced",
        _("Advanced (SIP/H323)"),
        [
            (
                _("Billing and routing"),
                ["feerateGroup", "routingGatewayGroupsAllow", "routingGatewayGroups", "equipment"],
            ),
            (
                _("Number rewriting"),
                ["rewriteRulesOutCallee", "rewriteRulesInCallee", "rewriteRulesInCaller"],
            ),
            (
                _("Registration"),
                [f"{IA}registerType", f"{IA}protocol", f"{IA}ip", f"{IA}port", f"{IA}localIp"],
            ),
            (
                _("Media"),
                [f"{IA}rtpRelay", f"{IA}rtpInterruptDetection"],
            ),
            (
                _("Calls"),
                [
                    f"{IA}callDurationLimit",
                    f"{IA}callTransferBillingMethod",
                    f"{IA}useCallerPhoneDisplay",
                    f"{IA}noBillingToPhone",
                    f"{IA}displayCallerShortNumber",
                    f"{IA}useRoutingGatewayNotOnline",
                ],
            ),
            (
                _("Profit and routing policy"),
                [
                    f"{IA}minProfitPercentEnable",
                    f"{IA}minProfitPercent",
                    f"{IA}maxSecondRatesEnable",
                    f"{IA}maxSecondRates",
                    f"{IA}firstRoutingPolicy",
                    f"{IA}secondRoutingPolicy",
                ],
            ),
            (
                _("SIP"),
                [
                    f"{IA}sipAuthenticationMethod",
                    f"{IA}sipRemoteAlertingMethod",
                    f"{IA}sipTimerSupport",
                    f"{IA}sip100RelSupport",
                    f"{IA}sipT38Support",
                    f"{IA}sipPrivacySupport",
                    f"{IA}sipPrivacy",
                    f"{IA}sipPPreferredIdentity",
                    f"{IA}sipPAssertedIdentity",
                    f"{IA}dtmfReceiveMethod",
                    f"{IA}dtmfSIPSendMethod",
                    f"{IA}sipCodecAssign",
                    f"{IA}sipCodecs",
                ],
            ),
            (
                _("IVR"),
                [
                    f"{IA}ivrEquipmentType",
                    f"{IA}ivrServiceName",
                    f"{IA}ivrCallbackBillingMode",
                    f"{IA}ivrCallbackMergeBillingMode",
                    f"{IA}ivrDirectMergeBillingMode",
                    f"{IA}ivrSecondBillingMode",
                    f"{IA}ivrCallbackBillingSecordNotConnectedOnAccessE164",
                    f"{IA}ivrCallbackBillingSecordConnectedOnSecondAccount",
                    f"{IA}ivrAccessVerifyActivePhoneCard",
                    f"{IA}ivrAccessVerifyBindedE164",
                    f"{IA}ivrAccessVerifyCallerE164Phone",
                    f"{IA}ivrAccessVerifyAccessE164Phone",
                    f"{IA}ivrEnablePhoneSetting",
                ],
            ),
            (
                _("Number portability (LRN)"),
                [
                    f"{IA}lrnEnable",
                    f"{IA}lrnEatPrefixLength",
                    f"{IA}lrnFailureAction",
                    f"{IA}lrnInterstateBillingPrefix",
                    f"{IA}lrnUndeterminedBillingPrefix",
                ],
            ),
        ],
    ),
]


ALL_PATHS = [path for _k, _t, sections in PHONE_GROUPS for _s, paths in sections for path in paths]


GROUP_PATHS = {
    key: {path for _s, paths in sections for path in paths} for key, _t, sections in PHONE_GROUPS
}


# What a customer may change on its own phones (besides the phone password, on its own
# page): the web password, forwarding, do-not-disturb, voicemail and color ring.
# Everything else (display number, limits, prompts, routing...) is the provider's.
CUSTOMER_PATHS = frozenset(
    {
        "customerPassword",
        *_forward("unconditional"),
        *_forward("noAnswer"),
        *_forward("offline"),
        *_forward("busy"),
        f"{VA}periodForwarding",
        f"{VA}doNotDisturb",
        f"{VA}voiceMail",
        f"{VA}voiceMailCheckPassword",
        f"{VA}voiceMailAudioType",
        f"{VA}colorRing",
        f"{VA}colorRingName",
    }
)


# Settings that name limited-E164 groups (telephony.models.LimitedE164Group).
LIMIT_GROUP_PATHS = frozenset({"callerLimitE164Groups", "calleeLimitE164Groups"})


# Settings that are secrets: never shown, sent only when something is typed.
SECRET_PATHS = frozenset({"customerPassword"})


_FORWARD_LABELS = {
    "e164": _("Forward to (numbers, separated by commas)"),
    "forwardMethod": _("Order of the numbers"),
    "alertSecond": _("Ring each number for (seconds; enter -1 for the switch's default)"),
}


LABELS = {
    "displayNumber": _("Display number"),
    "lockType": _("Lock"),
    "callLevel": _("Call level"),
    "calleeBilling": _("Bill incoming calls (callee billing)"),
    "customerPassword": _("Web query password"),
    "memo": _("Memo"),
    "lineCapacity": _("Simultaneous calls in total"),
    "lineCallIn": _("Simultaneous incoming calls"),
    "lineCallOut": _("Simultaneous outgoing calls"),
    "monthlyMoneyMinimum": _("Monthly minimum consumption"),
    "monthlyMoneyMaximum": _("Monthly maximum consumption"),
    "monthlyRentFee": _("Monthly rent"),
    "phonebookLimit": _("Phone book entries at most"),
    "callerLimitE164GroupsAllow": _(
        "Only the caller groups below may call (unticked: they may not)"
    ),
    "callerLimitE164Groups": _("Caller limit groups (blank: all)"),
    "calleeLimitE164Allow": _(
        "Only the callee groups below may be called (unticked: they may not)"
    ),
    "calleeLimitE164Groups": _("Callee limit groups (blank: all)"),
    f"{VA}unconditionalForward": _("Forward every call"),
    f"{VA}noAnswerForward": _("Forward when not answered"),
    f"{VA}offlineForward": _("Forward when the phone is offline"),
    f"{VA}busyForward": _("Forward when busy"),
    f"{VA}periodForwarding": _("Forward by time of day (the periods below)"),
    f"{VA}doNotDisturb": _("Do not disturb"),
    f"{VA}voiceMail": _("Voicemail"),
    f"{VA}voiceMailCheckPassword": _("Ask for a password to listen to voicemail"),
    f"{VA}voiceMailAudioType": _("Voicemail greeting"),
    f"{VA}voiceMailMaxNumber": _(
        "Voicemail messages kept at most (enter -1 for the system setting)"
    ),
    f"{VA}voiceMailExpireDay": _("Voicemail kept for days (enter -1 for the system setting)"),
    f"{VA}colorRing": _("Color ring (ring-back tone)"),
    f"{VA}colorRingName": _("Color ring name"),
    f"{VA}remoteColorRingPassthrough": _("Pass the remote side's color ring through"),
    f"{VA}callerIdDisplay": _("Caller ID display"),
    f"{VA}callTransfer": _("Call transfer"),
    f"{VA}unableToConnectVoicePrompts": _("Prompt when a call cannot be connected"),
    f"{VA}callRemainingTimePrompts": _("Prompt the remaining call time"),
    f"{VA}balanceNotEnoughAlarm": _("Prompt when the balance runs low"),
    "feerateGroup": _("Fee rate group"),
    "routingGatewayGroupsAllow": _("Route only through the gateway groups below (unticked: never)"),
    "routingGatewayGroups": _("Routing gateway groups (blank: all)"),
    "equipment": _("Soft switch (blank: all)"),
    "rewriteRulesOutCallee": _("Rewrite the callee of outgoing calls"),
    "rewriteRulesInCallee": _("Rewrite the callee of incoming calls"),
    "rewriteRulesInCaller": _("Rewrite the caller of incoming calls"),
    f"{IA}registerType": _("Registration"),
    f"{IA}protocol": _("Protocol"),
    f"{IA}ip": _("IP address (static registration)"),
    f"{IA}port": _("Port (static registration)"),
    f"{IA}localIp": _("Local IP address (static registration)"),
    f"{IA}rtpRelay": _("Media proxy"),
    f"{IA}rtpInterruptDetection": _("RTP interruption detection"),
    f"{IA}callDurationLimit": _(
        "Longest call in seconds (enter -1 for the system setting, 0 for no limit)"
    ),
    f"{IA}callTransferBillingMethod": _("Who pays for transferred calls"),
    f"{IA}useCallerPhoneDisplay": _("Use the phone's display number"),
    f"{IA}noBillingToPhone": _("Do not bill calls to other phones"),
    f"{IA}displayCallerShortNumber": _("Show the caller's short number"),
    f"{IA}useRoutingGatewayNotOnline": _("Try the routing gateways when the phone is offline"),
    f"{IA}minProfitPercentEnable": _("Enforce a minimum profit"),
    f"{IA}minProfitPercent": _("Minimum profit (%)"),
    f"{IA}maxSecondRatesEnable": _("Enforce a maximum rate per second"),
    f"{IA}maxSecondRates": _("Maximum rate per second"),
    f"{IA}firstRoutingPolicy": _("First routing policy"),
    f"{IA}secondRoutingPolicy": _("Second routing policy"),
    f"{IA}sipAuthenticationMethod": _("SIP call authentication"),
    f"{IA}sipRemoteAlertingMethod": _("Remote ring-back"),
    f"{IA}sipTimerSupport": _("SIP session timer (RFC 4028)"),
    f"{IA}sip100RelSupport": _("SIP 100rel"),
    f"{IA}sipT38Support": _("T.38 fax"),
    f"{IA}sipPrivacySupport": _("SIP privacy"),
    f"{IA}sipPrivacy": _("Privacy header"),
    f"{IA}sipPPreferredIdentity": _("P-Preferred-Identity header"),
    f"{IA}sipPAssertedIdentity": _("P-Asserted-Identity header"),
    f"{IA}dtmfReceiveMethod": _("DTMF received as"),
    f"{IA}dtmfSIPSendMethod": _("DTMF sent as"),
    f"{IA}sipCodecAssign": _("Use only the codecs below (unticked: negotiate)"),
    f"{IA}sipCodecs": _("Codecs"),
    f"{IA}ivrEquipmentType": _("IVR equipment type"),
    f"{IA}ivrServiceName": _("IVR service name"),
    f"{IA}ivrCallbackBillingMode": _("Callback: who pays the first leg"),
    f"{IA}ivrCallbackMergeBillingMode": _("Callback: second leg billing"),
    f"{IA}ivrDirectMergeBillingMode": _("Direct: second leg billing"),
    f"{IA}ivrSecondBillingMode": _("Second leg billed to"),
    f"{IA}ivrCallbackBillingSecordNotConnectedOnAccessE164": _(
        "Bill the access number when the second leg does not connect"
    ),
    f"{IA}ivrCallbackBillingSecordConnectedOnSecondAccount": _(
        "Bill the second leg's account when it connects"
    ),
    f"{IA}ivrAccessVerifyActivePhoneCard": _("Verify callers against active phone cards"),
    f"{IA}ivrAccessVerifyBindedE164": _("Verify callers against bound numbers"),
    f"{IA}ivrAccessVerifyCallerE164Phone": _("Verify callers against phones"),
    f"{IA}ivrAccessVerifyAccessE164Phone": _("Verify the access number's account"),
    f"{IA}ivrEnablePhoneSetting": _("Callers may change phone settings by IVR"),
    f"{IA}lrnEnable": _("Query LRN"),
    f"{IA}lrnEatPrefixLength": _("Digits to drop before the query"),
    f"{IA}lrnFailureAction": _("When the query fails"),
    f"{IA}lrnInterstateBillingPrefix": _("Billing prefix for another area"),
    f"{IA}lrnUndeterminedBillingPrefix": _("Billing prefix for an unknown area"),
}


for _kind in ("unconditional", "noAnswer", "offline", "busy"):
    for _leaf, _label in _FORWARD_LABELS.items():
        LABELS[f"{VA}{_kind}ForwardE164{SEPARATOR}{_leaf}"] = _label


def _drop(payload: dict, path: str) -> None:
    *parents, leaf = path.split(SEPARATOR)
    chain = [payload]
    for parent in parents:
        node = chain[-1].get(parent)
        if not isinstance(node, dict):
            return
        chain.append(node)
    chain[-1].pop(leaf, None)
    # Remove the parents this left empty.
    for depth in range(len(parents), 0, -1):
        if chain[depth] == {}:
            chain[depth - 1].pop(parents[depth - 1], None)


class PhoneSettingsForm(CatalogForm):
    """Every ModifyPhone setting, for the groups ``visible_groups``; only the catalog
    paths in ``editable`` may change (others are disabled and never sent)."""

    endpoint = "ModifyPhone"
    catalog_fields = ALL_PATHS
    labels = LABELS
    omit_blank = False

    def __init__(
        self,
        *args,
        visible_groups=("basic", "limits", "value_added"),
        editable=frozenset(),
        account_choices=None,
        limit_groups=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # The limited-number groups the viewer may name (None: any, for the platform).
        self.limit_groups = None if limit_groups is None else set(limit_groups)
        visible = set().union(*(GROUP_PATHS[key] for key in visible_groups))
        for path in list(self.fields):
            if path not in visible:
                del self.fields[path]
        for path in SECRET_PATHS & set(self.fields):
            field = self.fields[path]
            field.widget = forms.PasswordInput(
                render_value=False, attrs={"autocomplete": "new-password"}
            )
            field.help_text = _("Leave blank to keep the current one.")
        for codecs in {f"{IA}sipCodecs"} & set(self.fields):
            self.fields[codecs].widget = forms.CheckboxSelectMultiple(
                choices=self.fields[codecs].choices
            )
        if account_choices is not None:
            # Admins may move the phone to another customer account on the same server.
            self.fields["account"] = forms.ChoiceField(
                label=_("Account (move the phone to another customer)"),
                choices=account_choices,
            )
        for path, field in self.fields.items():
            if path not in editable and path != "account":
                field.disabled = True
        self.editable = frozenset(path for path, field in self.fields.items() if not field.disabled)
        if self.limit_groups is not None:
            names = ", ".join(sorted(self.limit_groups)[:20]) or _("none yet")
            for path in LIMIT_GROUP_PATHS & self.editable:
                self.fields[path].help_text = _(
                    "Names of your limited-number groups, separated by commas: %(names)s"
                ) % {"names": names}

    def clean(self):
        data = super().clean()
        if self.limit_groups is None:
            return data
        for path in LIMIT_GROUP_PATHS & self.editable:
            if path not in self.changed_data or not data.get(path):
                continue
            names = [name.strip() for name in data[path].split(",") if name.strip()]
            unknown = [name for name in names if name not in self.limit_groups]
            if unknown:
                self.add_error(
                    path,
                    _("Not one of your limited-number groups: %(names)s")
                    % {"names": ", ".join(unknown)},
                )
            else:
                data[path] = ",".join(names)
        return data

    @classmethod
    def initial_from(cls, info: dict) -> dict:
        initial = super().initial_from(info)
        for path in SECRET_PATHS:
            initial.pop(path, None)
        initial["account"] = info.get("account")
        return initial

    def sections(self):
        """The visible groups, as the template lays them out."""
        for key, title, sections in PHONE_GROUPS:
            shown = [
                {
                    "title": section_title,
                    "fields": [self[path] for path in paths if path in self.fields],
                    # The row editor of forwarding periods goes in this section.
                    "periods": f"{VA}periodForwarding" in paths,
                }
                for section_title, paths in sections
            ]
            shown = [section for section in shown if section["fields"]]
            if shown:
                changeable = any(path in self.editable for path in GROUP_PATHS[key])
                yield {"key": key, "title": title, "sections": shown, "changeable": changeable}

    def to_payload(self) -> dict:
        payload = super().to_payload()
        for path, field in self.fields.items():
            if field.disabled:
                _drop(payload, path)
        for path in SECRET_PATHS:
            if path in self.fields and not self.cleaned_data.get(path):
                _drop(payload, path)
        if "account" in self.fields and not self.fields["account"].disabled:
            payload["account"] = self.cleaned_data["account"]
        return payload


# --- Forwarding by time of day -----------------------------------------------------------
WEEKDAYS = [
    ("1", _("Mon")),
    ("2", _("Tue")),
    ("3", _("Wed")),
    ("4", _("Thu")),
    ("5", _("Fri")),
    ("6", _("Sat")),
    ("0", _("Sun")),
]


TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$|^24:00$")


def _seconds(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def _clock(seconds) -> str:
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        return ""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


class PeriodForwardingForm(forms.Form):
    """One InfoPhoneValueAddedPeriodForwarding: days, a time window, where to."""

    days = forms.MultipleChoiceField(
        label=_("Days (none ticked: every day)"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    begin = forms.CharField(label=_("From (HH:MM)"), max_length=5, initial="00:00", required=False)
    end = forms.CharField(label=_("Until (HH:MM)"), max_length=5, initial="24:00", required=False)
    e164 = forms.CharField(
        label=_("Forward to (numbers, separated by commas)"), max_length=255, required=False
    )
    forward_method = forms.TypedChoiceField(
        label=_("Order of the numbers"),
        choices=enum_labels.choices("InfoPhoneValueAddedForwardE164", "forwardMethod"),
        coerce=int,
        initial=0,
        required=False,
        empty_value=0,
    )
    alert_second = forms.IntegerField(
        label=_("Ring each number for (seconds; enter -1 for the switch's default)"),
        initial=-1,
        min_value=-1,
        max_value=3600,
        required=False,
    )

    def has_changed(self) -> bool:
        """A blank row is one without numbers, whatever its times say (they come
        prefilled)."""
        return bool(str(self["e164"].value() or "").strip()) or (
            super().has_changed() and (self.empty_permitted is False)
        )

    def clean(self):
        data = super().clean()
        if self.cleaned_data.get("DELETE"):
            return data
        for name in ("begin", "end"):
            value = (data.get(name) or "").strip()
            if not TIME_PATTERN.match(value):
                self.add_error(name, _("Enter a time as HH:MM, from 00:00 to 24:00."))
        if not (data.get("e164") or "").strip():
            self.add_error("e164", _("Enter the numbers to forward to, or tick Delete."))
        if not self.errors and _seconds(data["begin"]) >= _seconds(data["end"]):
            self.add_error("end", _("The period must end after it begins."))
        return data

    def to_wire(self) -> dict:
        data = self.cleaned_data
        days = [day for day, _label in WEEKDAYS if day in (data.get("days") or [])]
        return {
            "weekOfDay": "" if len(days) in (0, 7) else ",".join(sorted(days)),
            "beginSecondInDay": _seconds(data["begin"].strip()),
            "endSecondInDay": _seconds(data["end"].strip()),
            "forwardE164": {
                "forwardMethod": data.get("forward_method") or 0,
                "alertSecond": -1 if data.get("alert_second") is None else data["alert_second"],
                "e164": ",".join(p.strip() for p in data["e164"].split(",") if p.strip()),
            },
        }

    @staticmethod
    def initial_from(row: dict) -> dict:
        forward = row.get("forwardE164") or {}
        week = str(row.get("weekOfDay") or "")
        return {
            "days": [d for d in week.split(",") if d.strip() in dict(WEEKDAYS)],
            "begin": _clock(row.get("beginSecondInDay", 0)),
            "end": _clock(row.get("endSecondInDay", 86400)),
            "e164": forward.get("e164", ""),
            "forward_method": forward.get("forwardMethod", 0),
            "alert_second": forward.get("alertSecond", -1),
        }


class BasePeriodFormSet(forms.BaseFormSet):
    def __init__(self, *args, editable=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.editable = editable
        if not editable:
            for form in self.forms:
                for field in form.fields.values():
                    field.disabled = True

    def to_wire(self) -> list[dict]:
        """The periods to keep, as VOS wants them (untouched blank rows left out)."""
        rows = []
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            if form in self.extra_forms and not form.has_changed():
                continue
            rows.append(form.to_wire())
        return rows


PeriodForwardingFormSet = forms.formset_factory(
    PeriodForwardingForm, formset=BasePeriodFormSet, extra=2, can_delete=True, max_num=20
)


def period_initial(info: dict) -> list[dict]:
    rows = (info.get("infoPhoneValueAdded") or {}).get("infoPhoneValueAddedPeriodForwardings")
    return [PeriodForwardingForm.initial_from(row) for row in rows or [] if isinstance(row, dict)]


# --- Create, password --------------------------------------------------------------------
class PhoneCreateForm(CatalogForm):
    endpoint = "CreatePhone"
    catalog_fields = ["e164", "password", "displayNumber", "callLevel", "lockType", "memo"]
    labels = {
        "e164": _("Phone number (E164)"),
        "password": _("Password"),
        "displayNumber": _("Display number"),
        "callLevel": _("Call level"),
        "lockType": _("Lock"),
        "memo": _("Memo"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["e164"].validators.append(e164_validator)
        password = self.fields["password"]
        password.widget = forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password"}
        )
        password.validators.append(MinLengthValidator(8))
        password.help_text = _(
            "Leave blank to have a strong password made for you; it is shown once, after "
            "the phone is created."
        )

    def clean_e164(self):
        value = self.cleaned_data["e164"]
        if value.lower() == "new":
            raise forms.ValidationError(_("This number is reserved; choose another."))
        return value


class PhonePasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        required=False,
        min_length=8,
        max_length=32,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave blank to have a strong password made for you; it is shown once."),
    )
