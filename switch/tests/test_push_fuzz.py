"""The push receiver under fire: hostile bodies for each of the six pushes, never a 5xx.

VOS re-sends a push that got an error status, so a 500 would keep a bad message coming
back: every body gets HTTP 200 and a JSON retCode (non-zero when refused), over the test
client (a fixed list of known-nasty bodies plus hundreds of seeded random mutations per
message) and, for a sample, over real HTTP (``live_server``). What was accepted is then
processed by the worker's sweep: a handler error marks the row, nothing loops forever.
Real servers' loose values (numbers in strings, booleans for 0/1 flags, nulls, newer
fields) are accepted; a non-numeric string for a number is still refused.
"""

from __future__ import annotations

import copy
import http.client
import json
import logging
import random
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse

from switch import push_inbox, push_receiver
from switch.models import PushInbox
from vos3000 import catalog
from vos3000.catalog.model import (
    BOOLEAN_TYPES,
    DOUBLE_TYPES,
    INTEGER_TYPES,
    item_type,
)

TOKEN = "push-fuzz-0123456789"
NAMES = sorted(catalog.PUSHES)
RANDOM_BODIES_PER_NAME = 180  # x 6 names, plus the fixed list: well over 1,000 bodies
LIVE_SAMPLE_PER_NAME = 12


@pytest.fixture
def pushing(demo):
    server, _tenants = demo
    server.push_token = TOKEN
    server.save()
    return server


# --- Bodies ------------------------------------------------------------------------------
def _value(type_name: str, n: int):
    element = item_type(type_name)
    if element is not None:
        return [_value(element, n)]
    if type_name in catalog.TYPES:
        return {f.name: _value(f.type, n) for f in catalog.TYPES[type_name]}
    if type_name in INTEGER_TYPES:
        return 1_000 + n
    if type_name in DOUBLE_TYPES:
        return 12.5
    if type_name in BOOLEAN_TYPES:
        return True
    return f"8000200{n % 10}"


def valid_payload(name: str, n: int = 1) -> dict:
    payload = {}
    for field in catalog.PUSHES[name].request:
        if field.enum:
            first = next(iter(field.enum))
            payload[field.name] = first == "true" if field.type in BOOLEAN_TYPES else int(first)
        else:
            payload[field.name] = _value(field.type, n)
    return payload


