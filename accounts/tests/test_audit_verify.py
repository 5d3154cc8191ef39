import contextlib

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from accounts import audit
from accounts.models import AppendOnlyError, AuditEvent
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def triggers_bypassed():
    """Tamper like an attacker with database access would: on PostgreSQL the
    append-only trigger has to be switched off first."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def tamper(sql: str, params: list) -> None:
    with triggers_bypassed(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def make_events(count: int) -> list[AuditEvent]:
    user = UserFactory()
    return [audit.record(f"test.event{n}", actor=user, payload={"n": n}) for n in range(count)]


def test_it_reports_an_intact_chain_with_its_count():
    make_events(5)
    result = audit.verify_chain(chunk_size=2)
    assert result.ok and result.checked == 5


def test_it_reports_an_empty_trail_as_intact():
    assert audit.verify_chain() == audit.ChainVerification(ok=True, checked=0)


def test_it_catches_an_edited_row():
    events = make_events(5)
    tamper("UPDATE accounts_auditevent SET action = %s WHERE id = %s", ["x", events[2].pk])
    result = audit.verify_chain(chunk_size=2)
    assert not result.ok
    assert (result.broken_id, result.problem, result.checked) == (
        events[2].pk,
        audit.HASH_MISMATCH,
        2,
    )


def test_it_catches_an_edited_payload():
    events = make_events(3)
    tamper("UPDATE accounts_auditevent SET payload = %s WHERE id = %s", ['{"n": 99}', events[1].pk])
    result = audit.verify_chain()
    assert (result.broken_id, result.problem) == (events[1].pk, audit.HASH_MISMATCH)


def test_it_catches_a_deleted_row():
    events = make_events(5)
    tamper("DELETE FROM accounts_auditevent WHERE id = %s", [events[3].pk])
    result = audit.verify_chain(chunk_size=3)
    assert (result.broken_id, result.problem) == (events[4].pk, audit.BROKEN_LINK)


def test_it_catches_a_deleted_first_row():
    events = make_events(3)
    tamper("DELETE FROM accounts_auditevent WHERE id = %s", [events[0].pk])
    result = audit.verify_chain()
    assert (result.broken_id, result.problem) == (events[1].pk, audit.BROKEN_LINK)


def test_it_catches_a_rehashed_row_by_its_successor():
    """An attacker who edits a row and recomputes its hash breaks the next link."""
    events = make_events(3)
    edited = AuditEvent.objects.get(pk=events[1].pk)
    edited.action = "forged"
    new_hash = audit.chain_hash(edited.prev_hash, edited)
    tamper(
        "UPDATE accounts_auditevent SET action = %s, row_hash = %s WHERE id = %s",
        ["forged", new_hash, events[1].pk],
    )
    result = audit.verify_chain()
    assert (result.broken_id, result.problem) == (events[2].pk, audit.BROKEN_LINK)


def test_the_command_exits_zero_with_a_count_when_intact(capsys):
    make_events(3)
    call_command("verify_audit")
    assert "3 rows" in capsys.readouterr().out


def test_the_command_exits_non_zero_on_a_break():
    events = make_events(3)
    tamper("UPDATE accounts_auditevent SET actor_email = %s WHERE id = %s", ["x@y", events[0].pk])
    with pytest.raises(CommandError) as info:
        call_command("verify_audit")
    assert info.value.returncode == 1
    assert f"row {events[0].pk}" in str(info.value) and audit.HASH_MISMATCH in str(info.value)


def test_the_model_refuses_changes_and_deletion():
    event = make_events(1)[0]
    stored = AuditEvent.objects.get(pk=event.pk)
    stored.action = "changed"
    with pytest.raises(AppendOnlyError):
        stored.save()
    with pytest.raises(AppendOnlyError):
        stored.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event0"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM accounts_auditevent WHERE id = %s",
    ],
)
def test_the_postgres_trigger_refuses_update_and_delete(sql):
    event = make_events(1)[0]
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event0"
