"""One object of every kind for the demo tenants (issue 14), so every page has something
to show. Each is made through the portal's own services with the scope of the demo user
who would make it, so it lands in VOS (the simulator) and in the audit trail as if a
person had made it. Every function is idempotent: it looks for its object first, by a
stable name or number, and makes nothing when it is there. Each returns True when it made
something."""

from __future__ import annotations

import json
import urllib.request
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from accounts.audit_trail.forms import AuditFilterForm
from accounts.audit_trail.services import start_export as start_audit_export
from accounts.models import AuditExport, Invitation, Tenant, User
from accounts.roles import Role
from accounts.scope import Scope
from accounts.users.services import invite_user
from alerts.forms import CreateAlarmForm
from alerts.models import AlertSettings
from alerts.services import alarms_reported, set_threshold
from billing.cdrs import export as cdr_exports
from billing.cdrs.forms import CdrSearchForm
from billing.models import CdrExport, MoneyTransfer
from billing.money import services as money_services
from billing.rates import selectors as rate_selectors
from billing.rates import services as rate_services
from customers.phonebook import selectors as phonebook_selectors
from customers.phonebook import services as phonebook_services
from switch import vos
from switch.models import VosServer
from telephony.ivr_media import selectors as ivr_selectors
from telephony.ivr_media import services as ivr_services
from telephony.models import LimitedE164Group, MediaBlockIp
from telephony.numbers import selectors as number_selectors
from telephony.numbers import services as number_services
from telephony.phones import selectors as phone_selectors

ADMIN = "admin@demo.vosportal"
GLOBALTEL = "globaltel@demo.vosportal"
CITYLINK = "citylink@demo.vosportal"
MANILA = "manila@demo.vosportal"
CAFE = "cafe@demo.vosportal"

PHONE_BOOK = {
    MANILA: ("639171234567", "Manila front desk"),
    CAFE: ("390612345678", "Roma kitchen"),
}
LIMITED_GROUPS = {GLOBALTEL: ("premium", "4490001"), CITYLINK: ("blocked", "4490002")}
DEMO_CARD_PIN = "5559000001"
DEMO_BOUND_E164 = "4479009001"
DEMO_CONVERT_MEMO = "demo convert"
DEMO_INVITEE = "new.colleague@demo.vosportal"
DEMO_AUDIO_NAME = "demo-welcome"
DEMO_BLOCKED_IP = "203.0.113.66"  # TEST-NET-3: documentation only, never a real peer


def _scope(email: str) -> Scope:
    return Scope(user=User.objects.select_related("tenant").get(email=email))


def _server() -> VosServer:
    return VosServer.objects.order_by("pk").first()


def phone_book_entries() -> bool:
    made = False
    for email, (e164, name) in PHONE_BOOK.items():
        scope = _scope(email)
        tenant = scope.tenant
        if phonebook_selectors.phone_book_entry(scope, tenant, e164) is None:
            phonebook_services.add_phone_book_entry(scope, tenant, {"e164": e164, "name": name})
            made = True
    return made


def limited_groups() -> bool:
    made = False
    server = _server()
    for email, (name, e164) in LIMITED_GROUPS.items():
        scope = _scope(email)
        owner = scope.tenant
        full = number_services.limited_group_name(owner, name)
        if LimitedE164Group.objects.filter(server=server, name=full).exists():
            continue
        number_services.create_limited_group(
            scope, server=server, owner=owner, name=name, memo="demo", numbers=[(e164, "demo")]
        )
        made = True
    return made


def card_and_binding() -> bool:
    """An active phone card of manila-bpo with one number bound to it."""
    scope = _scope(MANILA)
    tenant = scope.tenant
    made = False
    cards = {str(c["pin"]): c for c in number_selectors.active_cards(scope, tenant)}
    if DEMO_CARD_PIN not in cards:
        number_services.create_card(
            scope, tenant, {"pin": DEMO_CARD_PIN, "password": "4321", "memo": "demo card"}
        )
        cards = {str(c["pin"]): c for c in number_selectors.active_cards(scope, tenant)}
        made = True
    if not any(str(b["e164"]) == DEMO_BOUND_E164 for b in number_selectors.bindings(scope, tenant)):
        number_services.create_binding(
            scope, tenant, cards[DEMO_CARD_PIN], {"e164": DEMO_BOUND_E164, "memo": "demo"}
        )
        made = True
    return made


