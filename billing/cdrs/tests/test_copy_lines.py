"""The store's COPY lines (PostgreSQL writes them as text made by ``store``, not value by
value through psycopg): every column stored as the model conversion (``cdr_values``)
gives it, whatever a loose server sends, and text with COPY's special characters
stored as sent."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from accounts.tests.factories import TenantFactory
from billing.cdrs import store as cdr_store
from billing.models import Cdr
from switch.models import VosServer

pytestmark = pytest.mark.django_db

START = 1_796_000_000_000  # 2026-11-29 UTC, in milliseconds as VOS sends it


@pytest.fixture
def server():
    return VosServer.objects.create(name="field-vos", base_url="http://192.0.2.10:7391")


def whole(n: int, **extra) -> dict:
    """A record with every InfoCdr field, as VOS sends it."""
    record = {wire: f"{wire}-{n}" for wire in cdr_store._TEXT_WIRES}
    record.update(dict.fromkeys(cdr_store._WHOLE_WIRES, n))
    record.update(
        start=START + n * 60_000 + n,
        stop=START + n * 60_000 + 42_000,
        fee=0.252,
        suiteFee=0.0,
        agentFee=0.1313,
        agentSuiteFee=12,
        account="manila-bpo",
        flowNo=90_000 + n,
    )
    record.update(extra)
    return record


LOOSE = [
    # Every one of COPY's special characters, and text beyond ASCII.
    whole(1, accountName="tab\there", agentName="back\\slash \\N", calleeGateway="a\nb\rc"),
    whole(2, callerProductId="\b\v\f end", agentAccount="Ñandú 北京 \\t"),
    # Nulls and numbers where VOS sends text; text, floats and nulls for numbers.
    whole(3, callerE164=5550001, calleeE164=None, feePrefix=2547.5, holdTime="42"),
    whole(4, feeTime="", callLevel=None, endReason=3.9, billingMode=True),
    # Amounts as text, integers, nulls, halves at the fifth decimal; times as text.
    whole(5, fee="0.35", suiteFee=None, agentFee=1.23456, agentSuiteFee="0.00005"),
    whole(6, fee=0.00015, agentFee=7, start=str(START + 6), stop=float(START + 9_999)),
    # A sparse record: most fields missing, the stop before 1970's first second.
    {"account": "cafe-roma", "start": START + 7, "calleeE164": "6328", "flowNo": 7},
    # Exactly on a second and a minute; and one in another month.
    whole(8, start=START - START % 60_000, stop=START - START % 60_000 + 1_000),
    whole(9, start=START + 5 * 86_400_000 + 1),
]


@pytest.mark.postgres
def test_it_stores_every_column_as_the_model_conversion_gives_it(server):
    tenant = TenantFactory(server=server, vos_account="manila-bpo")
    assert cdr_store.store(server, LOOSE).inserted == len(LOOSE)

    stored = {
        row["natural_key"]: row
        for row in Cdr.objects.values(
            "natural_key", "tenant_id", "tenant_path", "server_id", *cdr_store._FIELDS
        )
    }
    assert len(stored) == len(LOOSE)
    for record in LOOSE:
        row = stored[cdr_store.natural_key(server.pk, record)]
        expected = cdr_store.cdr_values(record)
        assert {name: row[name] for name in cdr_store._FIELDS} == expected, record
        for name in ("fee", "suite_fee", "agent_fee", "agent_suite_fee"):
            assert isinstance(row[name], Decimal) and row[name].as_tuple().exponent == -4
        owned = record["account"] == "manila-bpo"
        assert (row["tenant_id"], row["tenant_path"]) == (
            (tenant.pk, tenant.path) if owned else (None, "")
        )
        assert row["server_id"] == server.pk
    assert cdr_store.store(server, LOOSE).inserted == 0


def test_it_writes_times_as_the_datetimes_they_are():
    for value in (0, None, "", 999, 60_000, START, START + 59_999, str(START), START + 0.9, -1):
        assert datetime.fromisoformat(cdr_store._time_text(value)) == cdr_store._time(value)


def test_it_writes_amounts_as_their_exact_decimal():
    for value in (0, None, "", 0.35, "0.35", 12, 1.23456, 0.00015, "0.00005", Decimal("2.5")):
        assert cdr_store._money_text(value) == str(cdr_store._money(value))
