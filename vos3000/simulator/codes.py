"""Every non-zero retCode the simulator can answer, in one place.

The first four are what real VOS3000 servers answer; the rest are the simulator's
own, stable so that the portal and its tests can rely on them. Add new codes here
(and only here), in the -19xxx range, never reusing a number.
"""

from __future__ import annotations

NOT_FOUND = -10007
RANGE_TOO_WIDE = -10033
INPUT_ERROR = -10124
MISS_PARAMETERS = -12103

ALREADY_EXISTS = -19001
BALANCE_NOT_ENOUGH = -19002
NOT_EMPTY = -19003
CARD_USED = -19004
CARD_WRONG_PASSWORD = -19005
CARD_EXPIRED = -19006
ACCOUNT_LOCKED = -19007
IN_USE = -19008
UNKNOWN_ENDPOINT = -19009
# -191xx: customers, phones, money (the core handlers).
CARD_NOT_FOUND = -19101
CARD_NOT_ACTIVATABLE = -19102
AGENT_CYCLE = -19103
# -192xx: gateways, suites, cards, phone books, IVR (the "rest" handlers).
PHONE_BOOK_FULL = -19201
BIND_LIMIT_REACHED = -19202
# -193xx: rates, calls, CDRs, reports (the billing handlers).
ACCESS_PASSWORD_WRONG = -19301

MESSAGES: dict[int, str] = {
    NOT_FOUND: "Not found, operation failed.",
    RANGE_TOO_WIDE: "Over the limitation of inquiry interval, please contact system administrator",
    INPUT_ERROR: "Input parameter error",
    MISS_PARAMETERS: "Miss parameters",
    ALREADY_EXISTS: "Already exists, operation failed.",
    BALANCE_NOT_ENOUGH: "Balance not enough, operation failed.",
    NOT_EMPTY: "Still in use (balance, phones or children), operation failed.",
    CARD_USED: "Phone card already used.",
    CARD_WRONG_PASSWORD: "Phone card number or password wrong.",
    CARD_EXPIRED: "Phone card expired or locked.",
    ACCOUNT_LOCKED: "Account locked or expired.",
    IN_USE: "Referenced by other objects, operation failed.",
    UNKNOWN_ENDPOINT: "Unknown interface.",
    CARD_NOT_FOUND: "Phone card not found.",
    CARD_NOT_ACTIVATABLE: "Phone card cannot be activated (recharge card), operation failed.",
    AGENT_CYCLE: "The agent is below this account in the agent tree, operation failed.",
    PHONE_BOOK_FULL: "Phone book number limit reached, operation failed.",
    BIND_LIMIT_REACHED: "Bind number limit of the phone card reached, operation failed.",
    ACCESS_PASSWORD_WRONG: "Access number or its password wrong, operation failed.",
}


class SimError(Exception):
    """Raised by a handler to answer ``{"retCode": code, "exception": message}``."""

    def __init__(self, code: int, message: str | None = None):
        self.code = code
        self.message = message or MESSAGES.get(code, "Operation failed.")
        super().__init__(f"{code}: {self.message}")