def e164_convert() -> bool:
    """A convert on manila-bpo's first phone."""
    scope = _scope(MANILA)
    tenant = scope.tenant
    if any(c.get("memo") == DEMO_CONVERT_MEMO for c in number_selectors.converts(scope, tenant)):
        return False
    phones = phone_selectors.phones(scope, tenant)
    if not phones:
        raise ValueError(f"{tenant.vos_account} has no phone to convert for")
    phone = sorted(phones, key=lambda p: str(p["e164"]))[0]
    number_services.create_convert(
        scope,
        tenant,
        phone,
        {
            "mappingGatewayCallerE164": "6328001000",
            "routingGatewayCalleeE164": "6328001000",
            "memo": DEMO_CONVERT_MEMO,
        },
    )
    return True


def invitation() -> bool:
    scope = _scope(GLOBALTEL)
    if Invitation.objects.filter(email=DEMO_INVITEE).exists():
        return False
    invite_user(
        scope,
        email=DEMO_INVITEE,
        tenant=scope.tenant,
        role=Role.RESELLER_OPERATOR,
        # No request here: the link is built on the address alert emails use.
        build_url=lambda token: (
            settings.ALERTS_PORTAL_URL.rstrip("/") + reverse("invitation_accept", args=[token])
        ),
    )
    return True


def ivr_audio() -> bool:
    scope = _scope(ADMIN)
    server = _server()
    if any(a.get("name") == DEMO_AUDIO_NAME for a in ivr_selectors.audios(scope, server, 0)):
        return False
    ivr_services.create_audio(scope, server, {"type": 0, "name": DEMO_AUDIO_NAME})
    return True


def media_block_ip() -> bool:
    server = _server()
    if MediaBlockIp.objects.filter(server=server, ip=DEMO_BLOCKED_IP).exists():
        return False
    ivr_services.block_media_ip(_scope(ADMIN), server, DEMO_BLOCKED_IP, "demo: a noisy peer")
    return True


def suite_order() -> bool:
    """manila-bpo's account orders the first suite, ordered by its reseller."""
    scope = _scope(GLOBALTEL)
    tenant = Tenant.objects.get(vos_account="manila-bpo")
    owner = rate_selectors.suite_owner(scope, tenant)
    if rate_selectors.suite_orders(scope, tenant, owner):
        return False
    suites = rate_selectors.suites(scope, rate_selectors.require_linked(tenant))
    if not suites:
        raise ValueError("VOS has no suite to order")
    rate_services.order_suite(
        scope,
        tenant,
        suite_id=int(suites[0]["id"]),
        owner=owner,
        available=date.today(),
        expires=date.today() + timedelta(days=365),
    )
    return True


def low_balance_notifications() -> bool:
    """Each demo customer's owner raises the account's own low-balance threshold above
    the balance VOS last told (what the Alerts page lets them do): a real crossing, so
    the owner and the reseller's managers are told, as on any low balance."""
    made = False
    for email in (MANILA, CAFE):
        scope = _scope(email)
        tenant = scope.tenant
        if AlertSettings.objects.filter(
            tenant=tenant, low_balance_threshold__isnull=False
        ).exists():
            continue
        # The balance as the customer's home page reads it (remembered, which arms
        # the account's low-balance alert at the threshold in force).
        known = money_services.read_balance(scope, tenant)
        threshold = (Decimal(str(known.money)) + Decimal("100")).quantize(Decimal("1"))
        set_threshold(scope, tenant, threshold)
        made = True
    return made


DEMO_ALARM_NAME = "Demo: trunk utilisation high"


