"""A CDR's identity without JSON: the server and the flowNo, or the server, account,
numbers and times of a record without one. Re-pulls store nothing twice, whichever key
an older portal stored a record under (the whole-record JSON key), and amounts stay
exact to 1/10000."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.cdrs import store as cdr_store
from billing.cdrs.tests.old_portal import store_the_old_way, upgrade
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
        "agentFee": 0.1 + 0.2,
        **extra,
    }


@pytest.fixture
def server():
    return VosServer.objects.create(name="field-vos", base_url="http://192.0.2.10:7391")


def test_it_keys_a_record_without_a_flow_no_on_its_account_numbers_and_times(server):
    one = cdr_store.natural_key(server.pk, info(1))
    # The same call sent again with a corrected fee or name is the same call.
    assert cdr_store.natural_key(server.pk, info(1, fee=0.4, accountName="M")) == one
    # A loose server sending the times as text or floats: the same call.
    record = info(1)
    loose = info(1, start=str(record["start"]), stop=float(record["stop"]))
    assert cdr_store.natural_key(server.pk, loose) == one
    for changed in (
        {"start": START + 60_001},
        {"stop": START + 60_000 + 42_001},
        {"account": "cafe-roma"},
        {"callerE164": "80002002"},
        {"calleeE164": "63280000002"},
    ):
        assert cdr_store.natural_key(server.pk, info(1, **changed)) != one
    assert cdr_store.natural_key(server.pk + 1, info(1)) != one
    # Fields are kept apart: moving a character from one to the next is another call.
    assert (
        cdr_store.natural_key(
            server.pk, info(1, callerE164="8000200", calleeE164="1" + info(1)["calleeE164"])
        )
        != one
    )
    # Neither the flowNo key nor the old whole-record key of the same record.
    assert one != cdr_store.whole_record_key(server.pk, info(1))
    assert one != cdr_store.natural_key(server.pk, info(1, flowNo=1))


def test_it_stores_a_repull_once_under_the_new_identity(server):
    infos = [info(n) for n in range(6)] + [info(n, flowNo=8_000 + n) for n in range(6, 9)]
    assert cdr_store.store(server, infos).inserted == 9
    # Pulled again (with a corrected fee and duplicates inside the batch): nothing new.
    again = [*infos, info(2, fee=0.5), info(7, flowNo=8_007, fee=0.5), *infos[:3]]
    assert cdr_store.store(server, again).inserted == 0
    assert cdr_store.store(server, list(reversed(infos))).inserted == 0
    assert Cdr.objects.count() == 9
    assert set(Cdr.objects.values_list("natural_key", flat=True)) == {
        cdr_store.natural_key(server.pk, record) for record in infos
    }


def test_it_does_not_store_again_what_an_older_portal_stored_under_the_json_key(server):
    """Stored under the whole-record key (no flowNo, or a flowNo the portal did not use
    yet): the re-look pull after the upgrade finds them by their columns."""
    plain = [info(n) for n in range(4)]
    flowed = [info(n, flowNo=6_000 + n) for n in range(4, 8)]
    store_the_old_way(server, plain[:3] + flowed[:3])
    assert cdr_store.store(server, plain + flowed).inserted == 2
    assert cdr_store.store(server, plain + flowed).inserted == 0
    assert Cdr.objects.count() == 8


def test_it_stores_a_call_that_differs_from_an_old_row_in_any_field(server):
    store_the_old_way(server, [info(1)])
    # Same account, numbers and times, another fee: not the old row (it was keyed on
    # every field), so it is stored, as an older portal would have stored it too.
    assert cdr_store.store(server, [info(1, fee=0.36)]).inserted == 1
    assert cdr_store.store(server, [info(1, fee=0.36)]).inserted == 0


def test_it_stores_two_calls_alike_in_every_column_but_their_flow_no(server):
    """Distinct flowNos are distinct calls, even alike in every column: only the rows an
    older portal may have keyed otherwise are compared column by column."""
    assert cdr_store.store(server, [info(1, flowNo=7_001)]).inserted == 1
    assert cdr_store.store(server, [info(1, flowNo=7_002)]).inserted == 1
    assert cdr_store.store(server, [info(1, flowNo=7_002), info(1, flowNo=7_001)]).inserted == 0
    assert Cdr.objects.count() == 2


def test_it_compares_columns_only_with_rows_stored_before_the_upgrade(server):
    store_the_old_way(server, [info(1)])
    # Stored after the upgrade: found by its key, never by its columns.
    assert cdr_store.store(server, [info(2, flowNo=7_002)]).inserted == 1
    assert cdr_store.store(server, [info(2, flowNo=7_003), info(1, flowNo=7_001)]).inserted == 1
    assert Cdr.objects.count() == 3
    assert Cdr.objects.filter(start=cdr_store.ms_to_datetime(info(2)["start"])).count() == 2


def test_it_records_the_last_id_an_older_portal_may_have_keyed_at_the_upgrade(server):
    upgrade()  # nothing stored yet: no row is compared by its columns
    assert cdr_store.old_keys_last_id() == 0
    rows = store_the_old_way(server, [info(1), info(2)])
    assert cdr_store.old_keys_last_id() == max(row.pk for row in Cdr.objects.all()) > 0
    assert len(rows) == 2
    cdr_store.store(server, [info(3)])
    assert cdr_store.old_keys_last_id() < Cdr.objects.latest("start").pk


MONEY = ("fee", "agent_fee", "suite_fee", "agent_suite_fee")


def test_it_keeps_amounts_exact_to_a_ten_thousandth(server):
    records = [
        info(1, fee=0.35, agentFee=0.1 + 0.2, suiteFee=12, agentSuiteFee="0.00005"),
        info(2, fee=None, agentFee=0, suiteFee=1.23456, agentSuiteFee=0.00015),
    ]
    cdr_store.store(server, records)
    first, second = Cdr.objects.order_by("start").values(*MONEY)
    assert first == {
        "fee": Decimal("0.35"),
        "agent_fee": Decimal("0.3"),
        "suite_fee": Decimal("12"),
        # Half to even at the fifth decimal, as Decimal.quantize always did.
        "agent_suite_fee": Decimal("0"),
    }
    assert second == {
        "fee": Decimal("0"),
        "agent_fee": Decimal("0"),
        "suite_fee": Decimal("1.2346"),
        "agent_suite_fee": Decimal("0.0002"),
    }
    for record in records:
        values = cdr_store.cdr_values(record)
        assert all(values[name].as_tuple().exponent == -4 for name in MONEY)


@pytest.mark.postgres
def test_it_lets_the_unique_key_decide_when_another_writer_got_there_first(server, monkeypatch):
    """The look-up found nothing, yet some rows are there by the time of the COPY (a
    concurrent writer): the COPY is refused and the set-wise INSERT ... ON CONFLICT,
    with the same column comparison, writes only what is new."""
    infos = [info(n) for n in range(6)]
    cdr_store.store(server, infos[:2])
    store_the_old_way(server, [infos[2]])
    monkeypatch.setattr(cdr_store, "_already_stored", lambda *args: set())
    assert cdr_store.store(server, infos).inserted == 3
    assert cdr_store.store(server, infos).inserted == 0
    assert Cdr.objects.count() == 6


def test_it_reads_a_sparse_or_loose_record_as_an_older_portal_did():
    """Fields left out, nulls, numbers as text, an empty text for a number: the same
    values as the per-field conversion gave."""
    record = {
        "account": "acme",
        "start": str(START),
        "stop": None,
        "holdTime": "42",
        "feeTime": "",
        "fee": "0.35",
        "callerE164": 5550001,
        "calleeE164": None,
    }
    values = cdr_store.cdr_values(record)
    assert values["account"] == "acme" and values["caller_e164"] == "5550001"
    assert values["callee_e164"] == "" and values["account_name"] == ""
    assert values["start"] == cdr_store.ms_to_datetime(START)
    assert values["stop"] == cdr_store.ms_to_datetime(0)
    assert (values["hold_time"], values["fee_time"], values["call_level"]) == (42, 0, 0)
    assert values["fee"] == Decimal("0.3500") and values["agent_fee"] == Decimal("0.0000")
