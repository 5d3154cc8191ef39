"""The audit trail in words: each action's name and the sentence an event reads as, each
target's kind, and the target itself by its ``str()`` (a link when the viewer may open it).

``ACTIONS`` is the registry: action -> (group, name, sentence). A sentence is a template
whose ``%(...)s`` come from the event: ``target`` (the target's words), ``account``,
``money``, ``state``, ``e164``, ``name``, ``endpoint`` (see ``_values``). An action not in
the registry still reads as words: ``vos.<Endpoint>`` as "Switch call: <Endpoint>", any
other by its dotted name with spaces ("dtmf rule: change"). Stored events keep their raw
action names (the hash chain covers them); only pages and the CSV say them in words.

Targets are named by the model's ``str()`` (read in one query per kind for a page), or by
their kind and id when the row is gone ("Account #12"); never "accounts.tenant 12". A
feature area tells which page shows its targets (``accounts.audit_trail.links``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.audit_trail.links import LINKS
from accounts.scope import OutOfScope
from vos3000 import catalog
from web.lazy import lazy
from web.numbers import grouped, money_places, to_decimal, with_currency


@dataclass(frozen=True)
class Action:
    group: str
    name: str  # what the filter lists ("Top-up requested")
    sentence: str | None = None  # what one event reads as; None: the name


# Groups, in the order the filter lists them. Every word here stays lazy (translated when
# shown, in the viewer's language).
SIGN_IN = _("Sign-in and security")
USERS = _("Users")
ACCOUNTS = _("Accounts")
MONEY = _("Money")
CALLS = _("Calls and reports")
TELEPHONY = _("Telephony")
PLATFORM = _("Platform")
SWITCH = _("Switch calls")
WEBHOOKS = _("Webhooks")

ACTIONS: dict[str, Action] = {
    # Sign-in and security
    "auth.login": Action(SIGN_IN, _("Signed in")),
    "auth.logout": Action(SIGN_IN, _("Signed out")),
    "auth.login_failed": Action(SIGN_IN, _("Sign-in failed")),
    "auth.password_changed": Action(SIGN_IN, _("Password changed")),
    "auth.password_set": Action(SIGN_IN, _("Password set")),
    "auth.password_reset": Action(SIGN_IN, _("Password reset")),
    "auth.mfa_added": Action(SIGN_IN, _("Second factor added")),
    "auth.mfa_removed": Action(SIGN_IN, _("Second factor removed")),
    "auth.mfa_reset": Action(SIGN_IN, _("Second factors reset")),
    "auth.mfa_failed": Action(SIGN_IN, _("Second factor check failed")),
    "authz.denied": Action(SIGN_IN, _("Refused: outside the user's rights")),
    # Users
    "user.invite": Action(USERS, _("User invited"), _("Invited %(target)s")),
    "user.invitation_accepted": Action(
        USERS, _("Invitation accepted"), _("Accepted the invitation %(target)s")
    ),
    "user.invitation_revoked": Action(
        USERS, _("Invitation revoked"), _("Revoked the invitation %(target)s")
    ),
    "user.deactivate": Action(USERS, _("User deactivated"), _("Deactivated the user %(target)s")),
    "user.preferences": Action(USERS, _("Preferences changed")),
    "user.view_as.start": Action(USERS, _("View-as started"), _("Started viewing as %(target)s")),
    "user.view_as.stop": Action(USERS, _("View-as stopped"), _("Stopped viewing as %(target)s")),
    "api.key.create": Action(USERS, _("API key created"), _("Created the API key %(target)s")),
    "api.key.revoke": Action(USERS, _("API key revoked"), _("Revoked the API key %(target)s")),
    "api.key.write": Action(
        USERS,
        _("Change made with an API key"),
        _("Used the API key %(target)s to change something"),
    ),
    # Accounts
    "tenant.create": Action(ACCOUNTS, _("Account created"), _("Created the account %(target)s")),
    "tenant.update": Action(ACCOUNTS, _("Account changed"), _("Changed the account %(target)s")),
    "tenant.delete": Action(ACCOUNTS, _("Account deleted"), _("Deleted the account %(target)s")),
    "tenant.link": Action(
        ACCOUNTS, _("Account linked"), _("Linked the account %(target)s to the switch")
    ),
    "billing.fee_rate_grants": Action(
        ACCOUNTS, _("Rate groups granted"), _("Changed the rate groups %(target)s may use")
    ),
    "alerts.threshold.set": Action(ACCOUNTS, _("Low-balance threshold set")),
    "customers.bulk_import.upload": Action(
        ACCOUNTS, _("Import file checked"), _("Checked the file %(target)s")
    ),
    "customers.bulk_import.run": Action(ACCOUNTS, _("Import run"), _("Ran %(target)s")),
    "customers.bulk_import.retry": Action(
        ACCOUNTS, _("Import's failed rows run again"), _("Ran the failed rows of %(target)s")
    ),
    "customers.bulk_action": Action(
        ACCOUNTS, _("Action on many accounts"), _("Started %(target)s")
    ),
    "customers.bulk_file_downloaded": Action(
        ACCOUNTS, _("Bulk file downloaded"), _("Downloaded the file of %(target)s")
    ),
    # Money
    "money.topup.requested": Action(MONEY, _("Top-up requested"), _("Requested %(target)s")),
    "money.adjustment.requested": Action(
        MONEY, _("Adjustment requested"), _("Requested %(target)s")
    ),
    "money.pin_topup.requested": Action(
        MONEY, _("Phone card top-up requested"), _("Requested %(target)s")
    ),
    "money.transfer.state": Action(MONEY, _("Money transfer state"), _("%(target)s: %(state)s")),
    "money.transfer.resolved": Action(
        MONEY, _("Money transfer resolved"), _("Resolved %(target)s: %(state)s")
    ),
    "money.transfer.reconcile": Action(
        MONEY, _("Money transfer checked"), _("Checked %(target)s against the switch")
    ),
    "money.reconcile_all": Action(
        MONEY, _("Open transfers checked"), _("Checked every open money transfer")
    ),
    "money.leg.retry": Action(MONEY, _("Transfer step retried"), _("Retried a step of %(target)s")),
    "money.settings.change": Action(MONEY, _("Money settings changed")),
    "money.reversal.requested": Action(MONEY, _("Take-back requested"), _("Requested %(target)s")),
    "money.card_topup.requested": Action(
        MONEY, _("Card top-up requested"), _("Requested %(target)s")
    ),
    "money.receipt.sent": Action(
        MONEY, _("Receipt emailed"), _("Emailed the receipt of %(target)s")
    ),
    "payments.account.changed": Action(MONEY, _("Payment account changed")),
    "payments.payment.created": Action(MONEY, _("Card payment started")),
    "payments.payment.paid": Action(MONEY, _("Card payment paid")),
    "payments.payment.credited": Action(MONEY, _("Card payment credited")),
    "payments.payment.failed": Action(MONEY, _("Card payment failed")),
    "payments.payment.refunded": Action(MONEY, _("Card payment refunded")),
    "payments.payment.disputed": Action(MONEY, _("Card payment disputed")),
    "payments.payment.review": Action(MONEY, _("Card payment sent to review")),
    "payments.webhook.refused": Action(MONEY, _("Payment webhook refused")),
    "money.pin_topup.rate_limited": Action(
        MONEY, _("Phone card attempts refused"), _("Too many phone card attempts: refused")
    ),
    # Webhooks
    "webhooks.endpoint.created": Action(
        WEBHOOKS, _("Webhook endpoint added"), _("Added the webhook endpoint %(target)s")
    ),
    "webhooks.endpoint.changed": Action(
        WEBHOOKS, _("Webhook endpoint changed"), _("Changed the webhook endpoint %(target)s")
    ),
    "webhooks.endpoint.secret_replaced": Action(
        WEBHOOKS,
        _("Webhook secret replaced"),
        _("Replaced the signing secret of %(target)s"),
    ),
    "webhooks.endpoint.deleted": Action(
        WEBHOOKS, _("Webhook endpoint deleted"), _("Deleted the webhook endpoint %(target)s")
    ),
    "webhooks.endpoint.tested": Action(
        WEBHOOKS, _("Webhook test event sent"), _("Sent a test event to %(target)s")
    ),
    "webhooks.delivery.replayed": Action(
        WEBHOOKS, _("Webhook delivery replayed"), _("Sent an event again to %(target)s")
    ),
    "billing.phone_card.activate": Action(MONEY, _("Phone card activated")),
    "billing.phone_card.lookup": Action(MONEY, _("Phone card looked up")),
    # Calls and reports
    "cdr.export": Action(CALLS, _("Calls exported")),
    "cdr.export_downloaded": Action(CALLS, _("Call export downloaded")),
    "cdr.pull.start": Action(CALLS, _("Call pull started")),
    "cdr.pull.retry": Action(CALLS, _("Call pull retried")),
    "cdr.retention": Action(CALLS, _("Old calls deleted")),
    "report.start": Action(CALLS, _("Report started")),
    "report.csv_downloaded": Action(CALLS, _("Report downloaded")),
    "audit.export": Action(CALLS, _("Audit trail exported")),
    "audit.chain.verify_requested": Action(
        PLATFORM, _("Audit chain check asked for"), _("Asked for a check of the audit chain")
    ),
    "audit.chain.verified": Action(PLATFORM, _("Audit chain checked")),
    "audit.export_downloaded": Action(CALLS, _("Audit export downloaded")),
    # Telephony
    "dtmf_rule.create": Action(TELEPHONY, _("DTMF rule added")),
    "dtmf_rule.change": Action(TELEPHONY, _("DTMF rule changed")),
    "dtmf_rule.delete": Action(TELEPHONY, _("DTMF rule deleted")),
    "media_block_ip.create": Action(TELEPHONY, _("Media IP blocked")),
    "media_block_ip.delete": Action(TELEPHONY, _("Media IP unblocked")),
    "telephony.limited_group.create": Action(
        TELEPHONY,
        _("Limited-number group created"),
        _("Created the limited-number group %(target)s"),
    ),
    "telephony.limited_group.delete": Action(
        TELEPHONY,
        _("Limited-number group deleted"),
        _("Deleted the limited-number group %(target)s"),
    ),
    # Platform
    "vos_server.create": Action(
        PLATFORM, _("VOS server added"), _("Added the VOS server %(target)s")
    ),
    "vos_server.change": Action(
        PLATFORM, _("VOS server changed"), _("Changed the VOS server %(target)s")
    ),
    "vos_server.test_connection": Action(
        PLATFORM, _("Connection tested"), _("Tested the connection to %(target)s")
    ),
}


# Switch calls (the catalog's write endpoints) with a sentence of their own; every other
# one reads "Switch call: <Endpoint>".
_SWITCH_SENTENCES = {
    "Pay": (_("Payment"), _("Paid %(money)s to account %(account)s on the switch")),
    "PayByPhoneCard": (
        _("Phone card payment"),
        _("Paid account %(account)s from a phone card on the switch"),
    ),
    "CreateCustomer": (_("Account created"), _("Created account %(account)s on the switch")),
    "ModifyCustomer": (_("Account changed"), _("Changed account %(account)s on the switch")),
    "DeleteCustomer": (_("Account deleted"), _("Deleted account %(account)s on the switch")),
    "CreatePhone": (_("Phone added"), _("Added the phone %(e164)s on the switch")),
    "ModifyPhone": (_("Phone changed"), _("Changed the phone %(e164)s on the switch")),
    "DeletePhone": (_("Phone deleted"), _("Deleted the phone %(e164)s on the switch")),
    "CreateCustomerPhoneBook": (
        _("Phone book entry added"),
        _("Added %(e164)s to the phone book of %(account)s"),
    ),
    "ModifyCustomerPhoneBook": (
        _("Phone book entry changed"),
        _("Changed %(e164)s in the phone book of %(account)s"),
    ),
    "DeleteCustomerPhoneBook": (
        _("Phone book entries deleted"),
        _("Deleted entries from the phone book of %(account)s"),
    ),
    "CreateFeeRateGroup": (_("Rate group created"), _("Created the rate group %(name)s")),
    "ModifyFeeRateGroup": (_("Rate group changed"), _("Changed the rate group %(name)s")),
    "DeleteFeeRateGroup": (_("Rate group deleted"), _("Deleted the rate group %(name)s")),
    "CreateGatewayMapping": (
        _("Mapping gateway created"),
        _("Created the mapping gateway %(name)s"),
    ),
    "ModifyGatewayMapping": (
        _("Mapping gateway changed"),
        _("Changed the mapping gateway %(name)s"),
    ),
    "DeleteGatewayMapping": (
        _("Mapping gateway deleted"),
        _("Deleted the mapping gateway %(name)s"),
    ),
    "CreateGatewayRouting": (
        _("Routing gateway created"),
        _("Created the routing gateway %(name)s"),
    ),
    "ModifyGatewayRouting": (
        _("Routing gateway changed"),
        _("Changed the routing gateway %(name)s"),
    ),
    "DeleteGatewayRouting": (
        _("Routing gateway deleted"),
        _("Deleted the routing gateway %(name)s"),
    ),
    "DisconnectCurrentCall": (_("Call hung up"), _("Hung up a call on the switch")),
    "CreateAlarm": (_("Alarm raised"), _("Raised the alarm %(name)s on the switch")),
    "CallBack": (_("Callback placed"), _("Placed a callback to %(callee)s")),
}


def _switch_call(endpoint: str):
    return format_lazy(_("Switch call: {endpoint}"), endpoint=endpoint)


def _switch_actions() -> dict[str, Action]:
    """``vos.<Endpoint>`` for every write endpoint of the catalog (every one is audited)."""
    found = {}
    for endpoint, spec in catalog.ENDPOINTS.items():
        if spec.kind != "write":
            continue
        name, words = _SWITCH_SENTENCES.get(endpoint, (None, None))
        found[f"vos.{endpoint}"] = Action(SWITCH, name or _switch_call(endpoint), words)
    return found


# Every known action: the registry and the switch's write endpoints.
_ALL: dict[str, Action] = {**ACTIONS, **_switch_actions()}


def actions() -> dict[str, Action]:
    return _ALL


def action_words(action: str) -> str:
    """An action's name in words; an unknown one still reads as words."""
    known = actions().get(action)
    if known is not None:
        return str(known.name)
    if action.startswith("vos."):
        return str(_switch_call(action[4:]))
    head, _dot, rest = action.partition(".")
    text = f"{head}: {rest}" if rest else head
    return text.replace("_", " ").replace(".", " ")


