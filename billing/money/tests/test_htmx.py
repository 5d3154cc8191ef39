"""The money forms answer htmx with the form alone (what is wrong on it), or send the whole
page elsewhere: never the page (navigation, title, balance) drawn inside the form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.money.tests.test_money import World
from vos3000.simulator import demo

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(demo_vos_server):
    return World(demo_vos_server)


def assert_form_alone(response, form_id: str):
    assert response.status_code == 200
    text = response.text.strip()
    assert text.startswith(f'<form method="post" id="{form_id}"'), text[:200]
    for page_part in ("<html", "<body", "<nav", "<h1", "balance-card"):
        assert page_part not in text, page_part


def test_it_answers_a_wrong_card_number_with_the_form_alone(world, client):
    client.force_login(world.customer)
    response = client.post(
        reverse("money_pin_topup", args=[world.manila.pk]),
        {"pin": "999999999999", "password": "1", "key": "htmx-pin-key-00001"},
        headers=HTMX,
    )
    assert_form_alone(response, "pin-form")
    assert "no phone card" in response.text


def test_it_answers_a_used_card_with_the_form_alone(world, client):
    client.force_login(world.customer)
    url = reverse("money_pin_topup", args=[world.manila.pk])
    card = {"pin": demo.PHONE_CARD_PINS[4], "password": demo.PHONE_CARD_PASSWORD}
    used = client.post(url, {**card, "key": "htmx-pin-key-00002"}, headers=HTMX)
    assert used.status_code == 204 and used["HX-Redirect"].startswith("/ledger/")
    again = client.post(url, {**card, "key": "htmx-pin-key-00003"}, headers=HTMX)
    assert_form_alone(again, "pin-form")
    assert "already been used" in again.text


def test_it_answers_too_many_card_attempts_with_the_form_alone(world, client):
    client.force_login(world.customer)
    url = reverse("money_pin_topup", args=[world.manila.pk])
    for n in range(6):
        response = client.post(
            url, {"pin": "1234", "password": "1", "key": f"htmx-limit-key-{n:05d}"}, headers=HTMX
        )
    assert response.status_code == 429
    assert "<nav" not in response.text and "Too many attempts" in response.text


def test_it_sends_a_top_up_that_needs_the_password_to_its_own_page(world, client, settings):
    """Above the threshold the password is asked again: htmx loads that page whole."""
    settings.REAUTH_MONEY_ABOVE = 10
    client.force_login(world.reseller)
    url = reverse("money_topup", args=[world.manila.pk])
    response = client.post(url, {"amount": "50", "key": "htmx-reauth-key-001"}, headers=HTMX)
    assert response.status_code == 204 and response.content == b""
    assert response["HX-Redirect"].startswith(reverse("account_reauthenticate"))
    # The same without htmx: the usual redirect.
    plain = client.post(url, {"amount": "50", "key": "htmx-reauth-key-002"})
    assert plain.status_code == 302
    assert plain["Location"].startswith(reverse("account_reauthenticate"))


def test_it_answers_a_top_up_while_vos_is_down_with_the_form_alone(world, client):
    world.server.base_url = "http://127.0.0.1:9/external/server/"
    world.server.save()
    client.force_login(world.reseller)
    response = client.post(
        reverse("money_topup", args=[world.manila.pk]),
        {"amount": "5", "key": "htmx-vos-down-key-01"},
        headers=HTMX,
    )
    assert_form_alone(response, "topup-form")
    assert "cannot be reached" in response.text and "127.0.0.1:9" not in response.text


def test_it_answers_a_bad_adjustment_with_the_form_alone(world, client):
    client.force_login(world.admin)
    response = client.post(
        reverse("money_adjust", args=[world.acme.pk]), {"amount": "-1"}, headers=HTMX
    )
    assert_form_alone(response, "adjust-form")
    assert 'aria-invalid="true"' in response.text and 'role="alert"' in response.text


def test_it_still_shows_the_whole_page_without_htmx(world, client):
    client.force_login(world.customer)
    response = client.post(
        reverse("money_pin_topup", args=[world.manila.pk]),
        {"pin": "999999999999", "password": "1", "key": "plain-pin-key-00001"},
    )
    assert response.status_code == 200
    assert "<nav" in response.text and "balance-card" in response.text
    assert "no phone card" in response.text
