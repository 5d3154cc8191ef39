"""Every value of every enum the VOS catalog holds, in the portal's words.

The catalog (``vos3000.catalog``, from the manual) gives each enum field's values and the
manual's meaning of each ("0" -> "General Account"). ``WORDS`` turns each meaning into the
portal's words, translated (friendlier than the manual's at times, never meaning something
else); ``PROPER_NAMES`` are shown as they are (protocols, codecs, names of counters);
``FIELD_WORDS`` gives one field other words where the manual prints a wrong meaning or the
general words would mislead there. An enum is named by its owner (an ``Info*`` type, an
endpoint or a push message, as in the catalog) and its field:

    label("InfoPayHistory", "payType", 2)      -> "Phone card"
    choices("InfoCustomer", "type")            -> [(0, "General"), (1, "Phone card"), ...]
    value("InfoPayHistory", "payType", "Phone Card") -> 2   (a value by the manual's meaning)

``switch/tests/test_labels.py`` fails when the catalog holds a value these tables do not
put in words.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vos3000 import catalog
from vos3000.catalog.model import BOOLEAN_TYPES, INTEGER_TYPES, Field

# The manual's meaning of a value -> the portal's words.
WORDS = {
    "AbbreviatedType": _("Abbreviated number"),
    "Access Number\u2019 Phone": _("The access number's phone"),
    "Access Number\u2019s Phone": _("The access number's phone"),
    "Account": _("Account"),
    "Account Balance": _("Account balance"),
    "Active Phone Card": _("Active phone card"),
    "Add to Access Number Rate": _("Add to the access number's rate"),
    "Add to Caller Rate": _("Add to the caller's rate"),
    "alarm prompt audio": _("Alarm prompt audio"),
    "Alerting": _("Alerting"),
    "All": _("All"),
    "ASR": _("ASR"),
    "Allow": _("Allow"),
    "Allow calleeLimitE164Groups": _("Allow the callee number groups"),
    "Allow callerLimitE164Groups": _("Allow the caller number groups"),
    "Allow Selected Callee Group": _("Allow the selected callee groups"),
    "Allow Selected Caller Group": _("Allow the selected caller groups"),
    "Allow Selected Gateway Group": _("Allow the selected gateway groups"),
    "Assign H323 Codecs": _("Assign H.323 codecs"),
    "Assign SIP Codecs": _("Assign SIP codecs"),
    "Auto": _("Auto"),
    "Auto (Order: Binded Number, Active Phone Card, Phone, Access Number\u2019s Phone)": _(
        "Auto (bound number, active phone card, phone, then the access number's phone)"
    ),
    "Auto Negotiation": _("Negotiate automatically"),
    "Auto Save": _("Saved automatically"),
    "Auto, Binded Number > Phone Card Number > Phone Number": _(
        "Auto (bound number, then phone card, then phone)"
    ),
    "Auto, keep original G729 codec": _("Auto (keep the original G.729 codec)"),
    "Binded E164": _("Bound number"),
    "Binded Number": _("Bound number"),
    "By Active Phone Card Account": _("The active phone card's account"),
    "By Binded Number Account": _("The bound number's account"),
    "By callerE164\u2019s Active Phone Card Account": _(
        "The account of the caller's active phone card"
    ),
    "By callerE164\u2019s Binded Number Account": _(
        "The account of the card the caller's number is bound to"
    ),
    "By callerE164\u2019s Phone Account": _("The account of the caller's phone"),
    "By callerGatewayId\u2019s Mapping Gateway Account": _(
        "The account of the caller's mapping gateway"
    ),
    "By Mapping Gateway Account": _("The mapping gateway's account"),
    "By Phone Account": _("The phone's account"),
    "Bytes receive": _("Bytes received"),
    "Bytes transmit": _("Bytes sent"),
    "Call authentication": _("Call authentication"),
    "Callee": _("Callee"),
    "Callee Billing": _("Callee pays"),
    "Caller": _("Caller"),
    "Caller Billing": _("Caller pays"),
    "Caller number": _("Caller number"),
    "Caller's Phone": _("The caller's phone"),
    "CallProceeding": _("Call proceeding"),
    "CallProceeding(RTP": _("Call proceeding (RTP)"),
    "Cash": _("Cash"),
    "Check Callee Fee Rate": _("Check the callee's rate"),
    "Clearing Account": _("Clearing"),
    "Clock deviation": _("Clock deviation"),
    "Connet": _("Connected"),
    "Continual": _("Continual"),
    "Converstion time": _("Conversation time"),
    "convert Alerting to CallProceeding": _("Convert Alerting to CallProceeding"),
    "convert trying to CallProceeding": _("Convert Trying to CallProceeding"),
    "Create Account": _("Account opened"),
    "Credit": _("Credit"),
    "Critica": _("Critical"),
    "Critical": _("Critical"),
    "Customized": _("Custom"),
    "Daily": _("Daily"),
    "Database": _("Database"),
    "DataPlan": _("Data plan"),
    "Day": _("day(s)"),
    "Default": _("Default"),
    "Detect Both Side's RTP": _("Detect RTP in both directions"),
    "Detect whether VOS has received Remote RTP": _("Detect RTP received from the remote side"),
    "Detect whether VOS has sent RTP to Remote": _("Detect RTP sent to the remote side"),
    "Diable SIP Timer": _("Disable SIP timer"),
    "Direct/Callback": _("Direct dial / callback"),
    "direct/callback audio": _("Direct dial / callback audio"),
    "Disable": _("Disable"),
    "Disable 100rel": _("Disable 100rel"),
    "Disable Callee Check": _("Do not check the callee"),
    "Disable Callee City Check": _("Do not check the callee's city"),
    "Disable Callee Mobile Check": _("Do not check callee mobiles"),
    "Disable Callee Other Check": _("Do not check other callees"),
    "Disable Caller Check": _("Do not check the caller"),
    "Disable Caller City Check": _("Do not check the caller's city"),
    "Disable Caller Mobile Check": _("Do not check caller mobiles"),
    "Disable Caller Other Check": _("Do not check other callers"),
    "Disable callinCalleePrefixes": _("Ignore the incoming callee prefixes"),
    "Disable callinCallerPrefixes": _("Ignore the incoming caller prefixes"),
    "Disable callinForwardPrefixes settings": _("Ignore the incoming forward prefixes"),
    "Disable calloutCalleePrefixes Settings": _("Ignore the outgoing callee prefixes"),
    "Disable calloutCallerPrefixes Settings": _("Ignore the outgoing caller prefixes"),
    "Disable checkMobileArea Settings": _("Ignore the mobile area check"),
    "Disable denyCallerCallee": _("Ignore the denied caller/callee pairs"),
    "Disable denySameCityCodes Setting": _("Ignore the same-city denial"),
    "Disable Forward Signal Rewrite": _("Disable forward signal rewrite"),
    "Disable Group E164 Change": _("Disable group number change"),
    "Disable H323 fast start": _("Disable H.323 fast start"),
    "Disable H323 H245 in Setup": _("Disable H.245 in Setup"),
    "Disable H323 H245 tunneling": _("Disable H.245 tunneling"),
    "Disable H323 send response after receive call request": _(
        "Do not send a response on receiving a call request"
    ),
    "Disable H323 T38": _("Disable H.323 T.38"),
    "Disable rewriteRulesInMobileArea": _("Ignore the mobile area rewrite rules"),
    "Disable rewriteRulesInMobileArea Settings": _("Ignore the mobile area rewrite rules"),
    "Disable SIP 100rel": _("Disable SIP 100rel"),
    "Disable SIP T38": _("Disable SIP T.38"),
    "Disable t38": _("Disable T.38"),
    "Disable Timer": _("Disable session timer"),
    "Domestic": _("Domestic"),
    "Dynamic": _("Dynamic"),
    "Employee ID": _("Employee ID"),
    "Enable": _("Enable"),
    "Enable 100rel": _("Enable 100rel"),
    "Enable Callee Check": _("Check the callee"),
    "Enable Callee City Check": _("Check the callee's city"),
    "Enable Callee Mobile Check": _("Check callee mobiles"),
    "Enable Callee Other Check": _("Check other callees"),
    "Enable Caller Check": _("Check the caller"),
    "Enable Caller City Check": _("Check the caller's city"),
    "Enable Caller Mobile Check": _("Check caller mobiles"),
    "Enable Caller Other Check": _("Check other callers"),
    "Enable callinCalleePrefixes": _("Use the incoming callee prefixes"),
    "Enable callinCallerPrefixes": _("Use the incoming caller prefixes"),
    "Enable callinForwardPrefixes settings": _("Use the incoming forward prefixes"),
    "Enable calloutCalleePrefixes Settings": _("Use the outgoing callee prefixes"),
    "Enable calloutCallerPrefixes Settings": _("Use the outgoing caller prefixes"),
    "Enable checkMobileArea Settings": _("Use the mobile area check"),
    "Enable denyCallerCallee": _("Use the denied caller/callee pairs"),
    "Enable denySameCityCodes Setting": _("Use the same-city denial"),
    "Enable Forward Signal Rewrite": _("Enable forward signal rewrite"),
    "Enable Group E164 Change": _("Enable group number change"),
    "Enable H323 fast start": _("Enable H.323 fast start"),
    "Enable H323 H245 in Setup": _("Enable H.245 in Setup"),
    "Enable H323 H245 tunneling": _("Enable H.245 tunneling"),
    "Enable H323 send response after receive call request": _(
        "Send a response on receiving a call request"
    ),
    "Enable H323 T38": _("Enable H.323 T.38"),
    "Enable Privacy": _("Send Privacy"),
    "Enable privacy": _("Send Privacy"),
    "Enable rewriteRulesInMobileArea": _("Use the mobile area rewrite rules"),
    "Enable rewriteRulesInMobileArea Settings": _("Use the mobile area rewrite rules"),
    "Enable SIP 100rel": _("Enable SIP 100rel"),
    "Enable SIP T38": _("Enable SIP T.38"),
    "Enable SIP Timer (RFC4028)": _("Enable SIP timer (RFC 4028)"),
    "Enable t38": _("Enable T.38"),
    "Enable Timer (RFC4028)": _("Enable session timer (RFC 4028)"),
    "Encrypt": _("Encrypt"),
    "Exclude Display": _("Leave out Display"),
    "Exclude P-Asserted-Identity": _("Leave out P-Asserted-Identity"),
    "Exclude P-Preferred-Identity": _("Leave out P-Preferred-Identity"),
    "Exclude RemotePartyId": _("Leave out Remote-Party-ID"),
    "External Billing": _("External billing"),
    "Forbidden": _("Forbid"),
    "Forbidden calleeLimitE164Groups": _("Forbid the callee number groups"),
    "Forbidden callerLimitE164Groups": _("Forbid the caller number groups"),
    "Forbidden Selected Caller Group": _("Forbid the selected caller groups"),
    "Forbidden Selected Gallee Group": _("Forbid the selected callee groups"),
    "Forbidden Selected Gateway Group": _("Forbid the selected gateway groups"),
    "Force delete, remove dependence": _("Delete and remove what depends on it"),
    "G729&G729a, treat G729 or G729a as G729 and G729a": _("G.729 and G.729a (offer both)"),
    "G729, treat G729a or G729 as G729": _("G.729 (treat G.729a as G.729)"),
    "G729a, treat G729a or G729 as G729a": _("G.729a (treat G.729 as G.729a)"),
    "General": _("General"),
    "General Account": _("General"),
    "H.245 alphanumeric": _("H.245 alphanumeric"),
    "H.245 signal": _("H.245 signal"),
    "Harddisk": _("Hard disk"),
    "Home": _("Home"),
    "ID Card": _("ID card"),
    "if number exists, over write the old one": _("Replace an entry with the same number"),
    "if number exists, show error": _("Refuse a number already in the book"),
    "Illegal call": _("Illegal call"),
    "In-use Phone Card": _("The phone card in use"),
    "Include Display": _("Include Display"),
    "Include P-Asserted-Identity": _("Include P-Asserted-Identity"),
    "Include P-Preferred-Identity": _("Include P-Preferred-Identity"),
    "Include RemotePartyId": _("Include Remote-Party-ID"),
    "internal audio": _("Internal audio"),
    "International": _("International"),
    "InternationalType": _("International number"),
    "Invite": _("Invite"),
    "IP and Port": _("IP and port"),
    "IP Phone": _("IP phone"),
    "ippbx audio": _("IP PBX audio"),
    "ISDNPlan": _("ISDN plan"),
    "Limit Callee is Phone": _("Callee must be a phone"),
    "Limit Callee not Phone": _("Callee must not be a phone"),
    "Local": _("Local"),
    "Lock": _("Locked"),
    "Lock All": _("Lock all calls"),
    "Lock Call In": _("Lock incoming calls"),
    "Lock Call Out": _("Lock outgoing calls"),
    "Locked": _("Locked"),
    "Lowest Rate per Second": _("Lowest rate per second"),
    "Mac limited": _("MAC address limit"),
    "Major": _("Major"),
    "Make Zero": _("Set to zero"),
    "Mapping concurrency decline": _("Mapping gateway concurrency falling"),
    "Mapping concurrency rise": _("Mapping gateway concurrency rising"),
    "Mapping Gateway": _("Mapping gateway"),
    "MappingACD": _("Mapping gateway ACD"),
    "MappingASR": _("Mapping gateway ASR"),
    "Master synchronize status": _("Master sync status"),
    "Memory": _("Memory"),
    "merge access billing to second line": _("Add the access number's billing to the second leg"),
    "merge caller billing to second line": _("Add the caller's billing to the second leg"),
    "Minor": _("Minor"),
    "Mobile": _("Mobile"),
    "Money Left": _("Money left"),
    "Month": _("month(s)"),
    "Monthly": _("Monthly"),
    "NationalStandardPlan": _("National standard plan"),
    "NationalType": _("National number"),
    "Net": _("On-net"),
    "Network provided": _("Provided by the network"),
    "NetworkSpecificType": _("Network-specific number"),
    "no annex": _("No annex"),
    "No Check": _("Do not check"),
    "no convert": _("Do not convert"),
    "No Detect": _("Do not detect"),
    "No Encrypt": _("Do not encrypt"),
    "No Encryption": _("No encryption"),
    "No Limit": _("No limit"),
    "No Lock": _("Not locked"),
    "No merge": _("Do not merge"),
    "None": _("None"),
    "Normal": _("Normal"),
    "Normal delete, check dependence": _("Delete only if nothing depends on it"),
    "Number not available due to interworking": _("Number not available (interworking)"),
    "Off": _("Off"),
    "Office": _("Office"),
    "Officer ID": _("Officer ID"),
    "Ok": _("OK (answered)"),
    "Omit Privacy": _("Leave out Privacy"),
    "Omit privacy": _("Leave out Privacy"),
    "On": _("On"),
    "Other": _("Other"),
    "Others": _("Other"),
    "Package receive": _("Packets received"),
    "Package transmit": _("Packets sent"),
    "Pass through": _("Pass through"),
    "Passport": _("Passport"),
    "Password": _("Password"),
    "Payment": _("Payment"),
    "Pending CDR": _("Pending CDRs"),
    "Phone": _("Phone"),
    "Phone Card": _("Phone card"),
    "Phone Month Rent": _("Phone monthly rent"),
    "Phone Offline": _("Phone offline"),
    "Phone Online": _("Phone online"),
    "Phone Under Consumption": _("Phone below its monthly minimum"),
    # The manual's "Poll" (forwardMethod) rings the numbers in turn, starting after the
    # one rung last time: "Poll" read as jargon on the phone form (issue 14).
    "Poll": _("Each in turn (round robin)"),
    "polyphonic ringtone": _("Polyphonic ringtone"),
    "Presentation allowed": _("Presentation allowed"),
    "Presentation restricted": _("Presentation restricted"),
    "PrivatePlan": _("Private plan"),
    "Process terminated": _("Process terminated"),
    "Progress": _("Progress"),
    "ProgressDestinationNonISDN": _("Progress: destination is not ISDN"),
    "ProgressInbandInformation Available": _("Progress: in-band information available"),
    "ProgressNotEndToEndISDN": _("Progress: not end-to-end ISDN"),
    "ProgressOriginNotISDN": _("Progress: origin is not ISDN"),
    "ProgressReturnedToISDN": _("Progress: returned to ISDN"),
    "ProgressServiceChange": _("Progress: service change"),
    "public audio": _("Public audio"),
    "Q.931 keypad": _("Q.931 keypad"),
    "Random": _("Random"),
    "Register": _("Register"),
    "Reject the call": _("Reject the call"),
    "Release": _("Released"),
    "Reserved": _("Reserved"),
    "ReservedPlan": _("Reserved plan"),
    "ReservedType": _("Reserved type"),
    "Response to Request Address": _("Answer to the request's address"),
    "Response to Request IP use port from Via": _("Answer to the request's IP, port from Via"),
    "Ringing": _("Ringing"),
    "Routing ASR": _("Routing gateway ASR"),
    "routing concurrency decline": _("Routing gateway concurrency falling"),
    "Routing concurrency rise": _("Routing gateway concurrency rising"),
    "RoutingACD": _("Routing gateway ACD"),
    "Sequence": _("Sequence"),
    "Server": _("Server"),
    "SessionProgress": _("Session progress"),
    "SessionProgress(SDP)": _("Session progress (SDP)"),
    "Setup": _("Setup"),
    "Signaling": _("Signaling"),
    "Slave synchronize status": _("Standby sync status"),
    "Specify SIP Codec": _("Assign SIP codecs"),
    "Standby enable": _("Standby enabled"),
    "Static": _("Static"),
    "Student ID": _("Student ID"),
    "SubscriberType": _("Subscriber number"),
    "Suite Rent": _("Suite rent"),
    "Suite Under Consumption": _("Suite below its minimum"),
    "TelexPlan": _("Telex plan"),
    "Terminal": _("Terminal"),
    "Time Left": _("Time left"),
    "To Contact": _("To Contact"),
    "To Original Address": _("To the original address"),
    "To Original IP and Port from Contact": _("To the original IP, port from Contact"),
    "transmit annex": _("Pass the annex through"),
    "Trying": _("Trying"),
    "UnknownPlan": _("Unknown plan"),
    "UnknownType": _("Unknown type"),
    "Use Callee after rewrite as Clearing Account": _(
        "Clearing account: the callee after rewriting"
    ),
    "Use Callee before rewrite as Clearing Account": _(
        "Clearing account: the callee before rewriting"
    ),
    "Use field CalledPartyNumber": _("Use CalledPartyNumber"),
    "Use field CallingPartyNumber": _("Use CallingPartyNumber"),
    "Use field DestinationAddress": _("Use DestinationAddress"),
    "Use field Display": _("Use Display"),
    "Use field From": _("Use From"),
    "Use field Invite": _("Use Invite"),
    "Use field RemotePartId": _("Use Remote-Party-ID"),
    "Use field SourceAddress": _("Use SourceAddress"),
    "Use field To": _("Use To"),
    "Use original number": _("Use the original number"),
    "Use phone card first, then mapping gateway": _("Phone card first, then mapping gateway"),
    "Use phone display number as caller": _("The phone's display number as the caller"),
    "Use phone number as caller": _("The phone's number as the caller"),
    "Use System Parameter": _("Use the system setting"),
    "User Create": _("Added by the user"),
    "User-provided, not screened": _("User-provided, not screened"),
    "User-provided, verified and failed": _("User-provided, verified and failed"),
    "User-provided, verified and passed": _("User-provided, verified and passed"),
    "valuadded audio": _("Value-added service audio"),
    "Value Added": _("Value-added services"),
    "voice mail audio": _("Voicemail audio"),
    "Weekly": _("Weekly"),
    "Year": _("year(s)"),
}


# Meanings that are names (protocols, codecs, counters): shown as they are, untranslated.
PROPER_NAMES = {
    "180+SDP": "180 + SDP",
    "183+SDP": "183 + SDP",
    "annex=no": "annex=no",
    "annex=yes": "annex=yes",
    "CPU": "CPU",
    "d183+SDP": "183 + SDP",
    "H323": "H.323",
    "id": "Privacy: id",
    "IP": "IP",
    "IP PBX": "IP PBX",
    "RC4": "RC4",
    "RFC2833": "RFC 2833",
    "SIP": "SIP",
    "SIP INFO": "SIP INFO",
    "SIP Info": "SIP INFO",
}


# Fields whose values are their own names (the manual lists them without meanings).
NAMED_BY_VALUE = frozenset({"sipCodecs"})


# The manual prints "Caller" for 1 as well; the switch means the other side.
_END_DIRECTION = {"1": _("Callee")}


# A phone book's "Phone", next to Mobile and IP phone, is a fixed line.
_DEVICE_TYPE = {"2": _("Landline")}


# (owner, field) -> {value: words}: where one field needs other words than its meanings'.
FIELD_WORDS = {
    ("InfoCdr", "endDirection"): _END_DIRECTION,
    ("CreateCdr", "endDirection"): _END_DIRECTION,
    ("InfoCustomerPhoneBook", "deviceType"): _DEVICE_TYPE,
    ("CreateCustomerPhoneBook", "deviceType"): _DEVICE_TYPE,
    ("ModifyCustomerPhoneBook", "deviceType"): _DEVICE_TYPE,
}


def _fields(owner: str) -> tuple[Field, ...]:
    if owner in catalog.TYPES:
        return catalog.TYPES[owner]
    if owner in catalog.ENDPOINTS:
        spec = catalog.ENDPOINTS[owner]
        return spec.request + spec.response
    if owner in catalog.PUSHES:
        push = catalog.PUSHES[owner]
        return push.request + push.response
    raise KeyError(f"the catalog has no type, endpoint or push {owner!r}")


def enum_field(owner: str, field: str) -> Field:
    """The catalog Field of an enum; KeyError when ``owner`` has no such enum field."""
    spec = next((f for f in _fields(owner) if f.name == field and f.enum), None)
    if spec is None:
        raise KeyError(f"{owner}.{field} is not an enum in the catalog")
    return spec


def enums() -> list[tuple[str, Field]]:
    """Every (owner, Field) of the catalog that has an enum."""
    owners = [*catalog.TYPES, *catalog.ENDPOINTS, *catalog.PUSHES]
    return [(owner, f) for owner in owners for f in _fields(owner) if f.enum]


def wire_key(value) -> str:
    """A value as the catalog's enum keys spell it (2 -> "2", True -> "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def typed(spec: Field, key: str):
    """An enum key as the value VOS sends: an int, a bool or a string."""
    if spec.type in INTEGER_TYPES:
        return int(key)
    if spec.type in BOOLEAN_TYPES:
        return key == "true"
    return key