def action_choices() -> list:
    """The filter's choices: "any", then per group "all of the group" and each action."""
    grouped: dict[str, list] = defaultdict(list)
    for action, spec in actions().items():
        grouped[spec.group].append((action, spec.name))
    choices: list = [("", _("Any action"))]
    for group, prefix in GROUP_PREFIXES.items():
        rows = sorted(grouped.get(group, []), key=lambda row: str(row[1]))
        everything = (f"group:{prefix}", format_lazy(_("All: {group}"), group=group))
        choices.append((group, [everything, *rows]))
    return choices


# Each group's key in the filter ("group:<key>" stands for all of its actions), in order.
GROUP_PREFIXES = {
    SIGN_IN: "auth",
    USERS: "user",
    ACCOUNTS: "tenant",
    MONEY: "money",
    CALLS: "cdr",
    TELEPHONY: "telephony",
    PLATFORM: "vos_server",
    SWITCH: "vos",
}


def actions_of_group(prefix: str) -> list[str]:
    """The actions a "group:<key>" choice stands for: every known action of that group."""
    group = next((g for g, p in GROUP_PREFIXES.items() if p == prefix), None)
    return [action for action, spec in actions().items() if spec.group == group]


# --- Targets ---------------------------------------------------------------------------------
# target_type -> its kind in words (the filter's choices); others: the model's verbose name.
KINDS = {
    "accounts.tenant": _("Account"),
    "accounts.user": _("User"),
    "accounts.invitation": _("Invitation"),
    "accounts.auditexport": _("Audit export"),
    "api.apikey": _("API key"),
    "billing.moneytransfer": _("Money transfer"),
    "billing.ledgerentry": _("Money transfer step"),
    "billing.moneysettings": _("Money settings"),
    "billing.feerategrant": _("Rate group grant"),
    "billing.cdrexport": _("Call export"),
    "customers.bulkimport": _("Import"),
    "customers.bulkaction": _("Action on many accounts"),
    "billing.cdrpulljob": _("Call pull"),
    "billing.reportjob": _("Report"),
    "switch.vosserver": _("VOS server"),
}


