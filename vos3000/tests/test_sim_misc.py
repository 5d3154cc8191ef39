"""Simulator: active phone cards, binded E164, E164 converts, phone books, limited E164,
IVR audio, alarms (with their push), media block IPs, soft switch and performance."""

from __future__ import annotations

import io
import json
import threading
import time
import urllib.error
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vos3000.simulator import codes
from vos3000.tests.simhttp import call, ok

ACCOUNT = 2


def balance(sim, account: str) -> float:
    return ok(sim, "GetCustomer", accounts=[account])["infoCustomers"][0]["money"]


@pytest.fixture
def customer(sim):
    ok(sim, "CreateCustomer", account="acme", money=10, phoneBookLimit=2)
    return "acme"


# ---------------------------------------------------------------------------- cards


def test_it_keeps_an_active_phone_card(sim, customer):
    before = sim.control("now")["now"]
    created = ok(
        sim,
        "CreateActivePhoneCard",
        pin="p1",
        account=customer,
        displayE164="555",
        bindLimit=2,
        memo="m",
    )
    given = ok(sim, "CreateActivePhoneCard", pin="p2", account=customer, password="secret")

    cards = ok(sim, "GetActivePhoneCard", accounts=[customer])["infoActivePhoneCards"]

    assert isinstance(created["password"], int) and len(str(created["password"])) == 8
    assert "password" not in given
    first, second = cards
    assert {k: first[k] for k in ("pin", "account", "displayE164", "bindLimit", "memo")} == {
        "pin": "p1",
        "account": customer,
        "displayE164": "555",
        "bindLimit": 2,
        "memo": "m",
    }
    assert first["password"] == str(created["password"]) and second["password"] == "secret"
    assert first["activeTime"] >= before


def test_it_modifies_and_deletes_an_active_phone_card(sim, customer):
    ok(sim, "CreateCustomer", account="other")
    ok(sim, "CreateActivePhoneCard", pin="p1", account=customer, memo="old")

    ok(sim, "ModifyActivePhoneCard", pin="p1", account="other", displayE164="777")
    (card,) = ok(sim, "GetActivePhoneCard", pins=["p1"])["infoActivePhoneCards"]
    ok(sim, "DeleteActivePhoneCard", pin="p1")

    assert (card["account"], card["displayE164"], card["memo"]) == ("other", "777", "old")
    assert ok(sim, "GetActivePhoneCard", pins=["p1"])["infoActivePhoneCards"] == []
    assert call(sim, "DeleteActivePhoneCard", pin="p1")["retCode"] == codes.NOT_FOUND
    assert call(sim, "ModifyActivePhoneCard", pin="p1")["retCode"] == codes.NOT_FOUND


def test_it_refuses_bad_active_phone_cards(sim, customer):
    ok(sim, "CreateActivePhoneCard", pin="p1", account=customer)

    assert (
        call(sim, "CreateActivePhoneCard", pin="p1", account=customer)["retCode"]
        == codes.ALREADY_EXISTS
    )
    assert (
        call(sim, "CreateActivePhoneCard", pin="p2", account="ghost")["retCode"] == codes.NOT_FOUND
    )
    assert (
        call(sim, "ModifyActivePhoneCard", pin="p1", account="ghost")["retCode"] == codes.NOT_FOUND
    )
    assert call(sim, "GetActivePhoneCard")["retCode"] == codes.INPUT_ERROR


def test_it_binds_numbers_to_a_card_within_its_limit(sim, customer):
    ok(sim, "CreateActivePhoneCard", pin="p1", account=customer, bindLimit=2)
    ok(sim, "CreateBindedE164", e164="100", pin="p1", displayE164="d", language="en", memo="x")
    ok(sim, "CreateBindedE164", e164="101", pin="p1")

    over = call(sim, "CreateBindedE164", e164="102", pin="p1")
    by_pin = ok(sim, "GetBindedE164", pin="p1")["infoBindedE164s"]
    by_account = ok(sim, "GetBindedE164", account=customer)["infoBindedE164s"]
    by_number = ok(sim, "GetBindedE164", e164s=["101"])["infoBindedE164s"]

    assert over["retCode"] == codes.BIND_LIMIT_REACHED
    assert [b["e164"] for b in by_pin] == ["100", "101"] == [b["e164"] for b in by_account]
    assert by_pin[0]["account"] == customer and by_pin[0]["language"] == "en"
    assert by_pin[0]["bindTime"] > 0
    assert [b["e164"] for b in by_number] == ["101"]


