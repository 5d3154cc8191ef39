"""Bulk imports against the simulator over HTTP: the preview checks every row (catalog,
scope, duplicates in the file and in VOS) in words; the run goes through the one-at-a-
time services; the same file again skips what exists; a phone that failed after its
account is reported and run again."""

from __future__ import annotations

import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Tenant
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from billing.models import FeeRateGroupGrant
from customers.bulk import files
from customers.models import BulkImport
from customers.services import sync_tenants_from_vos
from switch.vos import client_for

pytestmark = pytest.mark.django_db

HEADER = "account,name,agent,feeRateGroup,type,memo,email,phone,phonePassword\n"


@pytest.fixture
def globaltel(client, demo_vos_server):
    sync_tenants_from_vos(demo_vos_server)
    reseller = Tenant.objects.get(vos_account="globaltel")
    FeeRateGroupGrant.objects.create(tenant=reseller, group="Retail-Standard")
    user = UserFactory(tenant=reseller, role=Role.RESELLER_MANAGER)
    client.force_login(user)
    return SimpleNamespace(server=demo_vos_server, tenant=reseller, user=user)


def _upload(client, text, kind="customers", name="people.csv", data=None):
    upload = io.BytesIO(data if data is not None else text.encode("utf-8"))
    upload.name = name
    return client.post(reverse("bulk_import_start"), {"kind": kind, "file": upload})