def kind_words(target_type: str) -> str:
    if target_type in KINDS:
        return str(KINDS[target_type])
    model = _model(target_type)
    if model is not None:
        return str(model._meta.verbose_name).capitalize()
    return target_type.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def kind_choices() -> list:
    rows = sorted(((key, words) for key, words in KINDS.items()), key=lambda row: str(row[1]))
    return [("", _("Any kind")), *rows]


def _model(target_type: str):
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


@dataclass(frozen=True)
class Target:
    words: str
    url: str = ""


def _link(scope, target_type: str, target_id: str) -> str:
    if scope is None or target_type not in LINKS:
        return ""
    url_name, reader = LINKS[target_type]
    try:
        lazy(reader)(scope, target_id)
        return reverse(url_name, args=[target_id])
    except (OutOfScope, NoReverseMatch, ValueError, TypeError):
        return ""


def targets_of(events, scope=None) -> dict[tuple[str, str], Target]:
    """(target_type, target_id) -> Target for every event of a page: one query per kind."""
    ids: dict[str, set] = defaultdict(set)
    for event in events:
        if event.target_type and event.target_id:
            ids[event.target_type].add(event.target_id)
    found: dict[tuple[str, str], Target] = {}
    for target_type, keys in ids.items():
        model = _model(target_type)
        rows = {}
        if model is not None:
            try:
                rows = {str(o.pk): o for o in model._base_manager.filter(pk__in=list(keys))}
            except (ValueError, TypeError):
                rows = {}
        for key in keys:
            row = rows.get(key)
            if row is None:
                words = gettext("%(kind)s #%(id)s") % {"kind": kind_words(target_type), "id": key}
                found[(target_type, key)] = Target(words)
            else:
                found[(target_type, key)] = Target(str(row), _link(scope, target_type, key))
    return found