def words_of(spec: Field, key: str, owner: str | None = None):
    """The portal's words for one value of ``spec`` (lazy), or None when there are none
    (a value the catalog does not hold, or one these tables miss)."""
    special = FIELD_WORDS.get((owner, spec.name), {})
    if key in special:
        return special[key]
    meaning = (spec.enum or {}).get(key)
    if meaning is None:
        return None
    if meaning in WORDS:
        return WORDS[meaning]
    if meaning in PROPER_NAMES:
        return PROPER_NAMES[meaning]
    if not meaning and spec.name in NAMED_BY_VALUE:
        return key
    return None


def label(owner: str, field: str, value, default=None) -> str:
    """The words for ``value`` of an enum. A value the catalog does not hold is shown as
    ``default`` when given, else as it is ("" for none)."""
    if value is None or value == "":
        return "" if default is None else str(default)
    words = words_of(enum_field(owner, field), wire_key(value), owner)
    if words is None:
        return str(value) if default is None else str(default)
    return str(words)


def field_choices(spec: Field, owner: str | None = None) -> list[tuple]:
    """(value, words) for every value of ``spec``'s enum, in the catalog's order; the words
    stay lazy (translated when the form is shown)."""
    return [(typed(spec, key), words_of(spec, key, owner) or key) for key in spec.enum or {}]


