"""The IVR (DTMF) hook: VOS's PushDtmfInfo / PushDtmfInfos (manual 3.1, 3.2) ask the
portal which menu to run next; the switch runs the menu matching the returned retCode
and plays the returned audio names.

Contract (called by the push receiver, synchronously, since VOS waits for the answer):
    answer(server, name: str, payload: dict) -> dict
        name is "PushDtmfInfo" or "PushDtmfInfos"; payload already validated against
        the catalog. Returns {"retCode": int, "audioNames": [str, ...]} (audioNames
        may be omitted).

How the answer is chosen (the rules are ``telephony.models.DtmfRule``, edited by
admins under "IVR & media"):

1. the rule for this menu and exactly these digits;
2. else the menu's default rule (a rule with no digits), which answers any digits;
3. at each of those two steps a rule of this VOS server wins over a global rule;
4. no rule at all: ``settings.DTMF_NO_RULE_RET_CODE`` without audio names. Point that
   code at no menu on the switch, and it runs its default menu, as when nobody answers.

PushDtmfInfos carries the caller's path through the menus (one InfoDtmf per menu, in
order); the last entry, the menu the caller is in now, decides. An empty list gets
the no-rule answer. All of this is one indexed query (menu name, digits).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from telephony.models import DtmfRule


def no_rule_answer() -> dict:
    return {"retCode": settings.DTMF_NO_RULE_RET_CODE}


def current_entry(name: str, payload: dict) -> tuple[str, str] | None:
    """(menu name, digits) that decide the answer, or None when the push has none."""
    if name == "PushDtmfInfos":
        entries = payload.get("infoDtmfs") or []
        if not entries:
            return None
        last = entries[-1]
        return str(last.get("menuName") or ""), str(last.get("dtmf") or "")
    return str(payload.get("menuName") or ""), str(payload.get("dtmf") or "")


def rule_for(server, menu_name: str, digits: str):
    """The DtmfRule that answers ``digits`` in ``menu_name`` on ``server``, or None."""
    server_id = getattr(server, "pk", server)
    candidates = DtmfRule.objects.filter(
        Q(server_id=server_id) | Q(server__isnull=True),
        menu_name=menu_name,
        digits__in={digits, ""},
    ).only("server_id", "digits", "ret_code", "audio_names")

    def rank(rule):
        # Exact digits before the default rule; the server's own before a global one.
        return (rule.digits != digits, rule.server_id is None)

    return min(candidates, key=rank, default=None)


def answer(server, name: str, payload: dict) -> dict:
    entry = current_entry(name, payload)
    if entry is None:
        return no_rule_answer()
    rule = rule_for(server, *entry)
    if rule is None:
        return no_rule_answer()
    result = {"retCode": rule.ret_code}
    if rule.audio_names:
        result["audioNames"] = list(rule.audio_names)
    return result
