"""Issue 14: the demo has at least one object of every kind per demo tenant, made
through the portal's services, and seeding again makes nothing twice."""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import AuditEvent, AuditExport, Invitation
from alerts.models import AlertKind, Notification
from billing.models import CdrExport, MoneyTransfer
from dashboard import demo_objects
from switch.vos import client_for
from telephony.models import LimitedE164Group, MediaBlockIp
from vos3000.client.dates import format_timestamp

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, demo_vos_server, portal_sim):
    settings.VOS_SERVERS = [{"name": demo_vos_server.name, "base_url": portal_sim.base_url}]

    def seed():
        out, err = io.StringIO(), io.StringIO()
        call_command("seed_demo", stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    return demo_vos_server, seed


def _vos(server, endpoint, payload):
    """What VOS (the simulator, over HTTP) holds."""
    return client_for(server).call(endpoint, payload)


def _counts():
    return {
        "audit": AuditEvent.objects.count(),
        "groups": LimitedE164Group.objects.count(),
        "blocks": MediaBlockIp.objects.count(),
        "invitations": Invitation.objects.count(),
        "notifications": Notification.objects.count(),
        "cdr_exports": CdrExport.objects.count(),
        "audit_exports": AuditExport.objects.count(),
        "transfers": MoneyTransfer.objects.count(),
    }


def _vos_state(server):
    book = {
        account: sorted(
            e["e164"]
            for e in _vos(server, "GetCustomerPhoneBook", {"account": account}).get(
                "infoCustomerPhoneBooks"
            )
            or []
        )
        for account in ("manila-bpo", "cafe-roma")
    }
    cards = [
        c["pin"]
        for c in _vos(server, "GetActivePhoneCard", {"accounts": ["manila-bpo"]}).get(
            "infoActivePhoneCards"
        )
        or []
        if str(c["pin"]) == demo_objects.DEMO_CARD_PIN
    ]
    bound = [
        b["e164"]
        for b in _vos(server, "GetBindedE164", {"account": "manila-bpo"}).get("infoBindedE164s")
        or []
        if str(b["e164"]) == demo_objects.DEMO_BOUND_E164
    ]
    audios = [
        a["id"]
        for a in _vos(server, "GetIvrAudio", {"type": 0}).get("infoIvrAudios") or []
        if a.get("name") == demo_objects.DEMO_AUDIO_NAME
    ]
    orders = _vos(server, "GetSuiteOrder", {"ownerName": "manila-bpo", "ownerType": 2}).get(
        "infoSuiteOrders"
    )
    converts = [
        c["id"]
        for c in _vos(server, "GetE164Convert", {"account": "manila-bpo"}).get("infoE164Converts")
        or []
        if c.get("memo") == demo_objects.DEMO_CONVERT_MEMO
    ]
    return {
        "alarms": len(_vos(server, "GetAlarmCurrent", {})["infoAlarmCurrents"]),
        "book": book,
        "converts": converts,
        "cards": cards,
        "bound": bound,
        "audios": audios,
        "orders": len(orders or []),
    }


def test_it_seeds_one_object_of_every_kind_once(seeded, mailoutbox):
    server, seed = seeded
    out, err = seed()
    assert "not made" not in err, err
    for make in demo_objects.ALL:
        assert f"demo {make.__name__}: made" in out

    state = _vos_state(server)
    for email, (e164, _name) in demo_objects.PHONE_BOOK.items():
        account = "manila-bpo" if email == demo_objects.MANILA else "cafe-roma"
        assert e164 in state["book"][account]
    assert len(state["cards"]) == 1
    assert len(state["converts"]) == 1
    assert len(state["bound"]) == 1
    assert len(state["audios"]) == 1
    assert state["orders"] >= 1
    assert set(LimitedE164Group.objects.values_list("owner__vos_account", flat=True)) >= {
        "globaltel",
        "citylink",
    }
    assert MediaBlockIp.objects.filter(ip=demo_objects.DEMO_BLOCKED_IP).count() == 1
    invitation = Invitation.objects.get(email=demo_objects.DEMO_INVITEE)
    assert invitation.invited_by.email == demo_objects.GLOBALTEL
    assert any(demo_objects.DEMO_INVITEE in m.to and "/invite/" in m.body for m in mailoutbox)
    for email in (demo_objects.MANILA, demo_objects.CAFE):
        assert (
            Notification.objects.filter(user__email=email, kind=AlertKind.LOW_BALANCE).count() == 1
        )
    assert (
        Notification.objects.filter(user__email=demo_objects.ADMIN, kind=AlertKind.ALARM).count()
        == 1
    )
    alarms = _vos(server, "GetAlarmCurrent", {})["infoAlarmCurrents"]
    assert [a["name"] for a in alarms].count(demo_objects.DEMO_ALARM_NAME) == 1
    assert CdrExport.objects.filter(requested_by__email=demo_objects.GLOBALTEL).count() == 1
    assert AuditExport.objects.filter(requested_by__email=demo_objects.ADMIN).count() == 1
    review = MoneyTransfer.objects.get(idempotency_key=demo_objects.DEMO_REVIEW_KEY)
    assert (
        review.state == MoneyTransfer.State.REVIEW and review.customer.vos_account == "manila-bpo"
    )
    # The two payments of the same amount were really made on the switch.
    now = datetime.now(UTC)
    span = {
        "account": "manila-bpo",
        "beginTime": format_timestamp(now - timedelta(days=1)),
        "endTime": format_timestamp(now + timedelta(days=1)),
    }
    rows = _vos(server, "GetPayHistory", span).get("infoPayHistorys")
    paid = [r for r in rows or [] if Decimal(str(r["fee"])) == Decimal("4.44")]
    assert len(paid) == 2

    # Made as a person would: in the audit trail, by the demo user who made it.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "telephony.limited_group.create",
        "media_block_ip.create",
        "user.invite",
        "cdr.export",
        "audit.export",
    } <= actions

    # Again: everything kept, nothing new in VOS, in the tables or in the audit trail.
    counts = _counts()
    out, err = seed()
    assert "not made" not in err, err
    for make in demo_objects.ALL:
        assert f"demo {make.__name__}: kept" in out
    assert {k: v for k, v in _counts().items() if k != "audit"} == {
        k: v for k, v in counts.items() if k != "audit"
    }
    assert _vos_state(server) == state


def test_it_warns_and_carries_on_when_a_kind_cannot_be_made(seeded, monkeypatch):
    _server, seed = seeded

    def broken():
        raise RuntimeError("no such thing")

    monkeypatch.setattr(demo_objects, "ALL", (broken, demo_objects.media_block_ip))
    out, err = seed()
    assert "demo broken not made: RuntimeError: no such thing" in err
    assert "demo media_block_ip: made" in out
