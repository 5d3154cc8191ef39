"""Reads of the platform's billing console. Everything here is for the platform only
(``require_platform``), and every VOS call goes through ``switch.vos.call`` with the
request's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accounts.models import AuditEvent
from billing.models import FeeRateGroupGrant
from billing.rates import selectors
from billing.rating import to_decimal
from switch import vos
from switch.models import VosServer
from switch.servers import enabled_servers
from vos3000.client.dates import datetime_from_ms

# GetCustomer is asked about this many accounts at once when looking for the customers
# of a fee rate group (one call per batch, on the delete page only).
CUSTOMER_BATCH = 200


NO_LIMIT = 9223372036854775807


# bitsOfConfig of a phone card (manual 2.78), in the order the manual lists them.
CARD_FUNCTIONS = (
    (1 << 1, "create_account"),
    (1 << 2, "create_account_active_card"),
    (1 << 3, "create_account_phone"),
    (1 << 4, "recharge"),
    (1 << 5, "replace_fee_rate_group"),
    (1 << 6, "join_suites"),
    (1 << 7, "money_to_balance"),
)


# A card opens an account of its own (PhoneCardActive) only with one of these functions;
# the others are recharge cards, used through a payment (PayByPhoneCard).
ACTIVATING = (1 << 1) | (1 << 2) | (1 << 3)


def server_for(scope, name: str | None):
    scope.require_platform()
    return selectors.server_for(scope, name or None)


def servers(scope):
    scope.require_platform()
    return list(enabled_servers())


# --- Fee rate groups ---------------------------------------------------------------------
def fee_rate_groups(scope, server) -> list[selectors.GroupRow]:
    scope.require_platform()
    return sorted(selectors.all_groups(scope, server), key=lambda row: row.name.lower())


def fee_rate_group(scope, server, name: str) -> selectors.GroupRow | None:
    scope.require_platform()
    answer = vos.call(scope, server, "GetFeeRateGroup", {"names": [name]})
    for row in answer.get("infoFeeRateGroups") or []:
        if row.get("name") == name:
            return selectors.GroupRow(name, str(row.get("memo") or ""))
    return None


def grants_of(server, name: str):
    """The portal's grants of group ``name`` on ``server``: to resellers on it, and on a
    platform of one server also to resellers not linked to a server yet (their grants
    can only mean that server's groups)."""
    on_server = Q(tenant__server=server)
    if VosServer.objects.count() == 1:
        on_server |= Q(tenant__server__isnull=True)
    return (
        FeeRateGroupGrant.objects.filter(on_server, group=name)
        .select_related("tenant")
        .order_by("tenant__path")
    )


@dataclass
class FakeMinuteSet:
    seconds: int
    at: object
    by: str


def last_fake_minute(server, name: str) -> FakeMinuteSet | None:
    """The fake minute last given to group ``name`` through the portal, from the audit
    trail: GetFeeRateGroup does not tell it (InfoFeeRateGroup has no such field). None
    when the group was (re)created without one or never set here."""
    events = (
        AuditEvent.objects.filter(
            action__in=["vos.CreateFeeRateGroup", "vos.ModifyFeeRateGroup"],
            vos_server=server.name,
            result="ok",
            payload__name=name,
        )
        .order_by("-id")
        .values("action", "payload", "created_at", "actor_email")
    )
    for event in events[:100]:
        if event["payload"].get("fakeMinute") is not None:
            return FakeMinuteSet(
                int(event["payload"]["fakeMinute"]), event["created_at"], event["actor_email"]
            )
        if event["action"] == "vos.CreateFeeRateGroup":
            return None
    return None


def grant_counts(server) -> dict[str, int]:
    counts: dict[str, int] = {}
    for group in FeeRateGroupGrant.objects.filter(tenant__server=server).values_list(
        "group", flat=True
    ):
        counts[group] = counts.get(group, 0) + 1
    return counts


def customers_of_group(scope, server, name: str) -> list[str]:
    """The VOS accounts whose fee rate group is ``name`` (GetAllCustomers, then
    GetCustomer in batches): what a delete would leave without rates."""
    scope.require_platform()
    accounts = vos.call(scope, server, "GetAllCustomers", {}).get("accounts") or []
    using = []
    for start in range(0, len(accounts), CUSTOMER_BATCH):
        batch = accounts[start : start + CUSTOMER_BATCH]
        answer = vos.call(scope, server, "GetCustomer", {"accounts": batch})
        using += [
            str(row.get("account"))
            for row in answer.get("infoCustomers") or []
            if row.get("feeRateGroup") == name
        ]
    return sorted(using)


# --- Suites ------------------------------------------------------------------------------
def suites(scope, server) -> list[dict]:
    scope.require_platform()
    return selectors.suites(scope, server)


def suite(scope, server, suite_id: int) -> dict | None:
    scope.require_platform()
    answer = vos.call(scope, server, "GetSuite", {"ids": [suite_id]})
    return next((s for s in answer.get("infoSuites") or [] if s.get("id") == suite_id), None)


# --- Phone cards -------------------------------------------------------------------------
@dataclass
class Card:
    """A phone card as GetPhoneCard tells it, with its state worked out."""

    money: object
    limit_money: object
    functions: list[str]
    fee_rate_group: str
    expires: object
    used: object
    used_account: str
    agent_account: str
    suite_names: list[str]
    memo: str
    expired: bool
    bits: int

    @property
    def state(self) -> str:
        if self.used:
            return "used"
        if self.expired:
            return "expired"
        return "unused"

    @property
    def activatable(self) -> bool:
        return self.state == "unused" and bool(self.bits & ACTIVATING)


def _moment(ms):
    if ms in (None, 0, NO_LIMIT):
        return None
    return datetime_from_ms(int(ms))


def phone_card(scope, server, pin: str, password: str = "") -> Card | None:
    """The card with this PIN, or None. The PIN is sent in the request body only."""
    scope.require_platform()
    payload: dict = {"pin": [pin]}
    if password:
        payload["Password"] = password
    answer = vos.call(scope, server, "GetPhoneCard", payload)
    rows = answer.get("infoPhoneCards") or []
    if not rows:
        return None
    row = rows[0]
    bits = int(row.get("bitsOfConfig") or 0)
    expires = _moment(row.get("expireTime"))
    return Card(
        money=None if row.get("money") is None else to_decimal(row["money"]),
        limit_money=None if row.get("limitMoney") is None else to_decimal(row["limitMoney"]),
        functions=[name for bit, name in CARD_FUNCTIONS if bits & bit],
        fee_rate_group=str(row.get("feeRateGroup") or ""),
        expires=expires,
        used=_moment(row.get("usedTime")),
        used_account=str(row.get("usedAccount") or ""),
        agent_account=str(row.get("agentAccount") or ""),
        suite_names=[str(n) for n in row.get("suiteNames") or []],
        memo=str(row.get("memo") or ""),
        expired=expires is not None and expires < timezone.now(),
        bits=bits,
    )


# --- Accounts ----------------------------------------------------------------------------
def account_of_phone(scope, server, e164: str) -> str:
    """The account a phone number belongs to ("" when VOS has no such phone)."""
    scope.require_platform()
    if not e164:
        return ""
    answer = vos.call(scope, server, "GetPhone", {"e164s": [e164]})
    rows = [r for r in answer.get("infoPhones") or [] if r.get("e164") == e164]
    return str(rows[0].get("account") or "") if rows else ""
