"""Python spellings of wire names (client method and attribute names)."""

from __future__ import annotations

import re

# "SIPTrying" -> "SIP_Trying": a capital starting a lower-case word ends the acronym before it.
_WORD_START = re.compile(r"(.)([A-Z][a-z]+)")
# "callerE164" -> "caller_E164", "h323Call" -> "h323_Call".
_CASE_CHANGE = re.compile(r"([a-z0-9])([A-Z])")


def python_name(wire_name: str) -> str:
    """snake_case of a wire name: CreateCustomer -> create_customer, callerE164 -> caller_e164,
    h323CallProceedingFromSIPTrying -> h323_call_proceeding_from_sip_trying, e164s -> e164s."""
    spaced = _CASE_CHANGE.sub(r"\1_\2", _WORD_START.sub(r"\1_\2", wire_name))
    return spaced.lower()