def test_it_modifies_and_deletes_binded_numbers(sim, customer):
    ok(sim, "CreateCustomer", account="other")
    ok(sim, "CreateActivePhoneCard", pin="p1", account=customer)
    ok(sim, "CreateActivePhoneCard", pin="p2", account="other")
    ok(sim, "CreateBindedE164", e164="100", pin="p1", memo="keep")

    ok(sim, "ModifyBindedE164", e164="100", pin="p2", rewriteRulesOutCallee="0:00")
    (bound,) = ok(sim, "GetBindedE164", e164s=["100"])["infoBindedE164s"]
    in_use = call(sim, "DeleteActivePhoneCard", pin="p2")
    ok(sim, "DeleteBindedE164", e164="100")

    assert (bound["pin"], bound["account"], bound["memo"]) == ("p2", "other", "keep")
    assert bound["rewriteRulesOutCallee"] == "0:00"
    assert in_use["retCode"] == codes.IN_USE
    assert call(sim, "DeleteBindedE164", e164="100")["retCode"] == codes.NOT_FOUND
    assert call(sim, "ModifyBindedE164", e164="100")["retCode"] == codes.NOT_FOUND
    assert call(sim, "CreateBindedE164", e164="200", pin="nope")["retCode"] == codes.NOT_FOUND


def test_it_pays_into_the_account_behind_a_card_or_a_binded_number(sim, customer):
    ok(sim, "CreateActivePhoneCard", pin="p1", account=customer)
    ok(sim, "CreateBindedE164", e164="100", pin="p1")

    ok(sim, "Pay", ownerName="p1", ownerType=11, money=5)
    ok(sim, "Pay", ownerName="100", ownerType=25, money=2)

    assert balance(sim, customer) == 17


# ---------------------------------------------------------------------------- converts


def test_it_keeps_e164_converts_of_a_phone(sim, customer):
    ok(sim, "CreatePhone", autoCreateAccount=False, account=customer, e164="3001")
    created = ok(
        sim,
        "CreateE164Convert",
        mappingGatewayCallerE164="0201234",
        e164="3001",
        routingGatewayCalleeE164="442071234",
        memo="office",
    )

    ok(sim, "ModifyE164Convert", id=created["id"], routingGatewayCalleeE164="449999", memo="moved")
    by_account = ok(sim, "GetE164Convert", account=customer)["infoE164Converts"]
    by_phone = ok(sim, "GetE164Convert", e164="3001")["infoE164Converts"]

    assert (
        by_account
        == by_phone
        == [
            {
                "id": created["id"],
                "account": customer,
                "e164": "3001",
                "mappingGatewayCallerE164": "0201234",
                "routingGatewayCalleeE164": "449999",
                "memo": "moved",
            }
        ]
    )
    ok(sim, "DeleteE164Convert", id=created["id"])
    assert ok(sim, "GetE164Convert")["infoE164Converts"] == []


def test_it_refuses_bad_e164_converts(sim, customer):
    ok(sim, "CreatePhone", autoCreateAccount=False, account=customer, e164="3001")
    convert = {"mappingGatewayCallerE164": "020", "routingGatewayCalleeE164": "44", "memo": ""}
    first = ok(sim, "CreateE164Convert", e164="3001", **convert)

    no_phone = call(
        sim, "CreateE164Convert", **{**convert, "mappingGatewayCallerE164": "021"}, e164="9"
    )
    same_caller = call(sim, "CreateE164Convert", e164="3001", **convert)

    assert no_phone["retCode"] == codes.NOT_FOUND
    assert same_caller["retCode"] == codes.ALREADY_EXISTS
    assert call(sim, "ModifyE164Convert", id=first["id"] + 1)["retCode"] == codes.NOT_FOUND
    assert call(sim, "DeleteE164Convert", id=first["id"] + 1)["retCode"] == codes.NOT_FOUND


