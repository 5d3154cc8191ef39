"""Bulk imports and exports through the API, against the simulator over HTTP: the
upload's preview errors in the answer, the run as the page's Celery job, progress, the
per-row result file fetched with the key, retry of failed rows, exports of the customer
list and its phones as files; every object through the key's Scope."""

from __future__ import annotations

import io
from types import SimpleNamespace

import openpyxl
import pytest

from accounts.models import AuditEvent, Tenant
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from api.tests.helpers import bearer, make_key
from billing.models import FeeRateGroupGrant
from customers.models import BulkAction, BulkImport
from customers.services import sync_tenants_from_vos
from switch.vos import client_for

pytestmark = pytest.mark.django_db

HEADER = "account,name,agent,feeRateGroup,type,memo,email,phone,phonePassword\n"
JSON = {"content_type": "application/json"}


@pytest.fixture
def globaltel(demo_vos_server):
    sync_tenants_from_vos(demo_vos_server)
    reseller = Tenant.objects.get(vos_account="globaltel")
    FeeRateGroupGrant.objects.create(tenant=reseller, group="Retail-Standard")
    user = UserFactory(tenant=reseller, role=Role.RESELLER_MANAGER)
    return SimpleNamespace(
        server=demo_vos_server,
        tenant=reseller,
        user=user,
        key=bearer(make_key(user)[1]),
        read_only=bearer(make_key(user, read_only=True)[1]),
    )


def _upload(client, auth, text="", *, kind="customers", name="people.csv", data=None):
    upload = io.BytesIO(data if data is not None else text.encode("utf-8"))
    upload.name = name
    return client.post("/api/v1/imports", {"kind": kind, "file": upload}, **auth)


def _post(client, url, auth, capture, body=None):
    with capture(execute=True):
        if body is None:
            return client.post(url, **auth)
        return client.post(url, body, **JSON, **auth)


def _vos_phone(server, e164):
    rows = client_for(server).call("GetPhone", {"e164s": [e164]})["infoPhones"]
    return rows[0] if rows else None


def test_it_previews_an_upload_with_every_rows_errors_in_words(client, globaltel):
    text = HEADER + (
        "api-01,Api One,,Retail-Standard,,first,,90000201,\n"
        "api-01,Api One again,,,,,,,\n"  # twice in the file
        "api-02,Api Two,skyvoice,,,,,,\n"  # an agent outside the subtree
        "manila-bpo,Manila,,,,,,,\n"  # exists already: skipped
    )
    response = _upload(client, globaltel.key, text)
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "preview" and job["kind"] == "customers"
    assert job["counts"] == {
        "rows": 4,
        "ready": 1,
        "skipped": 1,
        "refused": 2,
        "created": 0,
        "failed": 0,
    }
    assert job["progress"] == {"done": 0, "total": 2, "percent": 0}
    errors = {row["line"]: row for row in job["errors"]}
    assert sorted(errors) == [3, 4]
    assert "also on line 2" in " ".join(errors[3]["errors"])
    assert "skyvoice is not one of your reseller accounts" in " ".join(errors[4]["errors"])
    assert job["more_errors"] == 0 and job["results_url"] is None
    # Every row, paged by line, and only the errors when asked.
    rows = client.get(job["rows_url"], {"limit": 2}, **globaltel.key).json()
    assert [r["line"] for r in rows["items"]] == [2, 3] and rows["next_after"] == 3
    rows = client.get(job["rows_url"], {"after": 3}, **globaltel.key).json()
    assert [r["line"] for r in rows["items"]] == [4, 5] and rows["next_after"] is None
    skip = client.get(job["rows_url"], {"state": "skip"}, **globaltel.key).json()["items"]
    assert [r["account"] for r in skip] == ["manila-bpo"]
    # Nothing was made; the upload is audited as the page's.
    accounts = client_for(globaltel.server).call("GetCustomer", {"accounts": ["api-01"]})
    assert accounts["infoCustomers"] == []
    assert AuditEvent.objects.filter(action="customers.bulk_import.upload").count() == 1


