"""schemathesis against /api/v1/openapi.json on a live server with the simulator behind
it, as a platform admin's key and as a reseller's: every generated request (valid and
invalid) is answered without a server error and within the documented schema.

The operations come from the API's own document (the same one /api/v1/openapi.json
serves); hypothesis drives each operation's strategy (schemathesis's pytest fixture
loader does not run on this pytest)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.roles import Role
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from api.tests.helpers import make_key
from api.v1 import api
from billing.models import FeeRateGroupGrant

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = sorted(
    (result.ok() for result in SCHEMA.get_all_operations()),
    key=lambda operation: (operation.path, operation.method),
)
CHECKS = [not_a_server_error, response_schema_conformance]

# Modest: the whole API, both keys, valid and invalid requests, in a couple of minutes.
EXAMPLES = 5


@pytest.fixture
def api_keys(demo_vos_server, settings):
    settings.API_RATE_LIMIT = "100000/min"
    globaltel = ResellerFactory(name="GlobalTel", server=demo_vos_server, vos_account="globaltel")
    TenantFactory(name="Manila", parent=globaltel, server=demo_vos_server, vos_account="manila-bpo")
    TenantFactory(name="Acme", server=demo_vos_server, vos_account="acme")
    FeeRateGroupGrant.objects.create(tenant=globaltel, group="Retail-Standard")
    reseller = UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER)
    return {"admin": make_key(AdminFactory())[1], "reseller": make_key(reseller)[1]}


def test_it_fuzzes_every_operation_of_the_document():
    served = {
        (path, method)
        for path, item in api.get_openapi_schema()["paths"].items()
        for method in item
    }
    assert {(op.path, op.method.lower()) for op in OPERATIONS} == served


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_it_answers_generated_requests_within_the_schema(api_keys, live_server, mode):
    for operation in OPERATIONS:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def answers(case):
            for who, token in api_keys.items():
                try:
                    case.call_and_validate(
                        base_url=live_server.url,
                        headers={"Authorization": f"Bearer {token}"},
                        checks=CHECKS,
                    )
                except AssertionError as exc:
                    raise AssertionError(f"{who}: {case.operation.label}: {exc}") from exc

        answers()
