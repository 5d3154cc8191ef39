"""Alerts: low balance, alarm raised, VOS server unreachable.

The live-state code (push processing, shared polls) calls the two entry points below
whenever VOS tells the portal something new; this module decides whether a threshold
was crossed, and tells people once per crossing (email and the portal's notification
list), never on every poll.

Contract (called by telephony's push processing and polls; keep the signatures):
    balance_changed(server, account: str, money: float) -> None
    alarms_reported(server, alarms: list[dict]) -> None   # InfoAlarmCurrent dicts
"""

from __future__ import annotations


def balance_changed(server, account: str, money: float) -> None:
    """VOS says ``account`` on ``server`` now has ``money``."""


def alarms_reported(server, alarms: list[dict]) -> None:
    """VOS's current alarms on ``server`` (the whole list, as AlarmCurrentReport and
    GetAlarmCurrent give it)."""
