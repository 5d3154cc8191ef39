"""The audit trail in words: each event as a sentence, its target by name (a link when the
viewer may open it), never a stored action name or "billing.moneytransfer 3"."""

from __future__ import annotations

import ast
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from accounts import audit
from accounts.audit_trail import sentences
from accounts.models import AuditEvent, Tenant
from accounts.roles import Role
from accounts.tests.factories import ResellerFactory, TenantFactory, UserFactory
from billing.models import MoneyTransfer
from switch.models import VosServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail():
    server = VosServer.objects.create(name="main", base_url="http://127.0.0.1:9/external/server/")
    reseller = ResellerFactory(parent=Tenant.platform_root(), server=server, vos_account="rs")
    customer = TenantFactory(parent=reseller, server=server, vos_account="acme", name="Acme")
    manager = UserFactory(tenant=reseller, role=Role.RESELLER_MANAGER)
    transfer = MoneyTransfer.objects.create(
        idempotency_key=uuid.uuid4().hex,
        kind=MoneyTransfer.Kind.TOPUP,
        state=MoneyTransfer.State.SUCCEEDED,
        server=server,
        customer=customer,
        amount=Decimal("20.00"),
        requested_by=manager,
        tenant_path=customer.path,
    )
    audit.record(
        "vos.Pay",
        actor=manager,
        target=transfer,
        tenant=customer,
        vos_server=server,
        vos_endpoint="Pay",
        payload={"ownerName": "acme", "ownerType": 2, "money": 20.0},
    )
    audit.record(
        "money.transfer.state",
        target=transfer,
        tenant=customer,
        before={"state": "pending"},
        after={"state": "succeeded"},
    )
    audit.record("tenant.update", actor=manager, target=customer, tenant=customer)
    audit.record(
        "vos.ModifyIvrAudio", actor=manager, tenant=customer, vos_endpoint="ModifyIvrAudio"
    )
    return {"customer": customer, "manager": manager, "transfer": transfer}


@pytest.mark.parametrize("who", ["reseller", "customer"])
def test_it_tells_each_event_in_a_sentence_and_names_its_target(client, trail, who):
    transfer, customer = trail["transfer"], trail["customer"]
    if who == "reseller":
        user = trail["manager"]
    else:
        user = UserFactory(tenant=customer, role=Role.CUSTOMER_OWNER)
    client.force_login(user)
    page = client.get(reverse("audit_list")).text
    assert "Paid 20.00 to account acme on the switch" in page
    assert f"Top-up #{transfer.pk} of 20.00 to {customer}: Succeeded" in page
    assert f"Changed the account {customer}" in page
    assert "Switch call: ModifyIvrAudio" in page  # no sentence of its own: still words
    results = page.split('id="audit-results"', 1)[1]  # the filter's option values are codes
    for raw in ("vos.Pay", "money.transfer.state", "billing.moneytransfer", "accounts.tenant"):
        assert raw not in results
    # The target by name, linked to its page, which the viewer may open.
    link = reverse("money_transfer", args=[transfer.pk])
    assert f'<a href="{link}">Top-up #{transfer.pk} of 20.00 to {customer}</a>' in page
    assert client.get(link).status_code == 200
    account = reverse("customer_detail", args=[customer.pk])
    assert f'href="{account}"' in page and client.get(account).status_code == 200

    event = AuditEvent.objects.get(action="vos.Pay")
    detail = client.get(reverse("audit_detail", args=[event.pk])).text
    assert "Paid 20.00 to account acme on the switch" in detail and ">Payment<" in detail
    assert "billing.moneytransfer" not in detail


def test_it_names_a_target_that_is_gone_by_its_kind_and_number(trail):
    event = audit.record("tenant.delete", target_type="accounts.tenant", target_id="999999")
    [words] = sentences.describe([event])
    assert words.target.words == "Account #999999" and not words.target.url
    assert words.sentence == "Deleted the account Account #999999"


def test_it_links_no_target_the_viewer_may_not_open(trail):
    other = UserFactory(tenant=TenantFactory(), role=Role.CUSTOMER_OWNER)
    event = AuditEvent.objects.get(action="money.transfer.state")
    from accounts.scope import Scope

    [words] = sentences.describe([event], Scope.for_user_id(other.pk))
    assert words.target.url == "" and words.target.words.startswith("Top-up #")


def _recorded_actions() -> set[str]:
    """Every action name the production code passes to ``record`` as a literal."""
    root = Path(__file__).resolve().parents[2]
    found = set()
    for path in root.glob("*/**/*.py"):
        if "tests" in path.parts or ".venv" in path.parts or "simulator" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", "")
            first = node.args[0]
            literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
            if name in ("record", "_record_for_user") and literal:
                found.add(first.value)
    return found


def test_it_words_every_action_the_portal_records():
    """Every action recorded in the code has its words in the registry (not the fallback)."""
    recorded = _recorded_actions()
    assert {"auth.login", "tenant.update", "money.transfer.state"} <= recorded
    assert sorted(recorded - set(sentences.actions())) == []
    for kind in MoneyTransfer.Kind.values:  # f"money.{kind}.requested"
        assert f"money.{kind}.requested" in sentences.actions()
    assert sentences.action_words("vos.Unheard") == "Switch call: Unheard"
    back = audit.record("vos.Pay", payload={"ownerName": "acme", "money": -5})
    assert sentences.sentence(back) == "Took 5.00 from account acme on the switch"
    assert sentences.action_words("thing.made_up") == "thing: made up"