def choices(owner: str, field: str) -> list[tuple]:
    """The choices of a form field for an enum: (value, words) per value."""
    return field_choices(enum_field(owner, field), owner)


def value(owner: str, field: str, meaning: str):
    """The value the manual gives ``meaning`` in this enum, typed (2 for "Phone Card"):
    code names values by the catalog instead of by a bare number. KeyError when no value,
    or more than one, has that meaning."""
    spec = enum_field(owner, field)
    keys = [key for key, said in spec.enum.items() if said == meaning]
    if len(keys) != 1:
        raise KeyError(f"{owner}.{field}: {len(keys)} values mean {meaning!r}")
    return typed(spec, keys[0])


# InfoCdr.endReason (an Integer, "End Reason"): the manual gives no table of its values,
# so the catalog holds no enum for it. These are the reasons the portal can put in words:
# the codes the simulator writes (``vos3000/simulator/pricing.py``), which GetAvailableTime
# also answers negated. Any other code reads "Other reason (code N)": still words.
END_REASONS = {
    1: _("Normal call clearing"),
    2: _("Busy"),
    3: _("No answer"),
    7: _("No rate for the number"),
    8: _("Balance not enough"),
    10: _("Account locked or expired"),
    13: _("Released by the switch"),
    17: _("Call level not allowed"),
    18: _("Destination blocked"),
    19: _("Caller is not a phone of the platform"),
}


def end_reason(code) -> str:
    """Words for a CDR's end reason code ("" for none)."""
    if code is None or code == "":
        return ""
    try:
        number = int(code)
    except (TypeError, ValueError):
        return str(code)
    words = END_REASONS.get(number)
    if words is None:
        return _("Other reason (code %(code)s)") % {"code": number}
    return str(words)


def alarm_level(value) -> str:
    """An alarm's level ("Major"), the same on every page; a level the catalog does not
    hold says so in words."""
    if value is None or value == "":
        return ""
    unknown = _("Unknown level (%(code)s)") % {"code": value}
    return label("InfoAlarmCurrent", "level", value, default=unknown)
