"""The VOS push receiver (manual section 3): who may push, what is refused, and what each
message changes once its task (here: the sweep, as after a lost broker message) ran."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Tenant
from billing.models import BalanceReading
from switch import push_inbox
from switch.models import PushInbox
from telephony.models import CurrentAlarm, LiveCall, PhoneRegistration

TOKEN = "push-secret-0123456789"


@pytest.fixture
def pushing(demo):
    server, tenants = demo
    server.push_token = TOKEN
    server.save()
    return server, tenants


def push(client, server, name, payload, *, token=TOKEN, raw=None, **extra):
    url = reverse("vos_push", args=[token, server.name, name])
    body = raw if raw is not None else json.dumps(payload)
    return client.post(url, body, content_type="text/html;charset=UTF-8", **extra)


def online(e164, at, *, is_online=True, ip="203.0.113.7"):
    return {
        "e164": e164,
        "dids": [],
        "online": is_online,
        "eventTime": at,
        "localIp": "192.168.1.20",
        "localPort": 5060,
        "remoteIp": ip,
        "productId": "Yealink SIP-T46U",
    }


def process_all():
    return push_inbox.sweep(older_than=0)


# --- Each message from an allowed address -----------------------------------------------
def test_it_records_a_phone_coming_online_for_its_owner(client, pushing):
    server, tenants = pushing
    answer = push(client, server, "PhoneOnline", online("80002002", 1_000))
    assert answer.json() == {"retCode": 0}
    assert process_all() == 1
    row = PhoneRegistration.objects.get(server=server, e164="80002002")
    assert row.online and row.remote_ip == "203.0.113.7" and row.device == "Yealink SIP-T46U"
    assert row.account == "manila-bpo" and row.tenant_path == tenants["manila"].path


def test_it_never_lets_an_older_event_overwrite_a_newer_one(client, pushing):
    server, _tenants = pushing
    push(client, server, "PhoneOnline", online("80002002", 2_000, is_online=False))
    push(client, server, "PhoneOnline", online("80002002", 1_000, is_online=True))
    process_all()
    row = PhoneRegistration.objects.get(e164="80002002")
    assert not row.online and row.event_time == 2_000


def call_state(call_id, state, at, caller="80002001", callee="80002011"):
    return {
        "callId": call_id,
        "callState": state,
        "eventTime": at,
        "callerE164": caller,
        "calleeE164": callee,
        "callerGatewayId": "",
        "calleeGatewayId": "",
        "callerIp": "203.0.113.7",
        "calleeIp": "203.0.113.8",
        "callerLocalIp": "192.168.1.20",
        "calleeLocalIp": "192.168.1.21",
    }


def test_it_tracks_a_call_until_its_release(client, pushing):
    server, tenants = pushing
    push(client, server, "CallStateReport", call_state(41, -11, 1_000))
    push(client, server, "CallStateReport", call_state(41, -6, 2_000))
    process_all()
    call = LiveCall.objects.get(server=server, call_id=41)
    assert call.connected_at is not None and not call.released
    assert call.caller_path == tenants["manila"].path
    assert call.callee_path == tenants["delhi"].path
    push(client, server, "CallStateReport", call_state(41, -13, 3_000))
    # A late Ringing of the same call does not bring it back.
    push(client, server, "CallStateReport", call_state(41, -11, 1_500))
    process_all()
    assert LiveCall.objects.get(call_id=41).released


def test_it_takes_the_balance_from_a_money_change_and_tells_the_alerts(
    client, pushing, monkeypatch
):
    server, _tenants = pushing
    told = []
    monkeypatch.setattr(
        "alerts.services.balances_changed",
        lambda s, balances: told.extend((s.pk, a, float(m)) for a, m in balances.items()),
    )
    push(client, server, "CustomerMoneyChange", {"account": "manila-bpo", "money": 42.5})
    push(client, server, "CustomerMoneyChange", {"account": "nobody-here", "money": 1.0})
    assert process_all() == 2
    reading = BalanceReading.objects.get(vos_account="manila-bpo")
    assert reading.money == Decimal("42.5") and reading.source == "push"
    assert told == [(server.pk, "manila-bpo", 42.5)]
    # An account the portal does not know is not remembered.
    assert not BalanceReading.objects.filter(vos_account="nobody-here").exists()


def test_it_keeps_the_current_alarms_and_tells_the_alerts(client, pushing, monkeypatch):
    server, _tenants = pushing
    told = []
    monkeypatch.setattr("alerts.services.alarms_reported", lambda s, a: told.append(len(a)))
    alarm = {
        "id": 7,
        "type": 20003,
        "level": 2,
        "name": "CPU high",
        "startTime": 1_000,
        "value": 95,
        "memo": "",
    }
    push(client, server, "AlarmCurrentReport", {"infoAlarmCurrents": [alarm]})
    process_all()
    assert list(CurrentAlarm.objects.values_list("alarm_id", "name")) == [(7, "CPU high")]
    push(client, server, "AlarmCurrentReport", {"infoAlarmCurrents": []})
    process_all()
    assert not CurrentAlarm.objects.exists() and told == [1, 0]


def test_it_answers_dtmf_pushes_at_once_from_the_rule_table(client, pushing, monkeypatch):
    server, _tenants = pushing
    monkeypatch.setattr(
        "telephony.ivr_media.dtmf.answer", lambda s, n, p: {"retCode": 3, "audioNames": ["menu3"]}
    )
    payload = {
        "flowNo": 9,
        "callerE164": "80002001",
        "calleeE164": "800",
        "accessE164": "800",
        "menuName": "main",
        "dtmf": "3",
    }
    assert push(client, server, "PushDtmfInfo", payload).json() == {
        "retCode": 3,
        "audioNames": ["menu3"],
    }
    many = {**payload, "infoDtmfs": [{"menuName": "main", "dtmf": "3"}]}
    del many["menuName"], many["dtmf"]
    assert push(client, server, "PushDtmfInfos", many).json()["retCode"] == 3
    recorded = PushInbox.objects.filter(name__startswith="PushDtmf")
    assert recorded.count() == 2 and all(r.processed_at and r.answer for r in recorded)


# --- Refusals ---------------------------------------------------------------------------
def test_it_refuses_a_wrong_token_or_server(client, pushing):
    server, _tenants = pushing
    assert push(client, server, "PhoneOnline", online("1", 1), token="wrong").status_code == 404
    url = reverse("vos_push", args=[TOKEN, "no-such-server", "PhoneOnline"])
    assert client.post(url, "{}", content_type="application/json").status_code == 404
    assert not PushInbox.objects.exists()


def test_it_falls_back_to_the_global_token_only_without_a_server_token(client, pushing, settings):
    server, _tenants = pushing
    settings.VOS_PUSH_TOKEN = "global-token-0000"
    assert (
        push(client, server, "PhoneOnline", online("1", 1), token="global-token-0000").status_code
        == 404
    )
    server.push_token = ""
    server.save()
    assert push(
        client, server, "PhoneOnline", online("1", 1), token="global-token-0000"
    ).json() == {"retCode": 0}
    settings.VOS_PUSH_TOKEN = ""
    assert push(client, server, "PhoneOnline", online("1", 2), token="x").status_code == 404


def test_it_refuses_a_push_from_an_address_not_of_the_server(client, pushing, settings):
    server, _tenants = pushing
    stranger = {"REMOTE_ADDR": "198.51.100.9"}
    assert push(client, server, "PhoneOnline", online("1", 1), **stranger).status_code == 403
    # A forwarded header is not believed from anyone...
    forged = {"REMOTE_ADDR": "198.51.100.9", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    assert push(client, server, "PhoneOnline", online("1", 1), **forged).status_code == 403
    # ... but from a trusted proxy, its right-most untrusted hop is the source.
    settings.VOS_PUSH_TRUSTED_PROXIES = ["10.0.0.5"]
    proxied = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 127.0.0.1"}
    assert push(client, server, "PhoneOnline", online("1", 1), **proxied).json()["retCode"] == 0
    server.push_source_ips = "192.0.2.0/24, 198.51.100.9"
    server.save()
    assert push(client, server, "PhoneOnline", online("1", 2), **stranger).json()["retCode"] == 0
    assert push(client, server, "PhoneOnline", online("1", 3)).status_code == 403
    assert PushInbox.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "raw", "code"),
    [
        ("PhoneOnline", "{not json", -10124),
        ("PhoneOnline", "[1, 2]", -10124),
        ("PhoneOnline", json.dumps({"e164": "1"}), -12103),
        ("CustomerMoneyChange", json.dumps({"account": "a", "money": "lots"}), -10124),
        ("NoSuchMessage", "{}", -19009),
    ],
)
def test_it_answers_bad_messages_with_a_non_zero_code_and_a_log_line(
    client, pushing, caplog, name, raw, code
):
    server, _tenants = pushing
    answer = push(client, server, name, None, raw=raw)
    assert answer.status_code == 200 and answer.json()["retCode"] == code
    assert any("push" in r.getMessage() for r in caplog.records)
    assert not PushInbox.objects.exists()


def test_it_serves_the_old_money_push_address_with_the_same_receiver(client, pushing):
    server, _tenants = pushing
    url = reverse("vos_push_customer_money_change", args=[TOKEN, server.name])
    answer = client.post(url, {"account": "acme", "money": 3.25}, "application/json")
    assert answer.json() == {"retCode": 0}
    process_all()
    assert BalanceReading.objects.get(vos_account="acme").money == Decimal("3.25")


# --- Replays, duplicates and bursts -----------------------------------------------------
def test_it_shrugs_off_replays_and_duplicates(client, pushing):
    server, _tenants = pushing
    message = online("80002003", 5_000)
    for _ in range(3):
        assert push(client, server, "PhoneOnline", message).json() == {"retCode": 0}
    assert PushInbox.objects.filter(processed_at__isnull=True).count() == 1
    assert process_all() == 1
    before = PhoneRegistration.objects.get(e164="80002003")
    assert push(client, server, "PhoneOnline", message).json() == {"retCode": 0}
    assert process_all() == 1
    after = PhoneRegistration.objects.get(e164="80002003")
    assert (after.online, after.event_time, after.remote_ip) == (
        before.online,
        before.event_time,
        before.remote_ip,
    )
    # Processing the same row twice changes nothing.
    assert push_inbox.process(PushInbox.objects.last().pk) is False


def test_it_processes_every_push_of_a_burst_of_a_thousand(client, pushing):
    server, tenants = pushing
    accounts = [t.vos_account for t in tenants.values() if t.kind == Tenant.Kind.CUSTOMER]
    for n in range(1000):
        account = accounts[n % len(accounts)]
        answer = push(client, server, "CustomerMoneyChange", {"account": account, "money": n})
        assert answer.json() == {"retCode": 0}
    assert PushInbox.objects.count() == 1000
    assert process_all() == 1000
    assert not PushInbox.objects.filter(processed_at__isnull=True).exists()
    assert not PushInbox.objects.exclude(error="").exists()
    last = {accounts[n % len(accounts)]: n for n in range(1000)}
    for account, money in last.items():
        assert BalanceReading.objects.get(vos_account=account).money == money


def test_it_retries_a_failed_message_then_gives_up(pushing, monkeypatch):
    server, _tenants = pushing
    row = PushInbox.objects.create(
        server=server, name="AlarmCurrentReport", payload={"infoAlarmCurrents": []}, dedupe_key="k"
    )

    def broken(*args):
        raise RuntimeError("alerts down")

    monkeypatch.setattr("alerts.services.alarms_reported", broken)
    for _ in range(push_inbox.MAX_ATTEMPTS - 1):
        assert process_all() == 0
    row.refresh_from_db()
    assert row.processed_at is None and "alerts down" in row.error
    process_all()
    row.refresh_from_db()
    assert row.processed_at is not None and row.attempts == push_inbox.MAX_ATTEMPTS


def test_it_keeps_a_push_when_the_broker_is_down(
    client, pushing, monkeypatch, django_capture_on_commit_callbacks
):
    from switch import tasks

    server, _tenants = pushing

    def broker_down(*args):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.drain_pushes, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = push(client, server, "CustomerMoneyChange", {"account": "acme", "money": 5})
    assert answer.json() == {"retCode": 0} and len(callbacks) == 1
    assert process_all() == 1
    assert BalanceReading.objects.get(vos_account="acme").money == 5


def test_it_keeps_the_latest_balance_whatever_order_the_tasks_run_in(client, pushing):
    server, _tenants = pushing
    for money in (10, 20, 10):  # a change back to 10 is real, not a duplicate
        push(client, server, "CustomerMoneyChange", {"account": "acme", "money": money})
    rows = list(PushInbox.objects.order_by("pk"))
    assert len(rows) == 3
    for row in reversed(rows):  # the newest task first: the older ones are superseded
        push_inbox.process(row.pk)
    assert BalanceReading.objects.get(vos_account="acme").money == 10
    assert not PushInbox.objects.filter(processed_at__isnull=True).exists()


HOSTILE_BODIES = {
    "deeply nested": '{"account": "manila-bpo", "money": 1, "x": ' + "[" * 5000 + "]" * 5000 + "}",
    "NUL in a string": '{"account": "manila\\u0000bpo", "money": 1}',
    "NUL in a key": '{"account": "manila-bpo", "money": 1, "a\\u0000": 1}',
    "1e999": '{"account": "manila-bpo", "money": 1e999}',
    "NaN": '{"account": "manila-bpo", "money": NaN}',
    "-Infinity": '{"account": "manila-bpo", "money": -Infinity}',
    "a huge integer": '{"account": "manila-bpo", "money": ' + "9" * 5000 + "}",
    "not UTF-8": b'{"account": "\xff\xfe", "money": 1}',
    "a list": "[1, 2]",
    "wrong type": '{"account": 5, "money": "a lot"}',
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_it_answers_a_hostile_body_with_an_error_code_and_stores_nothing(client, pushing, body):
    """VOS re-sends a push that got an error status: a 500 would keep it coming back."""
    server, _tenants = pushing
    answer = push(client, server, "CustomerMoneyChange", None, raw=body)
    assert answer.status_code == 200
    assert answer.json()["retCode"] != 0
    assert not PushInbox.objects.exists()
