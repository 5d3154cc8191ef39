"""Manual corrections the extractor applies: everything it cannot infer from the text itself.

Each table is explicit and commented. The extractor fails if an entry is never used, so the
table cannot silently go stale when the manual text changes.

What the extractor DOES infer on its own (no entry needed here):
- type names broken across lines (``InfoPhoneValueAddedPerio`` + ``dForwarding[]``): a type
  token that is not a known type is completed from the next line until it is one;
- a ``[]`` that landed on the next line;
- page footers, page numbers and the Scribd preamble.
"""

from __future__ import annotations

# Field names the PDF text broke across two lines: the first line holds the truncated name,
# the next line starts with the rest. The PDF gives no sign of where a name ends (the rest is
# followed by description text that may itself start with a capitalised word: "Card Active
# Phone Card"), so the full names are listed. A truncated name may stand for several full
# names; the one whose rest equals the first token of the next line wins.
# Cross-checked against the Chinese edition of the manual and public VOS3000 client code.
BROKEN_NAMES: dict[str, tuple[str, ...]] = {
    "routingGatewayGroupsAllo": ("routingGatewayGroupsAllow",),
    "callerLimitE164GroupsAllo": ("callerLimitE164GroupsAllow",),
    "calleeLimitE164GroupsAllo": ("calleeLimitE164GroupsAllow",),
    "infoPhoneValueAddedPerio": ("infoPhoneValueAddedPeriodForwardings",),
    "remoteColorRingPassthrou": ("remoteColorRingPassthrough",),
    "unableToConnectVoicePro": ("unableToConnectVoicePrompts",),
    "useRoutingGatewayNotOnli": ("useRoutingGatewayNotOnline",),
    "ivrCallbackMergeBillingMod": ("ivrCallbackMergeBillingMode",),
    "ivrCallbackBillingSecordNot": ("ivrCallbackBillingSecordNotConnectedOnAccessE164",),
    "ivrCallbackBillingSecordCo": ("ivrCallbackBillingSecordConnectedOnSecondAccount",),
    "ivrAccessVerifyActivePhone": ("ivrAccessVerifyActivePhoneCard",),
    "ivrAccessVerifyCallerE164P": ("ivrAccessVerifyCallerE164Phone",),
    "ivrAccessVerifyAccessE164": ("ivrAccessVerifyAccessE164Phone",),
    "lrnUndeterminedBillingPrefi": ("lrnUndeterminedBillingPrefix",),
    "rewriteRulesInMobileAreaAl": ("rewriteRulesInMobileAreaAllow",),
    "sipResponseAddressMetho": ("sipResponseAddressMethod",),
    "dtmfSendPayloadTypeH32": ("dtmfSendPayloadTypeH323",),
    "callTimeoutQ931CauseValu": ("callTimeoutQ931CauseValue",),
    "h323CallProceedingFromSI": ("h323CallProceedingFromSIPTrying",),
    "h323AlertingFromSIP183Sd": ("h323AlertingFromSIP183Sdp",),
    "timeoutSessionProgressSd": ("timeoutSessionProgressSdp",),
    # Two different fields share this truncated prefix (Boolean ...GroupEnable, String ...Group).
    "forwardSignalRewriteE164": (
        "forwardSignalRewriteE164GroupEnable",
        "forwardSignalRewriteE164Group",
    ),
    # The rest "E164" reads like the start of the description ("Use Callee after E164 rewrite"),
    # but the false-branch text is "Use Callee before rewrite", and VOS3000 databases and clients
    # call the column clearingAccountUseCalloutE164.
    "clearingAccountUseCallout": ("clearingAccountUseCalloutE164",),
    "infoGatewayMappingOnline": ("infoGatewayMappingOnlines",),
    "mappingGatewayCallerE16": ("mappingGatewayCallerE164",),
    "infoReportCustomerLocatio": ("infoReportCustomerLocationFees",),
    "timeRemainRoutingGatewa": ("timeRemainRoutingGateway",),
}

# Whole lines replaced before parsing: (line as printed, replacement, note for the field).
LINE_FIXES: dict[str, tuple[str, str]] = {
    # CreateAlarm prints no M/O for level; nothing says it is required, so it is optional.
    "level Integer Level": (
        "level O Integer Level",
        "The manual leaves M/O blank for this field; taken as optional.",
    ),
    # GetGatewayMapping / GetGatewayRouting print `names` as M but describe blank/null as
    # "All", and real clients send {} to mean all gateways; real servers accept it.
    "names M String [] Gateway Name": (
        "names O String [] Gateway Name",
        "Printed as M, but blank or null means all gateways and real servers accept {}.",
    ),
}

