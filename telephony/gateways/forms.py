"""Forms for creating and editing mapping and routing gateways, generated from the
catalog: every request field of Create/ModifyGateway{Mapping,Routing} (manual 2.10,
2.11, 2.15, 2.16), grouped into sections by ``FIELD_SECTIONS``.

A field the catalog gains without a row in ``FIELD_SECTIONS`` makes the form fail to
build (and ``test_gateway_forms`` fail), so no field can silently drop off the page.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from switch.forms import SEPARATOR, CatalogForm, catalog_field
from telephony.gateways.selectors import KINDS, GatewayKind
from vos3000 import catalog
from vos3000.catalog.model import BOOLEAN_TYPES

# (key, label), in the order the page shows them.
SECTIONS: list[tuple[str, str]] = [
    ("basic", _("Basic")),
    ("capacity", _("Capacity and limits")),
    ("numbers", _("Number checks and rewrite rules")),
    ("media", _("Media and DTMF")),
    ("sip", _("SIP")),
    ("h323", _("H323")),
    ("codecs", _("Codecs")),
    ("lrn", _("LRN")),
]


# Every request field of the gateway Create/Modify endpoints -> its section.
FIELD_SECTIONS: dict[str, str] = {
    # Basic: who it is, where it is, how it registers, whom it bills.
    "name": "basic",
    "memo": "basic",
    "lockType": "basic",
    "priority": "basic",
    "registerType": "basic",
    "protocol": "basic",
    "remoteIps": "basic",
    "remoteIp": "basic",
    "localIp": "basic",
    "signalPort": "basic",
    "encrypt": "basic",
    "password": "basic",
    "customerPassword": "basic",
    "softswitchName": "basic",
    "prefix": "basic",
    "prefixStyle": "basic",
    "gatewayGroups": "basic",
    "routingGatewayGroupsAllow": "basic",
    "routingGatewayGroups": "basic",
    "account": "basic",
    "clearingAccount": "basic",
    "clearingAccountUseCalloutE164": "basic",
    "allowPhoneBilling": "basic",
    "allowBindedE164Billing": "basic",
    "enablePhoneSetting": "basic",
    "enablePhoneDisplay": "basic",
    # Capacity and limits: lines, call levels and lengths, rates, gateway switching.
    "capacity": "capacity",
    "callLevel": "capacity",
    "maxCallDurationLower": "capacity",
    "maxCallDurationUpper": "capacity",
    "calleeE164Restrict": "capacity",
    "feerateRestrict": "capacity",
    "leastCostRouting": "capacity",
    "minProfitPercentEnable": "capacity",
    "minProfitPercent": "capacity",
    "maxSecondRatesEnable": "capacity",
    "maxSecondRates": "capacity",
    "firstRoutePolicy": "capacity",
    "secondRoutePolicy": "capacity",
    "stopSwitchAfterOlc": "capacity",
    "stopSwitchAfterSdp": "capacity",
    "stopSwitchAfterRtpStart": "capacity",
    "stopSwitchAfterUserBusy": "capacity",
    "switchUntilConnect": "capacity",
    # Number checks and rewrite rules.
    "callerE164CheckEnable": "numbers",
    "callerE164CheckCity": "numbers",
    "callerE164CheckMobile": "numbers",
    "callerE164CheckOther": "numbers",
    "calleeE164CheckEnable": "numbers",
    "calleeE164CheckCity": "numbers",
    "calleeE164CheckMobile": "numbers",
    "calleeE164CheckOther": "numbers",
    "callerAllowLength": "numbers",
    "calleeAllowLength": "numbers",
    "callerLimitE164GroupsAllow": "numbers",
    "callerLimitE164Groups": "numbers",
    "calleeLimitE164GroupsAllow": "numbers",
    "calleeLimitE164Groups": "numbers",
    "denySameCityCodesAllow": "numbers",
    "denySameCityCodes": "numbers",
    "denyCallerCalleeAllow": "numbers",
    "denyCallerCallee": "numbers",
    "checkMobileAreaAllow": "numbers",
    "checkMobileArea": "numbers",
    "calloutCalleePrefixesAllow": "numbers",
    "calloutCalleePrefixes": "numbers",
    "calloutCallerPrefixesAllow": "numbers",
    "calloutCallerPrefixes": "numbers",
    "callinCallerPrefixesAllow": "numbers",
    "callinCallerPrefixes": "numbers",
    "callinCalleePrefixesAllow": "numbers",
    "callinCalleePrefixes": "numbers",
    "callinForwardPrefixesAllow": "numbers",
    "callinForwardPrefixes": "numbers",
    "rewriteRulesOutCallee": "numbers",
    "rewriteRulesOutCaller": "numbers",
    "rewriteRulesInCaller": "numbers",
    "rewriteRulesInCallee": "numbers",
    "rewriteRulesInMobileAreaAllow": "numbers",
    "rewriteRulesInMobileArea": "numbers",
    "groupE164Change": "numbers",
    "forwardSignalRewriteE164GroupEnable": "numbers",
    "forwardSignalRewriteE164Group": "numbers",
    # Media and DTMF.
    "rtpForwardType": "media",
    "mediaCheckDirection": "media",
    "dtmfSendMethodH323": "media",
    "dtmfSendMethodSIP": "media",
    "dtmfReceiveMethod": "media",
    "dtmfSendPayloadTypeH323": "media",
    "dtmfSendPayloadTypeSIP": "media",
    "dtmfReceivePayloadType": "media",
    # SIP signalling and its timeouts.
    "sipAuthenticationMethod": "sip",
    "sipResponseAddressMethod": "sip",
    "sipRequestAddressMethod": "sip",
    "sipRemoteRingSignal": "sip",
    "sipCalleeE164Domain": "sip",
    "sipCallerE164Domain": "sip",
    "callTimeoutSIPCode": "sip",
    "sipTimer": "sip",
    "sip100Rel": "sip",
    "sipT38": "sip",
    "sipDisplay": "sip",
    "sipRemotePartyId": "sip",
    "sipPrivacySupport": "sip",
    "sipPrivacy": "sip",
    "sipPPreferredIdentity": "sip",
    "sipPAssertedIdentity": "sip",
    "timeoutInvite": "sip",
    "timeoutTrying": "sip",
    "timeoutSessionProgressSdp": "sip",
    "timeoutSessionProgress": "sip",
    "timeoutRinging": "sip",
    # H323 signalling, Q.931 and its timeouts.
    "h323CalleeE164Domain": "h323",
    "h323CallerE164Domain": "h323",
    "callTimeoutQ931CauseValue": "h323",
    "q931ProgressIndicator": "h323",
    "q931NumberingPlan": "h323",
    "q931NumberType": "h323",
    "q931PresentationIndicator": "h323",
    "q931ScreeningIndicator": "h323",
    "h323FastStart": "h323",
    "h323H245Tunneling": "h323",
    "h323H245InSetup": "h323",
    "h323AutoCallProceeding": "h323",
    "h323CallProceedingFromSIPTrying": "h323",
    "h323AlertingFromSIP183Sdp": "h323",
    "h323T38": "h323",
    "timeoutSetup": "h323",
    "timeoutCallProceeding": "h323",
    "timeoutCallProceedingOlc": "h323",
    "timeoutAlerting": "h323",
    # Codecs.
    "h323G729SendMode": "codecs",
    "sipG729SendMode": "codecs",
    "sipG729Annexb": "codecs",
    "sipG723Annexa": "codecs",
    "h323CodecAssign": "codecs",
    "h323Codecs": "codecs",
    "sipCodecAssign": "codecs",
    "sipCodecs": "codecs",
    # LRN (mapping gateways only).
    "lrnEnable": "lrn",
    "lrnEatPrefixLength": "lrn",
    "lrnFailureAction": "lrn",
    "lrnInterstateBillingPrefix": "lrn",
    "lrnUndeterminedBillingPrefix": "lrn",
}


# Written, never shown: blank on an edit keeps what VOS has.
SECRET_FIELDS = frozenset({"password", "customerPassword"})


# Every request field of the gateway Create/Modify endpoints -> its label, in the portal's
# words (the manual's descriptions are English, and sometimes only the field's name).
FIELD_LABELS: dict[str, str] = {
    "name": _("Gateway name"),
    "password": _("Registration password"),
    "lockType": _("Lock"),
    "callLevel": _("Call level"),
    "capacity": _("Line limit"),
    "priority": _("Priority"),
    "gatewayGroups": _("Gateway groups (separate with commas)"),
    "routingGatewayGroupsAllow": _("Allow the routing gateway groups"),
    "routingGatewayGroups": _("Routing gateway groups"),
    "registerType": _("Registration type"),
    "remoteIps": _("IP addresses (separate with commas)"),
    "callerE164CheckEnable": _("Check the caller"),
    "callerE164CheckCity": _("Check the caller's city numbers"),
    "callerE164CheckMobile": _("Check the caller's mobile numbers"),
    "callerE164CheckOther": _("Check the caller's other numbers"),
    "calleeE164CheckEnable": _("Check the callee"),
    "calleeE164CheckCity": _("Check the callee's city numbers"),
    "calleeE164CheckMobile": _("Check the callee's mobile numbers"),
    "calleeE164CheckOther": _("Check the callee's other numbers"),
    "customerPassword": _("Web query password"),
    "rtpForwardType": _("Media proxy"),
    "mediaCheckDirection": _("RTP interruption detection"),
    "calleeE164Restrict": _("Callee limit"),
    "maxCallDurationLower": _("Maximum call duration, lower bound"),
    "maxCallDurationUpper": _("Maximum call duration, upper bound"),
    "allowPhoneBilling": _("Bill the phone's account when the caller is a phone number"),
    "allowBindedE164Billing": _(
        "Bill the bound number's account when the caller is a bound number"
    ),
    "enablePhoneSetting": _("Use the phone's settings when the caller is a phone number"),
    "denySameCityCodesAllow": _("Refuse calls within the same city codes"),
    "denySameCityCodes": _("Same-city codes refused (separate with commas)"),
    "checkMobileAreaAllow": _("Check mobile areas"),
    "checkMobileArea": _("Mobile areas (separate with commas)"),
    "calloutCalleePrefixesAllow": _("Restrict callee prefixes on outgoing calls"),
    "calloutCalleePrefixes": _("Callee prefixes on outgoing calls"),
    "calloutCallerPrefixesAllow": _("Restrict caller prefixes on outgoing calls"),
    "calloutCallerPrefixes": _("Caller prefixes on outgoing calls"),
    "rewriteRulesOutCallee": _("Callee rewrite rules"),
    "rewriteRulesOutCaller": _("Caller rewrite rules"),
    "rewriteRulesInMobileAreaAllow": _("Rewrite by mobile area"),
    "rewriteRulesInMobileArea": _("Mobile area rewrite rules (separate with commas)"),
    "timeoutCallProceeding": _("Call proceeding timeout (seconds)"),
    "sipResponseAddressMethod": _("SIP response address"),
    "sipRequestAddressMethod": _("SIP request address"),
    "dtmfSendMethodH323": _("DTMF sending method (H.323)"),
    "dtmfSendMethodSIP": _("DTMF sending method (SIP)"),
    "dtmfReceiveMethod": _("DTMF receiving method"),
    "dtmfSendPayloadTypeH323": _("DTMF payload type sent (H.323)"),
    "dtmfSendPayloadTypeSIP": _("DTMF payload type sent (SIP)"),
    "dtmfReceivePayloadType": _("DTMF payload type received"),
    "q931ProgressIndicator": _("Q.931 progress indicator"),
    "account": _("Billing account"),
    "callTimeoutQ931CauseValue": _("H.323 cause on timeout"),
    "callTimeoutSIPCode": _("SIP code on timeout"),
    "sipRemoteRingSignal": _("SIP remote ringing signal"),
    "sipCalleeE164Domain": _("SIP callee number field"),
    "sipCallerE164Domain": _("SIP caller number field"),
    "h323CalleeE164Domain": _("H.323 callee number field"),
    "h323CallerE164Domain": _("H.323 caller number field"),
    "memo": _("Memo"),
    "sipAuthenticationMethod": _("SIP call authentication"),
    "h323FastStart": _("H.323 fast start"),
    "h323H245Tunneling": _("H.323 H.245 tunneling"),
    "h323H245InSetup": _("H.323 H.245 in Setup"),
    "h323AutoCallProceeding": _("H.323: answer a call request with Call Proceeding at once"),
    "h323CallProceedingFromSIPTrying": _(
        "H.323 caller, SIP callee: turn Trying into Call Proceeding"
    ),
    "h323AlertingFromSIP183Sdp": _("H.323 caller, SIP callee: turn 183 with SDP into Alerting"),
    "h323T38": _("H.323 T.38 fax"),
    "sipTimer": _("SIP session timer (RFC 4028)"),
    "sip100Rel": _("SIP 100rel"),
    "sipT38": _("SIP T.38 fax"),
    "sipDisplay": _("Send the Display field"),
    "sipRemotePartyId": _("Send Remote-Party-ID"),
    "sipPrivacySupport": _("Support privacy"),
    "groupE164Change": _("Number changes by group"),
    "callerAllowLength": _("Caller lengths allowed (bit mask)"),
    "calleeAllowLength": _("Callee lengths allowed (bit mask)"),
    "callerLimitE164GroupsAllow": _("Allow the caller number groups"),
    "callerLimitE164Groups": _("Caller number groups (separate with commas)"),
    "calleeLimitE164GroupsAllow": _("Allow the callee number groups"),
    "calleeLimitE164Groups": _("Callee number groups (separate with commas)"),
    "minProfitPercentEnable": _("Require a minimum profit"),
    "minProfitPercent": _("Minimum profit in percent (10 means 10%; -10000 to 10000)"),
    "maxSecondRatesEnable": _("Cap the rate per second"),
    "maxSecondRates": _("Highest rate per second (a rate of 0.6 per minute is 0.01)"),
    "firstRoutePolicy": _("First routing strategy"),
    "secondRoutePolicy": _("Second routing strategy"),
    "h323G729SendMode": _("H.323 G.729 negotiation"),
    "sipG729SendMode": _("SIP G.729 negotiation"),
    "sipG729Annexb": _("G.729 Annex B"),
    "sipG723Annexa": _("G.723 Annex A"),
    "h323CodecAssign": _("Choose the H.323 codecs"),
    "h323Codecs": _("H.323 codecs"),
    "sipCodecAssign": _("Choose the SIP codecs"),
    "sipCodecs": _("SIP codecs"),
    "forwardSignalRewriteE164GroupEnable": _("Rewrite forwarded signalling"),
    "forwardSignalRewriteE164Group": _("Number group for rewriting forwarded signalling"),
    "lrnEnable": _("Query LRN"),
    "lrnEatPrefixLength": _("Prefix length to drop"),
    "lrnFailureAction": _("When the LRN query fails"),
    "lrnInterstateBillingPrefix": _("Billing prefix for another area"),
    "lrnUndeterminedBillingPrefix": _("Billing prefix for an unknown area"),
    "prefix": _("Gateway prefix"),
    "prefixStyle": _("Prefix mode"),
    "remoteIp": _("IP address"),
    "encrypt": _("Encryption"),
    "protocol": _("Protocol"),
    "signalPort": _("Signalling port (H.323: 1720, SIP: 5060 by default)"),
    "localIp": _("Local IP address"),
    "callinCallerPrefixesAllow": _("Restrict caller prefixes on incoming calls"),
    "callinCallerPrefixes": _("Caller prefixes on incoming calls"),
    "callinCalleePrefixesAllow": _("Restrict callee prefixes on incoming calls"),
    "callinCalleePrefixes": _("Callee prefixes on incoming calls"),
    "callinForwardPrefixesAllow": _("Forward prefixes on incoming calls"),
    "callinForwardPrefixes": _("Forwarding prefixes on incoming calls"),
    "rewriteRulesInCaller": _("Caller rewrite rules (incoming)"),
    "rewriteRulesInCallee": _("Callee rewrite rules (incoming)"),
    "timeoutSetup": _("H.323 Setup timeout (seconds)"),
    "timeoutCallProceedingOlc": _(
        "H.323 Call Proceeding with open logical channel timeout (seconds)"
    ),
    "timeoutAlerting": _("H.323 Alerting timeout (seconds)"),
    "timeoutInvite": _("SIP INVITE timeout (seconds)"),
    "timeoutTrying": _("SIP Trying timeout (seconds)"),
    "timeoutSessionProgressSdp": _("SIP Session Progress with SDP timeout (seconds)"),
    "timeoutSessionProgress": _("SIP Session Progress timeout (seconds)"),
    "timeoutRinging": _("SIP ringing timeout (seconds)"),
    "denyCallerCalleeAllow": _("Refuse caller and callee pairs"),
    "denyCallerCallee": _(
        "Caller and callee pairs refused (caller:callee, separated by commas; e.g. 025:010,021:023)"
    ),
    "stopSwitchAfterOlc": _("Stop switching gateways once a logical channel is open"),
    "stopSwitchAfterSdp": _("Stop switching gateways once SDP is received"),
    "stopSwitchAfterRtpStart": _("Stop switching gateways once RTP is received"),
    "stopSwitchAfterUserBusy": _("Stop switching gateways on user busy"),
    "switchUntilConnect": _("Switch gateways until the call connects"),
    "q931NumberingPlan": _("Q.931 numbering plan"),
    "q931NumberType": _("Q.931 number type"),
    "q931PresentationIndicator": _("Q.931 presentation indicator"),
    "q931ScreeningIndicator": _("Q.931 screening indicator"),
    "clearingAccount": _("Clearing account"),
    "sipPrivacy": _("SIP Privacy"),
    "sipPPreferredIdentity": _("SIP P-Preferred-Identity"),
    "sipPAssertedIdentity": _("SIP P-Asserted-Identity"),
    "feerateRestrict": _("Check the callee's rate"),
    "leastCostRouting": _("Least-cost routing (needs the rate check)"),
    "enablePhoneDisplay": _("Use the phone's display number as the caller"),
    "clearingAccountUseCalloutE164": _("Clearing account: the callee after rewriting"),
    "softswitchName": _("Softswitch name"),
}


# The manual's meanings of special values ("-1: Use System Parameter") in the portal's words.
SPECIAL_WORDS: dict[str, str] = {
    "Use System Parameter": _("Use the system setting"),
    "Allow All Length": _("Any length"),
    "No Replace": _("Not replaced"),
    "No limit": _("No limit"),
    "Allow Length is x (x < 32)": _("length x allowed (x < 32)"),
    "Refer to RFC": _("As the RFC says"),
    "All": _("All"),
    "Auto": _("Auto"),
}


def section_of(path: str) -> str:
    """The section of a catalog field path (a nested one by its top-level field)."""
    return FIELD_SECTIONS[path.split(SEPARATOR)[0]]


def request_fields(endpoint: str) -> list[str]:
    return [f.name for f in catalog.endpoint(endpoint).request]


def _humanized(name: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).split()
    return " ".join([words[0].capitalize(), *(w if w.isupper() else w.lower() for w in words[1:])])


def _label(endpoint: str, path: str) -> str:
    """The portal's words; for a field they miss, the manual's description (for a switch,
    its "true" meaning), else the name in words."""
    if path in FIELD_LABELS:
        return FIELD_LABELS[path]
    spec = catalog_field(endpoint, path)
    if spec.type in BOOLEAN_TYPES and spec.enum and spec.enum.get("true"):
        text = spec.enum["true"]
        if spec.description:
            text = f"{spec.description}: {text}"
        return text
    return spec.description or _humanized(spec.name)


def _help(endpoint: str, path: str) -> str:
    """The special values the manual gives (-1: system parameter...) and the field's name."""
    spec = catalog_field(endpoint, path)
    parts = [
        f"{value}: {SPECIAL_WORDS.get(meaning, meaning)}"
        for value, meaning in (spec.special or {}).items()
    ]
    if spec.item_type is not None:
        parts.append(str(_("Separate several values with commas.")))
    parts.append(_("VOS field: %(name)s") % {"name": spec.name})
    return " · ".join(parts)