# --- Sentences ---------------------------------------------------------------------------------
def _amount(value) -> str:
    text = grouped(value, money_places())
    return with_currency(text) if text else str(value)


def _choice(target_type: str, field: str, value) -> str:
    """A choice field's label for ``value`` on the target's model ("succeeded" ->
    "Succeeded"), or the value as it is."""
    model = _model(target_type)
    if model is None or value in (None, ""):
        return "" if value is None else str(value)
    try:
        choices = dict(model._meta.get_field(field).flatchoices)
    except FieldDoesNotExist:
        return str(value)
    return str(choices.get(value, value))


def _values(event, target: Target | None) -> dict:
    payload = event.payload if isinstance(event.payload, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    target_words = target.words if target else ""
    account = payload.get("account") or payload.get("ownerName") or ""
    values = {
        "target": (target_words or kind_words(event.target_type)) if event.target_type else "",
        "account": account,
        "money": _amount(payload["money"]) if "money" in payload else "",
        "e164": payload.get("e164") or "",
        "name": payload.get("name") or payload.get("limitE164GroupName") or "",
        "callee": ", ".join(map(str, payload.get("calleeE164s") or [])),
        "endpoint": event.vos_endpoint or event.action.partition(".")[2],
        "state": _choice(event.target_type, "state", after.get("state")) if after else "",
    }
    return values


# A Pay of a negative amount takes money back (a debit adjustment, a refund).
_TOOK = _("Took %(money)s from account %(account)s on the switch")


def sentence(event, target: Target | None = None) -> str:
    """What ``event`` did, in a sentence; falls back to the action's words."""
    spec = actions().get(event.action)
    if spec is None or spec.sentence is None:
        return action_words(event.action)
    template = spec.sentence
    payload = event.payload if isinstance(event.payload, dict) else {}
    if event.action == "vos.Pay" and _negative(payload.get("money")):
        template = _TOOK
        payload = {**payload, "money": abs(to_decimal(payload["money"]))}
        event = _WithPayload(event, payload)
    try:
        return str(template) % _values(event, target)
    except (KeyError, TypeError, ValueError):
        return action_words(event.action)


def _negative(value) -> bool:
    number = to_decimal(value)
    return number is not None and number < 0


class _WithPayload:
    """An event read with another payload (the sentence's view of it only)."""

    def __init__(self, event, payload):
        self._event, self.payload = event, payload

    def __getattr__(self, name):
        return getattr(self._event, name)


@dataclass(frozen=True)
class Described:
    sentence: str
    action: str
    target: Target | None


def describe(events, scope=None) -> list[Described]:
    """Each event of a page in words, in order."""
    events = list(events)
    targets = targets_of(events, scope)
    out = []
    for event in events:
        target = targets.get((event.target_type, event.target_id))
        out.append(Described(sentence(event, target), action_words(event.action), target))
    return out
