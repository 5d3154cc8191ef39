import csv
import io
import time
from datetime import UTC, datetime, timedelta

import pytest

from accounts import audit
from accounts.audit_trail import services as audit_services
from accounts.models import AuditEvent, AuditExport, Tenant
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from web.downloads import safe_cell


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def export_and_run(client, django_capture_on_commit_callbacks, **filters) -> AuditExport:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/audit/export/", filters)
    assert response.status_code == 302 and len(callbacks) == 1
    job = AuditExport.objects.latest("id")
    assert response["Location"] == f"/audit/export/{job.pk}/"
    audit_services.write_export(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_it_exports_the_filtered_scope_with_the_time_zone_in_the_header(
    client, django_capture_on_commit_callbacks
):
    reseller = ResellerFactory(parent=Tenant.platform_root())
    customer = TenantFactory(parent=reseller)
    foreign = TenantFactory()
    manager = UserFactory(tenant=reseller, role=Role.RESELLER_MANAGER, time_zone="Asia/Tokyo")
    mine = {"pin": "4321", "a": "=1+2"}
    audit.record("tenant.update", actor=manager, tenant=customer, target=customer, payload=mine)
    audit.record("tenant.update", actor=manager, tenant=foreign)
    audit.record("user.preferences", actor=manager, tenant=customer)
    client.force_login(manager)

    job = export_and_run(
        client, django_capture_on_commit_callbacks, action="tenant.update", raw="on"
    )
    assert job.raw
    assert job.status == AuditExport.Status.DONE and job.rows_written == 1
    assert AuditEvent.objects.filter(action="audit.export", actor=manager).exists()

    status = client.get(f"/audit/export/{job.pk}/")
    assert b"ready" in status.content and b"every 2s" not in status.content
    response = client.get(f"/audit/export/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = read_csv(response)
    assert rows[0][1] == "time (Asia/Tokyo)"
    assert [row[4] for row in rows[1:]] == ["tenant.update"]
    assert rows[1][5:7] == ["accounts.tenant", str(customer.pk)]
    assert "4321" not in str(rows)
    assert rows[1][15] == '{"a": "=1+2", "pin": "[redacted]"}'
    assert AuditEvent.objects.filter(action="audit.export_downloaded").exists()


@pytest.mark.django_db
def test_it_serves_the_download_to_the_requester_only(client, django_capture_on_commit_callbacks):
    admin = AdminFactory()
    client.force_login(admin)
    job = export_and_run(client, django_capture_on_commit_callbacks)
    other_admin = AdminFactory()
    client.force_login(other_admin)
    assert client.get(f"/audit/export/{job.pk}/").status_code == 404
    assert client.get(f"/audit/export/{job.pk}/download/").status_code == 404


@pytest.mark.django_db
def test_it_refuses_an_expired_export_and_purges_it(client, django_capture_on_commit_callbacks):
    admin = AdminFactory()
    client.force_login(admin)
    job = export_and_run(client, django_capture_on_commit_callbacks)
    path = audit_services.export_dir() / job.file_name
    assert path.exists()
    AuditExport.objects.filter(pk=job.pk).update(expires_at=datetime.now(UTC) - timedelta(1))
    assert client.get(f"/audit/export/{job.pk}/download/").status_code == 404
    assert b"expired" in client.get(f"/audit/export/{job.pk}/").content
    assert audit_services.purge_expired_exports() == 1
    assert not path.exists() and not AuditExport.objects.filter(pk=job.pk).exists()


@pytest.mark.django_db
def test_it_refuses_an_export_to_roles_without_the_audit_right(client):
    viewer = UserFactory(role=Role.CUSTOMER_VIEWER)
    client.force_login(viewer)
    assert client.post("/audit/export/", {}).status_code == 404
    assert not AuditExport.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_foreign_tenant_filter_for_an_export(client):
    owner = UserFactory(role=Role.CUSTOMER_OWNER)
    client.force_login(owner)
    response = client.post("/audit/export/", {"tenant": TenantFactory().pk})
    assert response.status_code == 400 and not AuditExport.objects.exists()


@pytest.mark.django_db
def test_it_shows_progress_to_htmx_with_polling(client, django_capture_on_commit_callbacks):
    admin = AdminFactory()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/audit/export/", {}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert 'hx-trigger="every 2s"' in content and "<form" not in content


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_exports_end_to_end_with_a_real_worker(client, celery_worker_process):
    admin = AdminFactory()
    for n in range(5):
        audit.record("user.preferences", actor=admin, payload={"n": n})
    client.force_login(admin)
    response = client.post("/audit/export/", {"action": "user.preferences", "raw": "on"})
    job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = AuditExport.objects.get(pk=job_id)
        if job.status in (AuditExport.Status.DONE, AuditExport.Status.FAILED):
            break
        time.sleep(0.2)
    assert job.status == AuditExport.Status.DONE, job.error
    rows = read_csv(client.get(f"/audit/export/{job_id}/download/"))
    assert [row[4] for row in rows[1:]] == ["user.preferences"] * 5
    assert [row[15] for row in rows[1:]] == [f'{{"n": {n}}}' for n in reversed(range(5))]


def test_it_quotes_cells_a_spreadsheet_would_run_as_formulas():
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("@SUM") == "'@SUM"
    assert safe_cell("plain") == "plain"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.RESELLER_MANAGER, Role.CUSTOMER_OWNER])
def test_it_exports_the_trail_in_words_unless_asked_for_machine_names(
    client, django_capture_on_commit_callbacks, role
):
    reseller = ResellerFactory(parent=Tenant.platform_root())
    customer = TenantFactory(parent=reseller, name="Acme")
    user = UserFactory(tenant=reseller if role == Role.RESELLER_MANAGER else customer, role=role)
    audit.record("tenant.update", actor=user, tenant=customer, target=customer)
    audit.record("vos.Pay", actor=user, tenant=customer, payload={"ownerName": "acme", "money": 20})
    client.force_login(user)

    job = export_and_run(client, django_capture_on_commit_callbacks, tenant=customer.pk)
    assert not job.raw and job.language == "en"
    rows = read_csv(client.get(f"/audit/export/{job.pk}/download/"))
    head, body = rows[0], rows[1:]
    assert head[:2] == ["Number", "Time (UTC)"] and "What" in head and "Target" in head
    assert "action" not in head and "target_type" not in head
    what = {row[head.index("What")] for row in body}
    assert "Paid 20.00 to account acme on the switch" in what
    assert "Changed the account Acme" in what
    assert "accounts.tenant" not in str(body) and "vos.Pay" not in str(body)
    assert {row[head.index("Result")] for row in body} == {"OK"}

    raw = export_and_run(client, django_capture_on_commit_callbacks, tenant=customer.pk, raw="on")
    rows = read_csv(client.get(f"/audit/export/{raw.pk}/download/"))
    assert rows[0][4:7] == ["action", "target_type", "target_id"]
    assert {row[4] for row in rows[1:]} >= {"vos.Pay", "tenant.update"}
