import contextlib

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts import audit
from accounts.models import AppendOnlyError, AuditEvent, AuditVerification, Tenant
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, ResellerFactory, UserFactory

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


# --- The check as a job, from the audit page ----------------------------------------------
def test_it_reports_progress_after_each_chunk():
    make_events(5)
    seen = []
    audit.verify_chain(chunk_size=2, progress=seen.append)
    assert seen == [2, 4, 5]


def _verify(client, user, capture):
    client.force_login(user)
    with capture(execute=True):
        answer = client.post(reverse("audit_verify"), HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "<html" not in answer.text
    return client.get(reverse("audit_verify"))


def test_it_checks_the_chain_as_a_job_and_audits_what_it_found(
    client, eager_tasks, django_capture_on_commit_callbacks
):
    make_events(4)
    admin = AdminFactory()
    page = _verify(client, admin, django_capture_on_commit_callbacks)
    job = AuditVerification.objects.get()
    assert (job.status, job.intact, job.broken_id) == ("done", True, None)
    assert job.checked >= 4 and job.percent == 100
    assert 'data-result="intact"' in page.text
    found = AuditEvent.objects.get(action="audit.chain.verified")
    assert found.after["intact"] is True and found.actor_id == admin.pk
    assert AuditEvent.objects.filter(action="audit.chain.verify_requested").exists()


def test_it_shows_where_the_chain_breaks(client, eager_tasks, django_capture_on_commit_callbacks):
    events = make_events(4)
    tamper("UPDATE accounts_auditevent SET action = %s WHERE id = %s", ["x", events[1].pk])
    auditor = UserFactory(tenant=Tenant.platform_root(), role=Role.PLATFORM_AUDITOR)
    page = _verify(client, auditor, django_capture_on_commit_callbacks)  # it only reads
    job = AuditVerification.objects.get()
    assert (job.intact, job.broken_id, job.problem) == (False, events[1].pk, audit.HASH_MISMATCH)
    assert 'data-result="broken"' in page.text
    assert reverse("audit_detail", args=[events[1].pk]) in page.text
    assert AuditEvent.objects.get(action="audit.chain.verified").result == "error"


def test_it_runs_one_check_at_a_time_and_polls_while_it_runs(client):
    admin = AdminFactory()
    client.force_login(admin)
    client.post(reverse("audit_verify"))  # no worker here: it stays waiting
    client.post(reverse("audit_verify"))
    assert AuditVerification.objects.count() == 1
    page = client.get(reverse("audit_verify"))
    assert 'hx-trigger="every 2s"' in page.text and "<progress" in page.text


def test_it_is_the_platforms_page(client):
    reseller = UserFactory(tenant=ResellerFactory(), role=Role.RESELLER_MANAGER)
    client.force_login(reseller)
    assert client.get(reverse("audit_verify")).status_code == 404
    assert client.post(reverse("audit_verify")).status_code == 404
    assert not AuditVerification.objects.exists()