class GatewayForm(CatalogForm):
    """Every field of the kind's Create or Modify request, in sections. The billing
    (mapping) or clearing (routing) account is a choice among the scope's accounts on
    the server, plus the one VOS holds already."""

    kind: GatewayKind
    is_edit = False

    def __init__(self, *args, accounts: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for path, field in self.fields.items():
            field.label = _label(self.endpoint, path)
            field.help_text = _help(self.endpoint, path)
            if path != "name":
                # The manual marks a few Modify fields mandatory (forwardSignal...): they are
                # sent anyway, blank or not, as the edit always sends every field.
                field.required = False
            if path in SECRET_FIELDS:
                field.widget = forms.PasswordInput(render_value=False)
                if self.is_edit:
                    field.help_text = _("Leave blank to keep the current one.")
        self._account_field(list(accounts))
        if self.is_edit:
            self.fields["name"].disabled = True

    def _account_field(self, accounts: list[tuple[str, str]]) -> None:
        path = self.kind.account_field
        old = self.fields[path]
        current = self.initial.get(path) or ""
        known = {value for value, _label in accounts}
        choices = [("", _("— none —")), *accounts]
        if current and current not in known:
            choices.append(
                (current, _("%(account)s (held by VOS, not in the portal)") % {"account": current})
            )
        self.fields[path] = forms.ChoiceField(
            choices=choices,
            required=False,
            label=old.label,
            help_text=_("An account of the tree on this server."),
        )

    def to_payload(self) -> dict:
        payload = super().to_payload()
        if self.is_edit:
            for path in SECRET_FIELDS:
                if not payload.get(path):
                    payload.pop(path, None)
        return payload

    def sections(self) -> list[dict]:
        """The form's fields by section (empty sections left out), each with whether it
        holds an error, for the page's table of contents."""
        grouped: dict[str, list] = {key: [] for key, _label in SECTIONS}
        for path in self.fields:
            grouped[section_of(path)].append(self[path])
        return [
            {
                "key": key,
                "label": label,
                "fields": grouped[key],
                "has_errors": any(bound.errors for bound in grouped[key]),
            }
            for key, label in SECTIONS
            if grouped[key]
        ]

    @classmethod
    def initial_from(cls, info: dict) -> dict:
        """The Get answer as initial values, but no secret, and nothing of another type
        than the request's: the manual's Info types call sipPPreferredIdentity and
        sipPAssertedIdentity booleans where Create/Modify take 0/1/2. Such a field is
        shown blank, and a blank choice is not sent, so VOS keeps what it has."""
        initial = super().initial_from(info)
        for path in SECRET_FIELDS:
            initial.pop(path, None)
        for path, value in list(initial.items()):
            is_bool = catalog_field(cls.endpoint, path).type in BOOLEAN_TYPES
            if isinstance(value, bool) != is_bool:
                del initial[path]
        return initial


def _form_class(kind: GatewayKind, endpoint: str, *, edit: bool) -> type[GatewayForm]:
    fields = request_fields(endpoint)
    for path in fields:
        section_of(path)  # KeyError: a catalog field without a section
    return type(
        f"{kind.key.capitalize()}Gateway{'Edit' if edit else 'Create'}Form",
        (GatewayForm,),
        {
            "kind": kind,
            "endpoint": endpoint,
            "catalog_fields": fields,
            "is_edit": edit,
            # Create leaves out what is not given (VOS's defaults); an edit sends every
            # field, so clearing one is sent as "".
            "omit_blank": not edit,
        },
    )


def form_class(kind: GatewayKind, *, edit: bool) -> type[GatewayForm]:
    return _FORMS[(kind.key, edit)]


def _build_forms() -> dict:
    return {
        (kind.key, edit): _form_class(kind, kind.modify if edit else kind.create, edit=edit)
        for kind in KINDS.values()
        for edit in (False, True)
    }


_FORMS = _build_forms()


class GatewaySearchForm(forms.Form):
    """The gateway list's search box: a NUL character or an overlong value is a form
    error (the list then shows every gateway), never a failure."""

    q = forms.CharField(required=False, max_length=64)
    state = forms.ChoiceField(
        required=False, choices=[("", ""), ("online", "online"), ("offline", "offline")]
    )

    def search(self) -> tuple[str, str]:
        if self.is_valid():
            return self.cleaned_data["q"], self.cleaned_data["state"]
        return "", ""
