import pytest

from accounts.models import AuditEvent
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, TenantFactory
from switch import vos
from vos3000.client import VosApiError, VosUnavailable, VosValidationError


@pytest.fixture
def scope(db):
    # The platform runs these calls; the guard's tenant rules are tested in telephony.
    return Scope(user=AdminFactory())


@pytest.fixture
def customer(vos_server, scope):
    vos.call(scope, vos_server, "CreateCustomer", {"account": "c100", "money": 0})
    tenant = TenantFactory(server=vos_server, vos_account="c100")
    return tenant


def only_event(action: str) -> AuditEvent:
    return AuditEvent.objects.get(action=action)


def stored_text() -> str:
    return " ".join(str(row) for row in AuditEvent.objects.values())


def test_it_audits_a_successful_write_with_the_server_name(vos_server, scope, customer):
    answer = vos.call(
        scope,
        vos_server,
        "Pay",
        {"ownerName": "c100", "ownerType": 2, "money": 12.5, "memo": "top up"},
        target=customer,
    )
    assert answer["retCode"] == 0
    event = only_event("vos.Pay")
    assert (event.result, event.ret_code, event.vos_server, event.vos_endpoint) == (
        "ok",
        0,
        "main",
        "Pay",
    )
    assert event.payload["money"] == 12.5 and event.actor == scope.user
    assert (event.tenant, event.target_type, event.target_id) == (
        customer,
        "accounts.tenant",
        str(customer.pk),
    )
    assert vos_server.base_url not in stored_text()
    assert "127.0.0.1:" not in stored_text()


def test_it_does_not_audit_reads(vos_server, scope, customer):
    before = AuditEvent.objects.count()
    vos.call(scope, vos_server, "GetCustomer", {"accounts": ["c100"]})
    assert AuditEvent.objects.count() == before


def test_it_audits_a_refused_write_with_its_ret_code_and_re_raises(vos_server, scope):
    with pytest.raises(VosApiError) as info:
        vos.call(scope, vos_server, "Pay", {"ownerName": "nobody", "ownerType": 2, "money": 1})
    event = only_event("vos.Pay")
    assert event.result == "error" and event.ret_code == info.value.ret_code != 0


def test_it_sends_and_records_nothing_for_an_invalid_payload(vos_server, scope):
    with pytest.raises(VosValidationError):
        vos.call(scope, vos_server, "Pay", {"ownerName": "c100"})
    assert not AuditEvent.objects.filter(action="vos.Pay").exists()


def test_it_records_unknown_when_the_write_may_have_been_applied(
    vos_server, portal_sim, scope, customer
):
    vos_server.read_timeout = 0.5
    vos_server.save()
    portal_sim.control("fault", endpoint="Pay", mode="timeout_after", seconds=2, count=1)
    with pytest.raises(VosUnavailable) as info:
        vos.call(scope, vos_server, "Pay", {"ownerName": "c100", "ownerType": 2, "money": 3})
    assert info.value.may_have_been_applied
    event = only_event("vos.Pay")
    assert event.result == "unknown" and event.error == info.value.reason
    assert vos_server.base_url not in stored_text()


def test_it_redacts_secrets_in_write_payloads(vos_server, scope, customer):
    vos.call(
        scope,
        vos_server,
        "CreatePhone",
        {
            "autoCreateAccount": False,
            "account": "c100",
            "e164": "8801",
            "password": "phone-Secret-1",
        },
    )
    assert "phone-Secret-1" not in stored_text()
    assert only_event("vos.CreatePhone").payload["password"] == "[redacted]"
