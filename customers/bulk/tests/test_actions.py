"""Actions on many accounts of the customer list, against the simulator over HTTP: lock
and unlock, a fee rate group, a top-up each through the ledger (one transfer each, its
key from the action and the account), and exports of the accounts and their phones in
the user's language and time zone."""

from __future__ import annotations

import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.urls import reverse

from accounts import events
from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from billing.models import FeeRateGroupGrant, MoneyTransfer
from customers.bulk import services as bulk_services
from customers.models import BulkAction
from customers.services import sync_tenants_from_vos
from switch.vos import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def globaltel(client, demo_vos_server):
    sync_tenants_from_vos(demo_vos_server)
    reseller = Tenant.objects.get(vos_account="globaltel")
    FeeRateGroupGrant.objects.create(tenant=reseller, group="Retail-Standard")
    user = UserFactory(tenant=reseller, role=Role.RESELLER_MANAGER, time_zone="Asia/Shanghai")
    client.force_login(user)
    tenants = {t.vos_account: t for t in Tenant.objects.exclude(vos_account="")}
    return SimpleNamespace(server=demo_vos_server, tenant=reseller, user=user, tenants=tenants)


def _vos(server, account) -> dict:
    return client_for(server).call("GetCustomer", {"accounts": [account]})["infoCustomers"][0]


def _start(client, capture, **data):
    with capture(execute=True):
        response = client.post(reverse("bulk_action_start"), data)
    return response


def _job(response) -> BulkAction:
    assert response.status_code == 302, response.status_code
    return BulkAction.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_it_locks_and_unlocks_the_ticked_accounts(
    client, globaltel, django_capture_on_commit_callbacks
):
    ids = [globaltel.tenants["manila-bpo"].pk, globaltel.tenants["delhi-soft"].pk]
    job = _job(_start(client, django_capture_on_commit_callbacks, action="lock", ids=ids))
    assert job.status == "done" and [r["outcome"] for r in job.results] == ["done", "done"]
    assert _vos(globaltel.server, "manila-bpo")["lockType"] == 1
    assert _vos(globaltel.server, "delhi-soft")["lockType"] == 1
    page = client.get(reverse("bulk_action_detail", args=[job.pk])).text
    assert "Done: 2 done, 0 failed, 0 no longer yours." in page
    job = _job(_start(client, django_capture_on_commit_callbacks, action="unlock", ids=ids))
    assert _vos(globaltel.server, "manila-bpo")["lockType"] == 0


def test_it_acts_on_every_account_the_search_matches_and_never_outside_the_scope(
    client, globaltel, django_capture_on_commit_callbacks
):
    job = _job(
        _start(
            client, django_capture_on_commit_callbacks, action="lock", every="1", query="q=delhi"
        )
    )
    assert [r["account"] for r in job.results] == ["delhi-soft"]
    # A foreign account's id is not among the list's accounts: nothing is chosen.
    response = _start(
        client,
        django_capture_on_commit_callbacks,
        action="lock",
        ids=[globaltel.tenants["acme"].pk],
    )
    assert response.status_code == 302 and response["Location"] == reverse("customer_list")
    assert BulkAction.objects.count() == 1
    assert _vos(globaltel.server, "acme")["lockType"] == 0


def test_it_gives_a_granted_fee_rate_group_and_refuses_another_in_words(
    client, globaltel, django_capture_on_commit_callbacks
):
    ids = [globaltel.tenants["manila-bpo"].pk]
    job = _job(
        _start(
            client,
            django_capture_on_commit_callbacks,
            action="fee_rate_group",
            group="Retail-Standard",
            ids=ids,
        )
    )
    assert job.results[0]["outcome"] == "done"
    assert _vos(globaltel.server, "manila-bpo")["feeRateGroup"] == "Retail-Standard"
    job = _job(
        _start(
            client,
            django_capture_on_commit_callbacks,
            action="fee_rate_group",
            group="Retail-Premium",
            ids=ids,
        )
    )
    assert job.results[0] == {
        "tenant": ids[0],
        "account": "manila-bpo",
        "message": "This fee rate group is not one of yours.",
        "outcome": "failed",
    }