# ---------------------------------------------------------------------------- phone books


def test_it_keeps_a_customers_phone_book(sim, customer):
    ok(
        sim,
        "CreateCustomerPhoneBook",
        account=customer,
        e164="4401",
        shortE164s=["1", "11"],
        name="Ann",
        department="Sales",
        deviceType=1,
        addressType=2,
        memo="vip",
    )

    (entry,) = ok(sim, "GetCustomerPhoneBook", account=customer)["infoCustomerPhoneBooks"]

    assert {k: v for k, v in entry.items() if k != "lastUpdateTime"} == {
        "e164": "4401",
        "shortE164s": ["1", "11"],
        "name": "Ann",
        "department": "Sales",
        "deviceType": 1,
        "addressType": 2,
        "type": 0,
        "memo": "vip",
    }
    assert entry["lastUpdateTime"] > 0


def test_it_modifies_renumbers_and_deletes_phone_book_entries(sim, customer):
    ok(sim, "CreateCustomerPhoneBook", account=customer, e164="4401", name="Ann", shortE164s=["1"])

    ok(
        sim,
        "ModifyCustomerPhoneBook",
        account=customer,
        e164="4401",
        newE164="4402",
        department="Ops",
    )
    (entry,) = ok(sim, "GetCustomerPhoneBook", account=customer)["infoCustomerPhoneBooks"]
    ok(sim, "DeleteCustomerPhoneBook", account=customer, e164s=["4402"])

    assert (entry["e164"], entry["name"], entry["department"]) == ("4402", "Ann", "Ops")
    assert entry["shortE164s"] == ["1"]
    assert ok(sim, "GetCustomerPhoneBook", account=customer)["infoCustomerPhoneBooks"] == []
    gone = call(sim, "DeleteCustomerPhoneBook", account=customer, e164s=["4402"])
    assert gone["retCode"] == codes.NOT_FOUND


def test_it_respects_the_phone_book_limit_and_overwrite(sim, customer):
    ok(sim, "CreateCustomerPhoneBook", account=customer, e164="1", name="a")
    ok(sim, "CreateCustomerPhoneBook", account=customer, e164="2", name="b")

    full = call(sim, "CreateCustomerPhoneBook", account=customer, e164="3")
    twice = call(sim, "CreateCustomerPhoneBook", account=customer, e164="2", name="c")
    ok(sim, "CreateCustomerPhoneBook", account=customer, e164="2", name="c", overwrite=True)

    assert full["retCode"] == codes.PHONE_BOOK_FULL
    assert twice["retCode"] == codes.ALREADY_EXISTS
    names = [
        e["name"]
        for e in ok(sim, "GetCustomerPhoneBook", account=customer)["infoCustomerPhoneBooks"]
    ]
    assert names == ["a", "c"]


def test_it_treats_a_zero_phone_book_limit_as_none(sim):
    ok(sim, "CreateCustomer", account="free")

    for number in ("1", "2", "3"):
        ok(sim, "CreateCustomerPhoneBook", account="free", e164=number)


def test_it_refuses_bad_phone_book_entries(sim, customer):
    ok(sim, "CreateCustomerPhoneBook", account=customer, e164="1", shortE164s=["9"])

    same_short = call(sim, "CreateCustomerPhoneBook", account=customer, e164="2", shortE164s=["9"])
    no_account = call(sim, "CreateCustomerPhoneBook", account="ghost", e164="1")
    no_entry = call(sim, "ModifyCustomerPhoneBook", account=customer, e164="7", name="x")

    assert same_short["retCode"] == codes.ALREADY_EXISTS
    assert no_account["retCode"] == codes.NOT_FOUND
    assert no_entry["retCode"] == codes.NOT_FOUND


# ---------------------------------------------------------------------------- limited E164


