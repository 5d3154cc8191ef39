"""The VOS address never reaches a browser: not in pages, headers, error pages, the
Django admin or the health check."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory
from accounts.tests.isolation_world import build_world

pytestmark = pytest.mark.django_db


def _leaks(response, server) -> list[str]:
    parts = urlsplit(server.base_url)
    needles = [server.base_url, f"{parts.hostname}:{parts.port}", "/external/server"]
    text = response.content.decode(errors="replace") + "".join(
        f"{key}: {value}" for key, value in response.items()
    )
    return [needle for needle in needles if needle in text]


def test_it_keeps_the_address_out_of_every_page(client, demo_vos_server):
    world = build_world()
    client.force_login(AdminFactory())
    pages = [
        reverse("dashboard"),
        reverse("tenant_list"),
        reverse("tenant_detail", args=[world.tenants["A1"].pk]),
        reverse("tenant_link"),
        reverse("healthz"),
        "/admin/telephony/vosserver/",
        f"/admin/telephony/vosserver/{demo_vos_server.pk}/change/",
        "/no-such-page/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code < 500, url
        assert _leaks(response, demo_vos_server) == [], url


def test_it_keeps_the_address_out_of_a_vos_error_on_a_form(client, demo_vos_server, portal_sim):
    client.force_login(AdminFactory())
    portal_sim.control("fault", endpoint="GetCustomer", mode="http500", count=5)
    response = client.post(
        reverse("tenant_link"),
        {"server": demo_vos_server.pk, "vos_account": "acme", "kind": "customer"},
    )
    assert response.status_code == 200
    assert "did not answer" in response.text or "cannot be reached" in response.text
    assert _leaks(response, demo_vos_server) == []