def test_it_tops_each_account_up_once_through_the_ledger(
    client, globaltel, django_capture_on_commit_callbacks
):
    manila, delhi = globaltel.tenants["manila-bpo"], globaltel.tenants["delhi-soft"]
    before = {
        a: Decimal(str(_vos(globaltel.server, a)["money"])) for a in ("manila-bpo", "delhi-soft")
    }
    job = _job(
        _start(
            client,
            django_capture_on_commit_callbacks,
            action="topup",
            amount="10.00",
            ids=[manila.pk, delhi.pk],
        )
    )
    assert [r["outcome"] for r in job.results] == ["done", "done"]
    transfers = MoneyTransfer.objects.filter(idempotency_key__startswith=f"bulk-{job.pk}-")
    assert {t.idempotency_key for t in transfers} == {
        f"bulk-{job.pk}-{manila.pk}",
        f"bulk-{job.pk}-{delhi.pk}",
    }
    assert {t.state for t in transfers} == {"succeeded"}
    for account in ("manila-bpo", "delhi-soft"):
        assert Decimal(str(_vos(globaltel.server, account)["money"])) == before[account] + 10
    page = client.get(reverse("bulk_action_detail", args=[job.pk])).text
    assert reverse("money_transfer", args=[transfers[0].pk]) in page
    # The same action run a second time pays nobody twice: the keys find the transfers.
    BulkAction.objects.filter(pk=job.pk).update(status="pending")
    bulk_services.run_action(job.pk)
    assert MoneyTransfer.objects.filter(idempotency_key__startswith=f"bulk-{job.pk}-").count() == 2
    assert Decimal(str(_vos(globaltel.server, "delhi-soft")["money"])) == before["delhi-soft"] + 10


def test_it_refuses_an_action_the_role_may_not_take_in_words(
    client, globaltel, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(tenant=globaltel.tenant, role=Role.RESELLER_OPERATOR))
    response = _start(
        client,
        django_capture_on_commit_callbacks,
        action="topup",
        amount="5",
        ids=[globaltel.tenants["manila-bpo"].pk],
    )
    assert response.status_code == 302
    assert not BulkAction.objects.exists()
    page = client.get(response["Location"]).text
    assert "Your role may not do this." in page
    response = _start(client, django_capture_on_commit_callbacks, action="fee_rate_group", ids=[1])
    assert "Choose the fee rate group to give." in client.get(response["Location"]).text


def test_it_exports_the_accounts_in_words_and_the_users_time_zone(
    client, globaltel, eager_tasks, django_capture_on_commit_callbacks
):
    job = _job(
        _start(client, django_capture_on_commit_callbacks, action="export_customers", every="1")
    )
    assert job.status == "done"
    response = client.get(reverse("bulk_action_download", args=[job.pk]))
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == (
        "Account,Name,Kind,Agent,Account type,Lock,Fee rate group,Balance,Overdraft limit,"
        "Valid until (Asia/Shanghai),Memo"
    )
    manila = next(line for line in lines if line.startswith("manila-bpo,"))
    assert ",Customer,globaltel," in manila and ",Normal," in manila
    accounts = sorted(line.split(",", 1)[0] for line in lines[1:])
    assert "citylink" in accounts and "acme" not in accounts and "globaltel" not in accounts
    page = client.get(reverse("bulk_action_detail", args=[job.pk])).text
    assert "The export is ready" in page


def test_it_announces_a_ready_export_to_the_webhooks(
    client, globaltel, eager_tasks, django_capture_on_commit_callbacks
):
    heard = []

    def hear(sender, event_type, tenant_path, data, **kwargs):
        heard.append((event_type, tenant_path, data))

    events.announced.connect(hear)
    try:
        job = _job(
            _start(client, django_capture_on_commit_callbacks, action="export_customers", every="1")
        )
    finally:
        events.announced.disconnect(hear)
    [(_event, tenant_path, data)] = [entry for entry in heard if entry[0] == "export.ready"]
    assert tenant_path == globaltel.tenant.path
    assert data["export_id"] == job.pk and data["kind"] == "customers" and data["format"] == "csv"
    assert data["download_path"] == reverse("bulk_action_download", args=[job.pk])


def test_it_exports_the_phones_of_the_chosen_accounts_as_xlsx(
    client, globaltel, eager_tasks, django_capture_on_commit_callbacks
):
    job = _job(
        _start(
            client,
            django_capture_on_commit_callbacks,
            action="export_phones",
            format="xlsx",
            ids=[globaltel.tenants["manila-bpo"].pk],
        )
    )
    response = client.get(reverse("bulk_action_download", args=[job.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Account", "Phone number (E164)")
    assert [row[1] for row in rows[1:]] == ["80002001", "80002002", "80002003"]