def test_it_keeps_limited_e164_groups(sim):
    ok(
        sim,
        "CreateLimitedE164",
        limitE164GroupName="blocked",
        infoLimitE164s=[{"e164": "1"}, {"e164": "2", "memo": "spam"}],
    )
    ok(
        sim,
        "CreateLimitedE164",
        limitE164GroupName="blocked",
        infoLimitE164s=[{"e164": "1", "memo": "again"}],
    )

    ok(sim, "DeleteLimitE164", limitE164GroupName="blocked", e164s=["2"])

    assert sim.control("limited_numbers", group="blocked") == {"numbers": {"1": "again"}}
    missing = call(sim, "DeleteLimitE164", limitE164GroupName="nothing", e164s=["1"])
    assert missing["retCode"] == codes.NOT_FOUND


# ---------------------------------------------------------------------------- IVR audio


def wav(rate: int = 8000, width: int = 2, channels: int = 1, frames: int = 4000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(channels)
        sound.setsampwidth(width)
        sound.setframerate(rate)
        sound.writeframes(b"\x01" * (frames * channels * width))
    return buffer.getvalue()


def test_it_keeps_ivr_audio_and_its_data(sim):
    created = ok(sim, "CreateIvrAudio", type=4, name="welcome", language="en", memo="hi")
    ok(sim, "CreateIvrAudio", type=0, name="welcome")
    data = wav(frames=12000)

    ok(sim, "ModifyIvrAudioData", id=created["id"], data=data.hex().upper())
    ok(sim, "ModifyIvrAudio", id=created["id"], ivrServiceName="callback")
    audios = ok(sim, "GetIvrAudio", type=4)["infoIvrAudios"]

    assert audios == [
        {
            "id": created["id"],
            "type": 4,
            "name": "welcome",
            "language": "en",
            "ivrServiceName": "callback",
            "size": len(data),
            "memo": "hi",
        }
    ]
    stored = sim.control("ivr_audio", id=created["id"])
    assert (stored["size"], stored["durationMs"], stored["data"]) == (len(data), 1500, data.hex())
    assert ok(sim, "GetIvrAudio", type=4, ids=created["id"] + 1)["infoIvrAudios"] == []
    assert ok(sim, "GetIvrAudio", type=4, ids=[created["id"]])["infoIvrAudios"] == audios


@pytest.mark.parametrize(
    "data",
    [
        "not hex",
        "abc",
        b"RIFF....".hex(),
        wav(rate=16000).hex(),
        wav(channels=2).hex(),
        wav(width=1).hex(),
    ],
)
def test_it_refuses_ivr_data_that_is_not_the_manuals_wav(sim, data):
    created = ok(sim, "CreateIvrAudio", type=0, name="x")

    answer = call(sim, "ModifyIvrAudioData", id=created["id"], data=data)

    assert answer["retCode"] == codes.INPUT_ERROR
    assert ok(sim, "GetIvrAudio", type=0)["infoIvrAudios"][0]["size"] == 0


def test_it_deletes_ivr_audio_and_knows_unknown_ids(sim):
    created = ok(sim, "CreateIvrAudio", type=1, name="x")

    ok(sim, "DeleteIvrAudio", id=created["id"])

    assert ok(sim, "GetIvrAudio", type=1)["infoIvrAudios"] == []
    assert call(sim, "DeleteIvrAudio", id=created["id"])["retCode"] == codes.NOT_FOUND
    assert call(sim, "ModifyIvrAudio", id=created["id"], memo="x")["retCode"] == codes.NOT_FOUND
    wav_hex = wav().hex()
    assert (
        call(sim, "ModifyIvrAudioData", id=created["id"], data=wav_hex)["retCode"]
        == codes.NOT_FOUND
    )
    assert call(sim, "CreateIvrAudio", type=1, name="y")["retCode"] == 0
    assert call(sim, "CreateIvrAudio", type=1, name="y")["retCode"] == codes.ALREADY_EXISTS


# ---------------------------------------------------------------------------- alarms


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, json.loads(body)))
        answer = b'{"retCode":0}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(sim):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sim.control("settings", push_url=f"http://127.0.0.1:{server.server_port}/push")
    yield server.received
    server.shutdown()
    server.server_close()


def wait_for(received: list, count: int) -> list:
    deadline = time.monotonic() + 5
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return received


