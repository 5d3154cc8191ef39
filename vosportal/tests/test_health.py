import json
import socket

import pytest

from switch import vos
from switch.models import VosServer

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_vos():
    port = _closed_port()
    VosServer.objects.create(
        name="main", base_url=f"http://127.0.0.1:{port}/external/server/", connect_timeout=0.5
    )
    yield port
    vos.forget_clients()


def test_it_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


def test_it_reports_an_unreachable_vos_without_its_address(client, unreachable_vos):
    response = client.get("/healthz")
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["vos"]["main"]["ok"] is False
    text = json.dumps(body)
    assert "127.0.0.1" not in text
    assert str(unreachable_vos) not in text
    assert "external" not in text


def test_it_is_not_cached_by_browsers_or_proxies(client):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


def test_it_reports_a_reachable_vos(client, vos_server):
    body = client.get("/healthz").json()
    assert body["checks"]["vos"][vos_server.name]["ok"] is True
    assert body["status"] in {"ok", "degraded"}  # degraded only for a missing worker heartbeat