def test_it_refuses_a_file_it_cannot_read_with_a_problem_in_words(client, globaltel):
    response = _upload(client, globaltel.key, "who,what\nx,y\n")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "bad_file" and "Unknown columns: who, what." in problem["detail"]
    assert problem["errors"][0]["field"] == "file"
    response = _upload(client, globaltel.key, data=b"PK\x03\x04broken", name="x.xlsx")
    assert "could not be read as an XLSX workbook" in response.json()["detail"]
    response = _upload(client, globaltel.key, "account\nx\n", name="x.pdf")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "file", "message": "Choose a .csv or .xlsx file."}
    ]
    response = client.post("/api/v1/imports", {"kind": "customers"}, **globaltel.key)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    assert not BulkImport.objects.exists()


def test_it_runs_an_import_as_the_pages_job_and_hands_out_the_result_file(
    client, globaltel, eager_tasks, django_capture_on_commit_callbacks
):
    text = HEADER + (
        "api-01,Api One,,Retail-Standard,,first wave,ops@one.test,90000201,Secret123\n"
        "api-02,Api Two,citylink,,Phone card,,,,\n"
        "api-03,,,,,,,,\n"  # no name: never written
    )
    job = _upload(client, globaltel.key, text).json()
    response = _post(
        client,
        f"/api/v1/imports/{job['id']}/run",
        globaltel.key,
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 202, response.content
    done = client.get(f"/api/v1/imports/{job['id']}", **globaltel.key).json()
    assert done["status"] == "done"
    assert done["progress"] == {"done": 2, "total": 2, "percent": 100}
    assert done["counts"]["created"] == 2 and done["counts"]["failed"] == 0
    assert Tenant.objects.get(vos_account="api-01").parent == globaltel.tenant
    assert _vos_phone(globaltel.server, "90000201")["account"] == "api-01"
    assert AuditEvent.objects.filter(action="customers.bulk_import.run").count() == 1
    assert AuditEvent.objects.filter(action="tenant.create").count() == 2
    rows = client.get(done["rows_url"], **globaltel.key).json()["items"]
    assert [r["outcome"] for r in rows] == ["created", "created", "not_imported"]

    download = client.get(done["results_url"], **globaltel.key)
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    body = b"".join(download.streaming_content).decode()
    assert body.splitlines()[0] == "Line,Account,Phone,Result,Details"
    assert "2,api-01,90000201,Created," in body
    assert AuditEvent.objects.filter(action="customers.bulk_file_downloaded").count() == 1

    # Once started, it does not start again; nothing failed, so nothing to retry.
    again = client.post(f"/api/v1/imports/{job['id']}/run", **globaltel.key)
    assert again.status_code == 409 and again.json()["detail"] == "This import has already started."
    retry = client.post(f"/api/v1/imports/{job['id']}/retry-failed", **globaltel.key)
    assert retry.status_code == 409
    # The same file again: what exists is skipped.
    second = _upload(client, globaltel.key, text).json()
    assert second["counts"]["ready"] == 0 and second["counts"]["skipped"] == 2


def test_it_runs_the_failed_rows_again(
    client, globaltel, portal_sim, eager_tasks, django_capture_on_commit_callbacks
):
    job = _upload(client, globaltel.key, HEADER + "api-09,Api Nine,,,,,,90000209,\n").json()
    portal_sim.control("fault", endpoint="CreatePhone", mode="http500", count=1)
    _post(
        client,
        f"/api/v1/imports/{job['id']}/run",
        globaltel.key,
        django_capture_on_commit_callbacks,
    )
    failed = client.get(f"/api/v1/imports/{job['id']}", **globaltel.key).json()
    assert failed["counts"]["failed"] == 1
    response = _post(
        client,
        f"/api/v1/imports/{job['id']}/retry-failed",
        globaltel.key,
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 202
    done = client.get(f"/api/v1/imports/{job['id']}", **globaltel.key).json()
    assert done["status"] == "done" and done["counts"]["failed"] == 0
    assert _vos_phone(globaltel.server, "90000209")["account"] == "api-09"
    assert Tenant.objects.filter(vos_account="api-09").count() == 1


def test_it_imports_phones_from_an_xlsx_file(
    client, globaltel, eager_tasks, django_capture_on_commit_callbacks
):
    book = openpyxl.Workbook()
    book.active.append(["Account", "E164", "Memo"])
    book.active.append(["manila-bpo", "90000301", "desk"])
    data = io.BytesIO()
    book.save(data)
    job = _upload(client, globaltel.key, kind="phones", name="p.xlsx", data=data.getvalue())
    assert job.status_code == 201 and job.json()["counts"]["ready"] == 1
    _post(
        client,
        f"/api/v1/imports/{job.json()['id']}/run",
        globaltel.key,
        django_capture_on_commit_callbacks,
    )
    assert _vos_phone(globaltel.server, "90000301")["memo"] == "desk"


def test_it_exports_the_customer_list_and_its_phones_as_files(
    client, globaltel, eager_tasks, django_capture_on_commit_callbacks
):
    response = _post(
        client,
        "/api/v1/exports/customers",
        globaltel.key,
        django_capture_on_commit_callbacks,
        {"q": "manila"},
    )
    assert response.status_code == 202, response.content
    job = client.get(f"/api/v1/exports/{response.json()['id']}", **globaltel.key).json()
    assert job["status"] == "done" and job["what"] == "customers" and job["accounts"] == 1
    assert job["rows_written"] == 1
    download = client.get(job["download_url"], **globaltel.key)
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert lines[0].startswith("Account,Name,Kind,Agent")
    assert [line.split(",", 1)[0] for line in lines[1:]] == ["manila-bpo"]
    assert AuditEvent.objects.filter(action="customers.bulk_action").count() == 1

    response = _post(
        client,
        "/api/v1/exports/phones",
        globaltel.key,
        django_capture_on_commit_callbacks,
        {"q": "manila-bpo", "format": "xlsx"},
    )
    job = client.get(f"/api/v1/exports/{response.json()['id']}", **globaltel.key).json()
    assert job["format"] == "xlsx" and job["what"] == "phones"
    download = client.get(job["download_url"], **globaltel.key)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["80002001", "80002002", "80002003"]

    nothing = client.post("/api/v1/exports/customers", {"q": "no-such"}, **JSON, **globaltel.key)
    assert nothing.status_code == 409 and nothing.json()["detail"] == "No account is chosen."


def test_it_keeps_bulk_jobs_inside_the_keys_scope(client, globaltel):
    job = _upload(client, globaltel.key, HEADER + "api-01,Api One,,,,,,,\n").json()
    # Read-only keys read, and never write.
    assert client.get(f"/api/v1/imports/{job['id']}", **globaltel.read_only).status_code == 200
    refused = client.post(f"/api/v1/imports/{job['id']}/run", **globaltel.read_only)
    assert refused.status_code == 403 and refused.json()["code"] == "read_only_key"
    refused = _upload(client, globaltel.read_only, HEADER + "api-02,Two,,,,,,,\n")
    assert refused.status_code == 403
    # Another person's job is not there, even in the same tenant.
    colleague = bearer(
        make_key(UserFactory(tenant=globaltel.tenant, role=Role.RESELLER_MANAGER))[1]
    )
    for url in (f"/api/v1/imports/{job['id']}", f"/api/v1/imports/{job['id']}/rows"):
        assert client.get(url, **colleague).status_code == 404
    assert client.post(f"/api/v1/imports/{job['id']}/run", **colleague).status_code == 404
    # A customer's key may not start bulk jobs.
    manila = Tenant.objects.get(vos_account="manila-bpo")
    customer = bearer(make_key(UserFactory(tenant=manila, role=Role.CUSTOMER_OWNER))[1])
    assert _upload(client, customer, HEADER + "api-03,Three,,,,,,,\n").status_code == 403
    assert client.post("/api/v1/exports/phones", {}, **JSON, **customer).status_code == 403
    # An action that is not an export is not an export's id.
    action = BulkAction.objects.create(
        requested_by=globaltel.user,
        scope_user=globaltel.user,
        action=BulkAction.Action.LOCK,
        status="done",
        expires_at=BulkImport.objects.get().expires_at,
    )
    assert client.get(f"/api/v1/exports/{action.pk}", **globaltel.key).status_code == 404