def _deep(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


HOSTILE_VALUES = [
    float("nan"),
    float("inf"),
    -float("inf"),
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "12abc",
    "",
    " ",
    [],
    {},
    [[[[[]]]]],
    {"nested": {"deeper": [1, {"x": None}]}},
    True,
    False,
    None,
    -1,
    2**70,
    -(2**63) - 1,
    1e308,
    "1e999",
    "NaN",
    "💩\u202e",
    "\ud800",  # a lone surrogate: json.dumps escapes it, json.loads makes it back
    "<script>alert(1)</script>",
    "' OR 1=1 --",
]


def _dump(payload) -> bytes:
    return json.dumps(payload, allow_nan=True).encode()


def _mutate(rng: random.Random, name: str, n: int) -> bytes:
    """A valid message broken in one to three ways, as JSON text or as raw bytes."""
    payload = valid_payload(name, n)
    for _ in range(rng.randint(1, 3)):
        keys = list(payload)
        kind = rng.randrange(9)
        if kind <= 2 and keys:  # a field gets a hostile value
            payload[rng.choice(keys)] = copy.deepcopy(rng.choice(HOSTILE_VALUES))
        elif kind == 3 and keys:  # a field goes missing
            del payload[rng.choice(keys)]
        elif kind == 4:  # a field the manual does not have
            payload[rng.choice(["surprise", "flowNo2", "a\x00", "", "x" * 300])] = rng.choice(
                HOSTILE_VALUES[:20]
            )
        elif kind == 5 and keys:  # loose values a real server sends
            key = rng.choice(keys)
            value = payload[key]
            if isinstance(value, bool):
                payload[key] = int(value)
            elif isinstance(value, int | float):
                payload[key] = str(value)
            else:
                payload[key] = None
        elif kind == 6:  # nested inside something else
            payload = rng.choice([[payload], {"data": payload}, [payload, payload]])
            break
    body = _dump(payload)
    tail = rng.randrange(6)
    if tail == 0 and len(body) > 2:  # cut short
        body = body[: rng.randrange(1, len(body))]
    elif tail == 1:  # a byte that is not UTF-8
        at = rng.randrange(len(body) + 1)
        body = body[:at] + bytes([rng.choice([0xFF, 0xFE, 0xC0, 0x80, 0xED])]) + body[at:]
    elif tail == 2 and body.startswith(b"{") and len(body) > 2:  # a key given twice
        first = next(iter(valid_payload(name)))
        body = b'{"' + first.encode() + b'": 1, ' + body[1:]
    return body


def fixed_bodies(name: str) -> dict[str, bytes]:
    """Known-nasty bodies, each one refused (non-zero retCode)."""
    good = valid_payload(name)
    text = json.dumps(good)
    first = next(iter(good))
    return {
        "empty": b"",
        "whitespace": b"  \r\n ",
        "form-encoded": b"account=manila-bpo&money=1",
        "not json": b"{not json",
        "null": b"null",
        "a string": b'"PhoneOnline"',
        "a number": b"123",
        "true": b"true",
        "a list": b"[1, 2]",
        "a list of the message": f"[{text}]".encode(),
        "truncated": text[:-3].encode(),
        "deeply nested list": ("[" * 100_000 + "]" * 100_000).encode(),
        "deeply nested object": _deep(5_000).encode(),
        "nested past the limit": json.dumps({**good, "x": json.loads(_deep(40))}).encode(),
        "NUL in a value": json.dumps({**good, first: "a\x00b"}).encode(),
        "NUL in a key": json.dumps({**good, "k\x00": 1}).encode(),
        "NUL alone": b"\x00",
        "NaN": text.replace("{", '{"nan": NaN, ', 1).encode(),
        "Infinity": text.replace("{", '{"inf": -Infinity, ', 1).encode(),
        "1e999": text.replace("{", '{"big": 1e999, ', 1).encode(),
        "a 5,000-digit integer": text.replace("{", '{"big": ' + "9" * 5_000 + ", ", 1).encode(),
        "an integer beyond a long": text.replace("{", '{"big": 9223372036854775808, ', 1).encode(),
        "not UTF-8": b'{"' + first.encode() + b'": "\xff\xfe"}',
        "UTF-16": text.encode("utf-16"),
        "a key given twice": ("{" + f'"{first}": 1, ' + text[1:]).encode(),
        "every field missing": b"{}",
        "a non-numeric string for a number": _non_numeric(name),
        "past the push limit": _huge(push_receiver.MAX_PUSH_BYTES + 10),
        "past DATA_UPLOAD_MAX_MEMORY_SIZE": _huge(3 * 1024 * 1024),
    }


def _non_numeric(name: str) -> bytes:
    payload = valid_payload(name)
    numeric = [
        f.name
        for f in catalog.PUSHES[name].request
        if f.type in INTEGER_TYPES | DOUBLE_TYPES and not f.enum
    ]
    if numeric:
        payload[numeric[0]] = "lots"
    else:  # AlarmCurrentReport: its numbers are in its list
        payload["infoAlarmCurrents"][0]["value"] = "lots"
    return _dump(payload)


def _huge(size: int) -> bytes:
    return b'{"memo": "' + b"x" * size + b'"}'


def all_bodies(name: str) -> list[tuple[str, bytes, bool]]:
    """(label, body, surely refused) for one message: the fixed list, then the random."""
    rng = random.Random(f"push-fuzz-{name}")
    bodies = [(label, body, True) for label, body in fixed_bodies(name).items()]
    bodies += [
        (f"random #{n}", _mutate(rng, name, n), False) for n in range(RANDOM_BODIES_PER_NAME)
    ]
    return bodies


# --- The receiver ------------------------------------------------------------------------
def _check(label: str, status: int, content: bytes, refused: bool) -> int:
    assert status == 200, (label, status)
    answer = json.loads(content)
    assert isinstance(answer.get("retCode"), int), (label, answer)
    if refused:
        assert answer["retCode"] != 0, (label, answer)
    return answer["retCode"]


@pytest.mark.parametrize("name", NAMES)
def test_it_answers_every_hostile_body_with_http_200_and_a_ret_code(client, pushing, name):
    url = reverse("vos_push", args=[TOKEN, pushing.name, name])
    codes = []
    for label, body, refused in all_bodies(name):
        answer = client.post(url, body, content_type="text/html;charset=UTF-8")
        codes.append(_check(label, answer.status_code, answer.content, refused))
    assert len(codes) >= 1_000 // len(NAMES)
    assert sum(code != 0 for code in codes) > len(codes) // 2
    # The worker takes whatever was accepted without crashing, and gives up in the end.
    for _ in range(push_inbox.MAX_ATTEMPTS):
        push_inbox.sweep(older_than=0)
    assert not PushInbox.objects.filter(processed_at__isnull=True).exists()
    for row in PushInbox.objects.all():
        catalog.validate_push(row.name, row.payload)  # only loosened, valid messages stored


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", NAMES)
def test_it_answers_hostile_bodies_over_real_http(live_server, pushing, name):
    rng = random.Random(f"live-{name}")
    bodies = all_bodies(name)
    sample = bodies[: len(fixed_bodies(name))] + rng.sample(bodies, LIVE_SAMPLE_PER_NAME)
    address = urlsplit(live_server.url)
    path = reverse("vos_push", args=[TOKEN, pushing.name, name])
    for label, body, refused in sample:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        try:
            connection.request("POST", path, body, {"Content-Type": "text/html;charset=UTF-8"})
            response = connection.getresponse()
            _check(label, response.status, response.read(), refused)
        except (BrokenPipeError, ConnectionResetError):
            # A body far past the limit is refused before it is read: the server may close
            # the connection while the client still writes. Never a 5xx, though.
            assert len(body) > push_receiver.MAX_PUSH_BYTES, label
        finally:
            connection.close()


# --- Loose values, counters, the worker --------------------------------------------------
def test_it_accepts_the_loose_values_real_servers_send(client, pushing, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="switch.push_receiver")
    monkeypatch.setattr(push_receiver, "_unknown_logged", set())  # logged once per name
    url = reverse("vos_push", args=[TOKEN, pushing.name, "PhoneOnline"])
    loose = {
        **valid_payload("PhoneOnline"),
        "eventTime": "1700000000000",  # a number in a string
        "localPort": "5060",
        "online": 1,  # 0/1 for a boolean
        "newerField": {"seen": "in the field"},  # a field newer than the manual
    }
    assert client.post(url, json.dumps(loose), "application/json").json() == {"retCode": 0}
    row = PushInbox.objects.get()
    assert row.payload["eventTime"] == 1_700_000_000_000 and row.payload["online"] is True
    assert "newerField" not in row.payload
    assert any("newerField" in r.getMessage() for r in caplog.records)
    money = reverse("vos_push", args=[TOKEN, pushing.name, "CustomerMoneyChange"])
    answer = client.post(money, '{"account": "acme", "money": "10.5", "memo": null}', "text/json")
    assert answer.json() == {"retCode": 0}
    refused = client.post(money, '{"account": "acme", "money": "ten"}', "application/json")
    assert refused.json()["retCode"] == push_receiver.INPUT_ERROR


def test_it_counts_refusals_by_server_and_reason_for_the_health_page(client, pushing):
    cache.clear()
    url = reverse("vos_push", args=[TOKEN, pushing.name, "CustomerMoneyChange"])
    for body in (b"{not json", b"[1]", b'{"account": "a", "money": "ten"}', b'{"money": 1}'):
        client.post(url, body, "application/json")
    client.post(url, b"\xff", "application/json")
    counts = push_receiver.refusals()
    assert counts["total"] == 5
    assert counts["by_reason"] == {
        "not_json": 1,
        "not_object": 1,
        "invalid_field": 1,
        "missing_field": 1,
        "not_utf8": 1,
    }
    assert counts["by_server"] == {pushing.name: counts["by_reason"]}
    health = client.get(reverse("healthz")).json()
    assert health["pushes_refused"] == {"total": 5, "by_reason": counts["by_reason"]}


def test_it_shows_the_refused_pushes_on_the_operations_health_page(client, pushing):
    from accounts.tests.factories import AdminFactory

    cache.clear()
    url = reverse("vos_push", args=[TOKEN, pushing.name, "PhoneOnline"])
    client.post(url, b"{", "application/json")
    client.post(url, b"{}", "application/json")
    client.force_login(AdminFactory())
    page = client.get(reverse("ops_health")).content.decode()
    assert 'data-pushes-refused="2"' in page and "a required field missing: 1" in page
    assert "not valid JSON: 1" in page
    assert "missing_field" not in page and "not_json" not in page


def test_it_marks_a_row_whose_handler_fails_and_never_retries_it_forever(pushing, monkeypatch):
    def broken(server, payload):
        raise KeyError("an odd but valid payload")

    monkeypatch.setattr("switch.push_handlers.handlers_for", lambda name: [broken])
    row = push_inbox.store(pushing, "CustomerMoneyChange", {"account": "acme", "money": 1})
    for _ in range(push_inbox.MAX_ATTEMPTS + 3):
        push_inbox.sweep(older_than=0)
    row.refresh_from_db()
    assert row.processed_at is not None and row.attempts == push_inbox.MAX_ATTEMPTS
    assert "KeyError" in row.error