def admin_alarm() -> bool:
    """The admin raises an alarm in VOS (CreateAlarm, as the Alarms page does) and the
    portal reads the current alarms, which tells the platform's people."""
    scope = _scope(ADMIN)
    server = _server()
    current = vos.call(scope, server, "GetAlarmCurrent", {}).get("infoAlarmCurrents") or []
    made = False
    if not any(a.get("name") == DEMO_ALARM_NAME for a in current):
        form = CreateAlarmForm(
            {
                "server": server.pk,
                "name": DEMO_ALARM_NAME,
                "level": "1",
                "value": "85",
                "alarmInfo": "demo: 85% of the trunk in use",
                "upper": "80",
                "lower": "10",
            }
        )
        if not form.is_valid():
            raise ValueError(f"alarm form: {form.errors.as_json()}")
        vos.call(scope, server, "CreateAlarm", form.to_payload(), target=server)
        current = vos.call(scope, server, "GetAlarmCurrent", {}).get("infoAlarmCurrents") or []
        made = True
    alarms_reported(server, current)
    return made


def cdr_export() -> bool:
    scope = _scope(GLOBALTEL)
    if CdrExport.objects.filter(requested_by=scope.user).exists():
        return False
    today = date.today()
    form = CdrSearchForm(
        {"date_from": (today - timedelta(days=30)).isoformat(), "date_to": today.isoformat()},
        scope=scope,
    )
    if not form.is_valid():
        raise ValueError(f"CDR search form: {form.errors.as_json()}")
    cdr_exports.start(scope, scope.user, form, CdrExport.Format.CSV)
    return True


def audit_export() -> bool:
    scope = _scope(ADMIN)
    if AuditExport.objects.filter(requested_by=scope.user).exists():
        return False
    form = AuditFilterForm({}, scope=scope)
    if not form.is_valid():
        raise ValueError(f"audit filter form: {form.errors.as_json()}")
    start_audit_export(scope, scope.user, form)
    return True


DEMO_REVIEW_KEY = "demo-transfer-in-review-0001"
DEMO_REVIEW_AMOUNT = "4.44"


def _simulator_control(server, action: str, **params) -> None:
    """The simulator's control API (``POST /_sim/<action>``, next to its API under
    ``make run``). On a real VOS there is none: the call fails and the kind is skipped."""
    parts = urlsplit(server.base_url)
    url = f"{parts.scheme}://{parts.netloc}/_sim/{action}"
    if parts.scheme not in {"http", "https"}:
        raise ValueError("not an http simulator")
    request = urllib.request.Request(  # noqa: S310 (http(s) checked above)
        url,
        data=json.dumps(params).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        response.read()


def transfer_in_review() -> bool:
    """A top-up the platform sent to manila-bpo whose Pay the switch never applied (the
    simulator drops it before applying, by fault injection), while two payments of the
    same amount were made on the switch itself meanwhile (as at the VOS console): the
    reconciliation finds two candidates in GetPayHistory and hands the transfer to a
    person. Every payment in it is one VOS really made; nothing is written by hand."""
    if MoneyTransfer.objects.filter(idempotency_key=DEMO_REVIEW_KEY).exists():
        return False
    scope = _scope(ADMIN)
    server = _server()
    customer = Tenant.objects.get(vos_account="manila-bpo")
    _simulator_control(server, "fault", endpoint="Pay", mode="timeout_before", seconds=0.2)
    try:
        transfer = money_services.topup(
            scope, customer, DEMO_REVIEW_AMOUNT, key=DEMO_REVIEW_KEY, memo="demo"
        )
    finally:
        _simulator_control(server, "clear_faults")
    if transfer.state != MoneyTransfer.State.UNKNOWN:
        return True  # VOS answered after all: a plain top-up, nothing to review
    for _payment in range(2):
        vos.call(
            scope,
            server,
            "Pay",
            {
                "ownerName": customer.vos_account,
                "ownerType": 2,
                "money": float(DEMO_REVIEW_AMOUNT),
                "memo": "demo: paid on the switch console",
            },
            target=customer,
            tenant=customer,
        )
    money_services.reconcile_transfer(scope, transfer)
    return True


# In the order seed_demo makes them.
ALL = (
    phone_book_entries,
    limited_groups,
    card_and_binding,
    e164_convert,
    invitation,
    ivr_audio,
    media_block_ip,
    suite_order,
    low_balance_notifications,
    admin_alarm,
    cdr_export,
    audit_export,
    transfer_in_review,
)
