"""Phone pages against a VOS that answers sparsely (``sparse_vos_server``: empty optional
fields left out, numbers and the retCode as JSON strings): the list with registration
status, create, the settings page and its round trip, a new password. The same tests as
``test_phones.py`` for these flows, collected here with the sparse server underneath."""

from __future__ import annotations

import pytest
from django.urls import reverse

from telephony.phones.tests.test_phones import (  # noqa: F401  (collected again here)
    test_a_customer_changes_only_what_a_customer_may,
    test_it_creates_a_phone_with_a_generated_password_shown_once,
    test_it_keeps_a_password_typed_in,
    test_it_lists_phones_with_registration_status_from_one_call,
    test_it_round_trips_every_group,
    test_it_sets_a_new_password_shown_once,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_vos_server(sparse_vos_server):
    """telephony's ``demo`` fixture, on the sparse server."""
    return sparse_vos_server


def test_it_saves_an_untouched_settings_page_without_changing_anything(
    client, demo, as_user, sim_call
):
    """Fields the answer left out come back empty on the form; saving it as it is
    changes nothing VOS holds."""
    _server, t = demo
    as_user(t["globaltel"])
    page_url = reverse("phone_edit", kwargs={"tenant_id": t["manila"].pk, "e164": "80002002"})
    before = sim_call("GetPhone", {"e164s": ["80002002"]})["infoPhones"][0]
    page = client.get(page_url)
    assert page.status_code == 200
    form, periods = page.context["form"], page.context["periods"]
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name)
        if value is None or value is False:
            continue
        data[name] = ["on"] if value is True else value
        if value is True:
            data[name] = "on"
    management = periods.management_form
    for name in management.fields:
        data[f"{periods.prefix}-{name}"] = management.initial.get(name, 0)
    for index, period in enumerate(periods.forms):
        for name, value in period.initial.items():
            data[f"{periods.prefix}-{index}-{name}"] = value
    response = client.post(page_url, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    after = sim_call("GetPhone", {"e164s": ["80002002"]})["infoPhones"][0]
    assert after == before