def _job(response) -> BulkImport:
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["form"].errors
    )
    return BulkImport.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def _run(client, job, django_capture_on_commit_callbacks, url="bulk_import_confirm"):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(url, args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def _vos_phone(server, e164):
    rows = client_for(server).call("GetPhone", {"e164s": [e164]})["infoPhones"]
    return rows[0] if rows else None


def test_it_checks_every_row_in_words_before_making_anything(client, globaltel):
    text = HEADER + (
        "bulk-01,Bulk One,,Retail-Standard,,first,,90000001,\n"
        "bulk-01,Bulk One again,,,,,,,\n"  # twice in the file
        "bulk-02,Bulk Two,skyvoice,,,,,,\n"  # an agent outside the subtree
        "bulk-03,Bulk Three,,Wholesale-Secret,,,,,\n"  # a group not granted
        "bulk-04,,,,,,,,\n"  # no name
        "manila-bpo,Manila,,,,,,,\n"  # exists already, in the subtree: skipped
        "acme,Acme,,,,,,,\n"  # exists in VOS, not below globaltel
        "bulk-05,Bulk Five,,,Nonsense,,,,\n"  # not a value of the account type
        "bulk-06,Bulk Six,,,,,not-an-email,80001001,\n"  # a phone of someone else
        "bulk-07,Bulk Seven,citylink,,,,,90000001,\n"  # the phone again
    )
    job = _job(_upload(client, text))
    checks = {c["line"]: c for c in job.checks}
    assert checks[2]["state"] == "ok"
    assert "also on line 2" in " ".join(checks[3]["errors"])
    assert "skyvoice is not one of your reseller accounts" in " ".join(checks[4]["errors"])
    assert checks[5]["state"] == "error" and "Fee rate group" in checks[5]["errors"][0]
    assert checks[6]["errors"] == ["Name: This field is required."]
    assert checks[7]["state"] == "skip"
    assert "exists" in " ".join(checks[8]["errors"])
    assert checks[9]["errors"][0].startswith("Account type:")
    assert "The phone 80001001 exists in the switch already." in checks[10]["errors"]
    assert "also on line 2" in " ".join(checks[11]["errors"])
    page = client.get(reverse("bulk_import_detail", args=[job.pk])).text
    assert "1 to make, 1 already there, 8 with errors." in page
    assert "Run the import" in page
    # Nothing was made by the check.
    assert (
        client_for(globaltel.server).call("GetCustomer", {"accounts": ["bulk-01"]})["infoCustomers"]
        == []
    )
    assert AuditEvent.objects.filter(action="customers.bulk_import.upload").count() == 1


def test_it_runs_an_import_and_skips_what_exists_when_the_same_file_comes_again(
    client, globaltel, eager_tasks, django_capture_on_commit_callbacks
):
    text = HEADER + (
        "bulk-01,Bulk One,,Retail-Standard,,first wave,ops@one.test,90000001,Secret123\n"
        "bulk-02,Bulk Two,citylink,,Phone card,,,,\n"  # the type in words
    )
    job = _job(_upload(client, text))
    job = _run(client, job, django_capture_on_commit_callbacks)
    assert job.status == "done" and job.rows_done == 2
    assert [r["outcome"] for r in job.results] == ["created", "created"]
    one = Tenant.objects.get(vos_account="bulk-01")
    assert one.parent == globaltel.tenant and one.vos_memo == "first wave"
    two = Tenant.objects.get(vos_account="bulk-02")
    assert two.parent.vos_account == "citylink" and two.vos_type == 1
    assert _vos_phone(globaltel.server, "90000001")["account"] == "bulk-01"
    # The password of a row that needs no retry is not kept.
    assert "phonePassword" not in job.rows[0]["data"]
    # Audited as the one-at-a-time pages are.
    assert AuditEvent.objects.filter(action="tenant.create").count() == 2
    assert AuditEvent.objects.filter(action="vos.CreatePhone", result="ok").count() == 1
    page = client.get(reverse("bulk_import_detail", args=[job.pk])).text
    assert "Done: 2 made, 0 failed." in page
    download = client.get(reverse("bulk_import_download", args=[job.pk]))
    body = b"".join(download.streaming_content).decode()
    assert body.splitlines()[0] == "Line,Account,Phone,Result,Details"
    assert "2,bulk-01,90000001,Created," in body

    again = _job(_upload(client, text))
    assert {c["state"] for c in again.checks} == {"skip"}
    page = client.get(reverse("bulk_import_detail", args=[again.pk])).text
    assert "You imported this very file before" in page
    assert "0 to make, 2 already there, 0 with errors." in page


def test_it_reports_a_phone_that_failed_after_its_account_and_runs_it_again(
    client, globaltel, portal_sim, eager_tasks, django_capture_on_commit_callbacks
):
    job = _job(_upload(client, HEADER + "bulk-09,Bulk Nine,,,,,,90000009,\n"))
    portal_sim.control("fault", endpoint="CreatePhone", mode="http500", count=1)
    job = _run(client, job, django_capture_on_commit_callbacks)
    [result] = job.results
    assert result["outcome"] == "phone_failed" and result["message"]
    assert Tenant.objects.filter(vos_account="bulk-09").exists()
    assert _vos_phone(globaltel.server, "90000009") is None
    page = client.get(reverse("bulk_import_detail", args=[job.pk])).text
    assert "Account created, phone failed" in page and "Run the failed rows again" in page

    job = _run(client, job, django_capture_on_commit_callbacks, url="bulk_import_retry")
    assert job.status == "done"
    assert [r["outcome"] for r in job.results] == ["phone_added"]
    assert _vos_phone(globaltel.server, "90000009")["account"] == "bulk-09"
    assert Tenant.objects.filter(vos_account="bulk-09").count() == 1


def test_it_imports_phones_from_an_xlsx_file(
    client, globaltel, eager_tasks, django_capture_on_commit_callbacks
):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Account", "E164", "Password", "Call level", "Memo"])
    sheet.append(["manila-bpo", 90000101, "", "", "desk"])
    sheet.append(["manila-bpo", "80002001", "", "", ""])  # exists already: skipped
    sheet.append(["acme", "90000102", "", "", ""])  # not globaltel's
    data = io.BytesIO()
    book.save(data)
    job = _job(_upload(client, "", kind="phones", name="phones.xlsx", data=data.getvalue()))
    assert [c["state"] for c in job.checks] == ["ok", "skip", "error"]
    assert "acme is not one of your customer accounts" in job.checks[2]["errors"][0]
    job = _run(client, job, django_capture_on_commit_callbacks)
    assert [r["outcome"] for r in job.results] == ["created", "skipped", "not_imported"]
    phone = _vos_phone(globaltel.server, "90000101")
    assert phone["account"] == "manila-bpo" and phone["memo"] == "desk"


def test_it_refuses_a_file_it_cannot_read_in_words(client, globaltel):
    response = _upload(client, "who,what\nx,y\n")
    assert response.status_code == 200
    assert "Unknown columns: who, what." in response.text
    response = _upload(client, "", data=b"\xff\xfe\x00garbage", name="x.csv")
    assert "not UTF-8" in response.text
    response = _upload(client, "", data=b"PK\x03\x04broken", name="x.xlsx")
    assert "could not be read as an XLSX workbook" in response.text
    assert not BulkImport.objects.exists()


def test_it_hands_out_templates_that_read_back(client, globaltel):
    for kind in ("customers", "phones"):
        response = client.get(reverse("bulk_import_template", args=[kind]))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = files.read_rows(kind, "t.csv", response.content)
        assert rows and rows[0]["data"]["account"] == "acme-01"
    assert client.get(reverse("bulk_import_template", args=["nothing"])).status_code == 404


def test_it_sends_customers_home_and_keeps_imports_private(client, globaltel):
    job = _job(_upload(client, HEADER + "bulk-01,Bulk One,,,,,,,\n"))
    manila = Tenant.objects.get(vos_account="manila-bpo")
    client.force_login(UserFactory(tenant=manila, role=Role.CUSTOMER_OWNER))
    assert client.get(reverse("bulk_import_start")).status_code == 302
    assert client.get(reverse("bulk_import_detail", args=[job.pk])).status_code == 404
    # Another manager of the same reseller does not see it either.
    client.force_login(UserFactory(tenant=globaltel.tenant, role=Role.RESELLER_MANAGER))
    assert client.get(reverse("bulk_import_detail", args=[job.pk])).status_code == 404
