"""flowNo as a CDR's identity: seen in the field (yk-vos keys CDRs on it), not in the
2.1.7.0 manual. With a flowNo the server and the flowNo are the record's identity; without
one, every InfoCdr field is, as before. Either way a re-pull stores nothing twice, and a
key made one way never meets a key made the other way."""

from __future__ import annotations

import pytest

from billing.cdrs import store as cdr_store
from billing.cdrs.tests.old_portal import store_the_old_way
from billing.models import Cdr
from switch.models import VosServer

pytestmark = pytest.mark.django_db

START = 1_796_000_000_000  # 2026-11-29 UTC, in milliseconds as VOS sends it


def info(n: int, **extra) -> dict:
    return {
        "account": "manila-bpo",
        "accountName": "Manila BPO",
        "callerE164": "80002001",
        "calleeE164": f"6328{n:07d}",
        "start": START + n * 60_000,
        "stop": START + n * 60_000 + 42_000,
        "holdTime": 42,
        "fee": 0.35,
        **extra,
    }


@pytest.fixture
def server():
    return VosServer.objects.create(name="field-vos", base_url="http://192.0.2.10:7391")


def test_it_keys_a_record_with_a_flow_no_on_the_server_and_the_flow_no(server):
    one = cdr_store.natural_key(server.pk, info(1, flowNo=123456789))
    # The same call re-sent with a field changed (a corrected fee) is still the same call.
    assert cdr_store.natural_key(server.pk, info(1, flowNo=123456789, fee=0.4)) == one
    # The flowNo as a string (a loose server) is the same identity.
    assert cdr_store.natural_key(server.pk, info(1, flowNo="123456789")) == one
    # Another server's flowNo 123456789 is another call.
    assert cdr_store.natural_key(server.pk + 1, info(1, flowNo=123456789)) != one
    assert cdr_store.natural_key(server.pk, info(1, flowNo=123456790)) != one


@pytest.mark.parametrize("empty", [None, "", " ", 0, "0", False, [], {}])
def test_it_keeps_todays_identity_without_a_usable_flow_no(server, empty):
    plain = cdr_store.natural_key(server.pk, info(1))
    assert cdr_store.natural_key(server.pk, info(1, flowNo=empty)) == plain
    assert cdr_store.natural_key(server.pk, info(2, flowNo=empty)) != plain


def test_it_never_lets_the_two_kinds_of_key_meet(server):
    with_flow = {cdr_store.natural_key(server.pk, info(n, flowNo=n)) for n in range(1, 200)}
    without = {cdr_store.natural_key(server.pk, info(n)) for n in range(1, 200)}
    assert len(with_flow) == len(without) == 199 and not with_flow & without


def test_it_stores_a_record_pulled_twice_with_a_flow_no_once(server):
    infos = [info(n, flowNo=9_000 + n) for n in range(5)]
    assert cdr_store.store(server, infos).inserted == 5
    # A re-pull, with one record's fee corrected: nothing new.
    again = [*infos[:4], info(4, flowNo=9_004, fee=0.5)]
    assert cdr_store.store(server, again + infos[:2]).inserted == 0
    assert Cdr.objects.count() == 5


def test_it_stores_a_record_pulled_twice_without_a_flow_no_once(server):
    infos = [info(n) for n in range(5)]
    assert cdr_store.store(server, infos).inserted == 5
    assert cdr_store.store(server, infos + infos[:2]).inserted == 0
    assert Cdr.objects.count() == 5


def test_it_keeps_records_keyed_either_way_side_by_side(server):
    mixed = [info(n, flowNo=7_000 + n) if n % 2 else info(n) for n in range(10)]
    assert cdr_store.store(server, mixed).inserted == 10
    assert cdr_store.store(server, list(reversed(mixed))).inserted == 0
    assert Cdr.objects.values("natural_key").distinct().count() == 10


def test_it_keys_the_simulators_records_on_their_flow_no(demo_vos_server, portal_sim):
    from datetime import UTC, datetime, timedelta

    from switch.vos import client_for

    today = datetime.fromtimestamp(portal_sim.control("now")["now"] / 1000, tz=UTC).date()
    first, last = today - timedelta(days=7), today - timedelta(days=1)
    infos = client_for(demo_vos_server).call(
        "GetCdr",
        {"accounts": ["manila-bpo"], "beginTime": f"{first:%Y%m%d}", "endTime": f"{last:%Y%m%d}"},
    )["infoCdrs"]
    assert infos
    assert cdr_store.store(demo_vos_server, infos).inserted == len(infos)
    assert cdr_store.store(demo_vos_server, infos).inserted == 0
    # The simulator sends flowNo (as servers in the field do): every record is keyed on it.
    assert all(cdr_store.flow_no(record) for record in infos)
    keys = {cdr_store.natural_key(demo_vos_server.pk, {"flowNo": r["flowNo"]}) for r in infos}
    assert set(Cdr.objects.values_list("natural_key", flat=True)) == keys


def test_it_does_not_store_again_what_was_stored_before_flow_no_was_its_identity(server):
    """Stored under the whole-record key (VOS sent flowNo, the portal did not use it yet):
    the re-look pull after the upgrade finds it and stores nothing."""
    infos = [info(n, flowNo=5_000 + n) for n in range(4)]
    store_the_old_way(server, infos[:3])
    assert cdr_store.store(server, infos).inserted == 1
    assert cdr_store.store(server, infos).inserted == 0
    assert Cdr.objects.count() == 4