def test_it_raises_an_alarm_and_pushes_the_current_list(sim, receiver):
    ok(
        sim,
        "CreateAlarm",
        name="Account Balance",
        level=2,
        value=3.5,
        alarmInfo="acme low",
        lower=5,
    )
    ok(sim, "CreateAlarm", name="Disk", level=1)

    alarms = ok(sim, "GetAlarmCurrent")["infoAlarmCurrents"]
    pushes = wait_for(receiver, 2)

    first, second = alarms
    assert (first["name"], first["type"], first["level"]) == ("Account Balance", 20007, 2)
    assert (first["value"], first["lower"], first["memo"]) == (3.5, 5.0, "acme low")
    assert second["value"] == 2147483647.0 and second["startTime"] > 0
    assert "upper" not in second and "stopTime" not in second
    assert [path for path, _ in pushes] == ["/push/AlarmCurrentReport"] * 2
    assert [len(body["infoAlarmCurrents"]) for _, body in pushes] == [1, 2]
    assert pushes[1][1]["infoAlarmCurrents"] == alarms


def test_it_reports_an_alarm_when_its_start_time_comes(sim, receiver):
    start = sim.control("now")["now"] + 60_000
    ok(sim, "CreateAlarm", name="Later", startTime=start, stopTime=start + 60_000)

    before = ok(sim, "GetAlarmCurrent")["infoAlarmCurrents"]
    sim.control("advance", seconds=61)
    during = ok(sim, "GetAlarmCurrent")["infoAlarmCurrents"]
    pushes = wait_for(receiver, 1)
    sim.control("advance", seconds=60)
    after = ok(sim, "GetAlarmCurrent")["infoAlarmCurrents"]

    assert before == [] and [a["name"] for a in during] == ["Later"] and after == []
    assert [body["infoAlarmCurrents"][0]["name"] for _, body in pushes] == ["Later"]


def test_it_raises_and_clears_system_alarms_from_the_control_api(sim):
    raised = sim.control("raise_alarm", name="CPU", type=20003, level=3, value=97)

    during = ok(sim, "GetAlarmCurrent")["infoAlarmCurrents"]
    sim.control("clear_alarm", id=raised["id"])

    assert [(a["type"], a["level"], a["value"]) for a in during] == [(20003, 3, 97.0)]
    assert ok(sim, "GetAlarmCurrent")["infoAlarmCurrents"] == []
    with pytest.raises(urllib.error.HTTPError):
        sim.control("raise_alarm", name="Odd", type=1)


# ---------------------------------------------------------------------------- media block


def test_it_blocks_and_unblocks_media_ips(sim):
    ok(sim, "CreateMediaBlockIp", ip="192.0.2.10", memo="noisy")
    ok(sim, "CreateMediaBlockIp", ip="198.51.100.0/24")

    again = call(sim, "CreateMediaBlockIp", ip="192.0.2.10")
    bad = call(sim, "CreateMediaBlockIp", ip="not-an-ip")
    ok(sim, "DeleteMediaBlockIp", ip="192.0.2.10")

    assert again["retCode"] == codes.ALREADY_EXISTS
    assert bad["retCode"] == codes.INPUT_ERROR
    assert sim.control("media_block_ips") == {"ips": {"198.51.100.0/24": ""}}
    assert call(sim, "DeleteMediaBlockIp", ip="192.0.2.10")["retCode"] == codes.NOT_FOUND
    with sim.sim.transaction(write=False) as ctx:
        from vos3000.simulator.handlers.media import is_media_blocked

        assert is_media_blocked(ctx, "198.51.100.77")
        assert not is_media_blocked(ctx, "192.0.2.10")


# ---------------------------------------------------------------------------- system


def test_it_describes_the_soft_switch_and_its_load(sim):
    (switch,) = ok(sim, "GetSoftSwitch")["infoSoftSwitches"]
    performance = ok(sim, "GetPerformance")["infoPerformance"]

    assert switch["name"] and switch["identification"] and switch["createTime"] > 0
    assert switch["accessAddress"] == "127.0.0.1"
    assert performance == {"callSize": 0, "cdrQueueSize": 0}