# Type headers misspelt in the manual: printed name -> the name every reference uses.
# (Type names never travel on the wire, so the referenced spelling is the useful one.)
TYPE_HEADER_FIXES: dict[str, str] = {
    "InfoIvrAduio": "InfoIvrAudio",  # "InfoIvrAduio Format"; the response field says InfoIvrAudio
}

# Description text broken inside a word by the PDF (only where the break splits an identifier).
TEXT_FIXES: dict[str, str] = {
    "ProgressNotEndToEndISD N": "ProgressNotEndToEndISDN",
    "ProgressDestinationNonIS DN": "ProgressDestinationNonISDN",
}

# Notes on wire names the manual spells or types oddly. The wire spelling is kept as printed
# (we cannot know the server accepts anything else); the note says what is odd.
# Key: "<table>.<name>", table being "<Endpoint or Push>.request" / ".response" or a type name;
# "*" as the table matches the name in every table.
FIELD_NOTES: dict[str, str] = {
    "GetAvailableTime.response.InfoAvailableTime": (
        "Wire name printed with a capital I (every other field starts lower-case); "
        "the real server may send infoAvailableTime."
    ),
    "DisconnectCurrentCall.request.CallIds": (
        "Wire name printed with a capital C and plural, typed Integer and described as "
        "'Call Id'; validation also accepts a list of Integer."
    ),
    "GetAllPhoneOnline.response.E164s": "Wire name printed with a capital E.",
    "GetPhoneCard.request.Password": "Wire name printed with a capital P.",
    "GetIvrAudio.request.ids": (
        "Typed Integer but described as a list ('identification list'); validation also "
        "accepts a list of Integer."
    ),
    "GetReportPhoneFee.request.accounts": (
        "Plural name typed String (the other report endpoints use String[]); validation also "
        "accepts a list of String."
    ),
    "GetAlarmCurrent.response.infoAlarmCurrents": (
        "Typed InfoAlarmCurrent (not a list) although the name is plural and push 3.6 uses "
        "InfoAlarmCurrent[]; validation also accepts a list."
    ),
    "InfoPhoneAdditional.ivrCallbackBillingSecordNotConnectedOnAccessE164": (
        "'Secord' (for Second) is the manual's spelling of the wire name."
    ),
    "InfoPhoneAdditional.ivrCallbackBillingSecordConnectedOnSecondAccount": (
        "'Secord' (for Second) is the manual's spelling of the wire name."
    ),
    "*.maxSecondRates": (
        "Typed Integer, but the example value is 0.01 (the Chinese edition types it "
        "Double); validation also accepts a number with a fraction."
    ),
    "PlayAudio.request.audioes": "'audioes' is the manual's spelling of the wire name.",
    "InfoCdr.callerip": "Lower-case 'ip' as printed (CreateCdr uses callerIp).",
    "InfoCdr.calleeip": "Lower-case 'ip' as printed (CreateCdr uses calleeIp).",
    "InfoCdr.endDirection": "The manual gives 'Caller' for both 0 and 1.",
    "CreateCdr.request.endDirection": "The manual gives 'Caller' for both 0 and 1.",
    "InfoConsumption.consumptionName": "Typed Integer as printed, although it is a name.",
    "CreateActivePhoneCard.response.password": (
        "Typed Integer as printed (the request's password is a String); validation also "
        "accepts a String."
    ),
}

# A second type the validator accepts where the manual's type is doubtful (see FIELD_NOTES).
ALSO_ACCEPTS: dict[str, str] = {
    "DisconnectCurrentCall.request.CallIds": "Integer[]",
    "GetIvrAudio.request.ids": "Integer[]",
    "GetReportPhoneFee.request.accounts": "String[]",
    "GetAlarmCurrent.response.infoAlarmCurrents": "InfoAlarmCurrent[]",
    "*.maxSecondRates": "Double",
    "CreateActivePhoneCard.response.password": "String",
}

# The response list field of endpoints whose list the manual does not type as a list.
LIST_FIELDS: dict[str, str] = {
    "GetAlarmCurrent": "infoAlarmCurrents",
}

# Ranges the manual writes in a form that cannot be read literally.
RANGE_FIXES: dict[str, tuple[int, int, str]] = {
    # "Range: 0x8000000 ~ 0x7fffffff(32-bit integer)": 0x8000000 (7 zeros) is positive and would
    # exclude 0; "32-bit integer" means the signed 32-bit range 0x80000000 .. 0x7fffffff.
    "CreateAlarm.request.upper": (
        -2147483648,
        2147483647,
        "Range printed as 0x8000000 ~ 0x7fffffff (32-bit integer); read as the signed "
        "32-bit range.",
    ),
    "CreateAlarm.request.lower": (
        -2147483648,
        2147483647,
        "Range printed as 0x8000000 ~ 0x7fffffff (32-bit integer); read as the signed "
        "32-bit range.",
    ),
}
