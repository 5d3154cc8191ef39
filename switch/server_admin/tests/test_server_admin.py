"""The platform's server pages: connection settings per server (address write-only,
context path, .jsp endpoint names, timeouts) and "Test connection"."""

from __future__ import annotations

import json
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, ResellerFactory, UserFactory
from switch import vos
from switch.models import VosServer
from switch.server_admin import services

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _secret_parts(base_url: str) -> list[str]:
    parts = urlsplit(base_url)
    return [f"{parts.hostname}:{parts.port}", parts.netloc, base_url]


def _leaks(text: str, base_url: str) -> list[str]:
    return [part for part in _secret_parts(base_url) if part in text]


def _audit_text(action: str) -> str:
    events = AuditEvent.objects.filter(action=action)
    assert events.exists(), action
    return json.dumps(
        [
            {"payload": e.payload, "before": e.before, "after": e.after, "error": e.error}
            for e in events
        ]
    )


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


# --- a switch deployed the Tomcat way (no simulator needed) --------------------------------
class _FieldSwitch(BaseHTTPRequestHandler):
    """Answers ``<context>/GetSoftSwitch.jsp`` and ``<context>/GetAllCustomers.jsp`` like a
    Tomcat deployment, with its clock ``skew`` seconds ahead in the Date header; records
    every path asked for. ``delay`` makes it slow."""

    paths: list[str]
    skew = 0.0
    delay = 0.0

    def log_message(self, *args):
        pass

    def date_time_string(self, timestamp=None):
        return formatdate(time.time() + self.skew, usegmt=True)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.paths.append(self.path)
        time.sleep(self.delay)
        name = self.path.rsplit("/", 1)[-1]
        answers = {
            "GetSoftSwitch.jsp": {"retCode": 0, "infoSoftSwitches": [{"name": "field-sw"}]},
            # A sparse answer from the field: numbers as strings are not our concern here.
            "GetAllCustomers.jsp": {"retCode": 0, "accounts": ["a1", "a2", "a3"]},
        }
        body = json.dumps(answers.get(name, {"retCode": -19009})).encode()
        self.send_response(200 if name in answers else 404)
        self.send_header("Content-Type", "text/html;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def field_switch():
    def start(skew=0.0, delay=0.0):
        handler = type("Switch", (_FieldSwitch,), {"paths": [], "skew": skew, "delay": delay})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server, handler

    started: list = []
    yield start
    for server in started:
        server.shutdown()
        server.server_close()
    vos.forget_clients()


# --- the model and the client ----------------------------------------------------------------
def test_it_keeps_existing_rows_working_with_plain_endpoint_names(vos_server):
    vos_server.refresh_from_db()
    assert vos_server.endpoint_suffix == ""
    assert vos_server.context_path == urlsplit(vos_server.base_url).path
    assert vos_server.address + vos_server.context_path == vos_server.base_url
    assert vos.client_for(vos_server).call("GetSoftSwitch", {})["retCode"] == 0


def test_it_rebuilds_the_client_when_a_connection_setting_changes(vos_server):
    first = vos.client_for(vos_server)
    assert vos.client_for(vos_server) is first
    vos_server.endpoint_suffix = ".jsp"
    second = vos.client_for(vos_server)
    assert second is not first and second.endpoint_suffix == ".jsp"
    vos_server.read_timeout = 7
    assert vos.client_for(vos_server) is not second


@pytest.mark.parametrize(
    ("base_url", "ok"),
    [
        ("http://10.0.0.1:8080/external/server/", True),
        ("http://10.0.0.1:7391/external_new/server/", True),
        ("https://vos.example/ext/", True),
        ("http://10.0.0.1:8080/external/server", False),
        ("http://10.0.0.1:8080/", False),
        ("http://10.0.0.1:8080/a/../server/", False),
        ("http://10.0.0.1:99999/external/server/", False),
        ("http://user:pw@10.0.0.1/external/server/", False),
        ("ftp://10.0.0.1/external/server/", False),
    ],
)
def test_it_validates_the_address_and_context_path_together(base_url, ok):
    from django.core.exceptions import ValidationError

    from switch.models import validate_vos_base_url

    if ok:
        validate_vos_base_url(base_url)
    else:
        with pytest.raises(ValidationError):
            validate_vos_base_url(base_url)


def test_it_refuses_an_endpoint_suffix_that_is_not_an_extension():
    from vos3000.client import VosClient

    for bad in ("jsp", "/x", ".j s", ".jsp?x=1"):
        with pytest.raises(ValueError):
            VosClient("http://127.0.0.1:9/external/server/", endpoint_suffix=bad)


def test_it_sends_jsp_endpoint_names_under_any_context_path(field_switch):
    http, switch = field_switch()
    server = VosServer.objects.create(
        name="tomcat",
        base_url=f"http://127.0.0.1:{http.server_port}/external_new/server/",
        endpoint_suffix=".jsp",
    )
    answer = vos.client_for(server).call("GetAllCustomers", {})
    assert answer["accounts"] == ["a1", "a2", "a3"]
    assert switch.paths == ["/external_new/server/GetAllCustomers.jsp"]


# --- the pages ----------------------------------------------------------------------------
def test_it_lists_the_servers_with_their_address_masked(admin_client, demo_vos_server):
    page = admin_client.get(reverse("server_list"))
    assert page.status_code == 200
    assert 'data-server="main"' in page.text and "http://••••••" in page.text
    assert _leaks(page.text, demo_vos_server.base_url) == []
    fragment = admin_client.get(reverse("server_list"), headers=HTMX)
    assert 'id="server-table"' in fragment.text and "<html" not in fragment.text


def test_it_creates_a_server_from_its_parts_and_audits_it_without_the_address(admin_client, db):
    answer = admin_client.post(
        reverse("server_create"),
        {
            "name": "east",
            "address": "http://10.20.30.40:8391",
            "context_path": "external_new/server",
            "endpoint_suffix": ".jsp",
            "connect_timeout": "2",
            "read_timeout": "20",
            "enabled": "on",
            "push_token": "tok-123456789",
            "push_source_ips": "10.20.30.40, 10.20.31.0/24",
        },
    )
    assert answer.status_code == 302
    server = VosServer.objects.get(name="east")
    assert server.base_url == "http://10.20.30.40:8391/external_new/server/"
    assert (server.endpoint_suffix, server.connect_timeout, server.read_timeout) == (".jsp", 2, 20)
    assert server.push_token == "tok-123456789"
    assert server.push_source_ips == "10.20.30.40 10.20.31.0/24"
    audit_text = _audit_text("vos_server.create")
    assert "10.20.30.40" not in audit_text and "8391" not in audit_text
    assert "tok-123456789" not in audit_text
    assert '"context_path": "/external_new/server/"' in audit_text
    for url in (reverse("server_list"), reverse("server_edit", args=[server.pk])):
        text = admin_client.get(url).text
        assert "10.20.30.40" not in text and "8391" not in text and "tok-123456789" not in text


def test_it_keeps_the_address_and_secrets_when_left_empty(admin_client, vos_server):
    vos_server.push_token = "keep-this-token"
    vos_server.push_source_ips = "127.0.0.1"
    vos_server.save()
    address = vos_server.address
    form = admin_client.get(reverse("server_edit", args=[vos_server.pk]))
    assert form.status_code == 200 and _leaks(form.text, vos_server.base_url) == []
    assert "keep-this-token" not in form.text and "127.0.0.1" not in form.text
    assert 'value="/external/server/"' in form.text  # the context path is editable
    answer = admin_client.post(
        reverse("server_edit", args=[vos_server.pk]),
        {
            "name": "main",
            "address": "",
            "context_path": "/external_new/server/",
            "endpoint_suffix": ".jsp",
            "connect_timeout": "1.5",
            "read_timeout": "9",
            "enabled": "on",
            "push_token": "",
            "push_source_ips": "",
        },
        headers=HTMX,
    )
    assert answer.status_code == 204 and answer["HX-Redirect"] == reverse("server_list")
    vos_server.refresh_from_db()
    assert vos_server.base_url == address + "/external_new/server/"
    assert (vos_server.push_token, vos_server.push_source_ips) == ("keep-this-token", "127.0.0.1")
    event = AuditEvent.objects.get(action="vos_server.change")
    assert event.before["context_path"] == "/external/server/"
    assert event.after["context_path"] == "/external_new/server/"
    assert event.after["endpoint_suffix"] == ".jsp"
    assert event.after["address_changed"] is False
    assert event.after["push_token_changed"] is False
    assert _leaks(_audit_text("vos_server.change"), vos_server.base_url) == []
    assert vos.client_for(vos_server).endpoint_suffix == ".jsp"


def test_it_refuses_bad_settings_in_words_without_echoing_the_address(admin_client, vos_server):
    typed = "http://10.9.8.7:7391/external/server/"
    answer = admin_client.post(
        reverse("server_edit", args=[vos_server.pk]),
        {
            "name": "main",
            "address": typed,
            "context_path": "/../etc/",
            "connect_timeout": "0",
            "read_timeout": "9999",
            "push_source_ips": "not-an-ip",
        },
        headers=HTMX,
    )
    assert answer.status_code == 200 and "<html" not in answer.text
    assert "context path has its own field" in answer.text
    assert "10.9.8.7" not in answer.text
    assert answer.text.count("field-error") >= 5
    vos_server.refresh_from_db()
    assert vos_server.context_path == "/external/server/"
    assert not AuditEvent.objects.filter(action="vos_server.change").exists()


def test_it_asks_for_the_address_of_a_new_server(admin_client, db):
    answer = admin_client.post(
        reverse("server_create"),
        {
            "name": "x",
            "context_path": "/external/server/",
            "connect_timeout": 3,
            "read_timeout": 15,
        },
    )
    assert answer.status_code == 200 and not VosServer.objects.filter(name="x").exists()
    assert "field-error" in answer.text


# --- Test connection --------------------------------------------------------------------
def test_it_tests_the_connection_and_says_what_it_found(admin_client, demo_vos_server, portal_sim):
    expected = requests.post(portal_sim.base_url + "GetAllCustomers", json={}, timeout=5).json()
    answer = admin_client.post(reverse("server_test", args=[demo_vos_server.pk]), headers=HTMX)
    assert answer.status_code == 200 and "<html" not in answer.text
    assert f'id="test-{demo_vos_server.pk}"' in answer.text
    assert f"<span data-customers>{len(expected['accounts'])}</span>" in answer.text
    assert "answered in" in answer.text
    assert _leaks(answer.text, demo_vos_server.base_url) == []
    event = AuditEvent.objects.get(action="vos_server.test_connection")
    assert event.result == "ok" and event.vos_server == "main"
    assert event.after["customers"] == len(expected["accounts"])
    assert [call["endpoint"] for call in event.after["calls"]] == [
        "GetSoftSwitch",
        "GetAllCustomers",
    ]
    assert all(call["ms"] > 0 for call in event.after["calls"])
    # The simulator's Date header comes from this machine's clock.
    assert abs(event.after["clock_skew_s"]) <= 2
    assert _leaks(_audit_text("vos_server.test_connection"), demo_vos_server.base_url) == []
    # The list shows the last result.
    assert "answered the last test" in admin_client.get(reverse("server_list")).text


def test_it_tests_a_tomcat_deployment_and_measures_its_clock(admin_client, field_switch):
    http, switch = field_switch(skew=120)
    server = VosServer.objects.create(
        name="tomcat",
        base_url=f"http://127.0.0.1:{http.server_port}/external_new/server/",
        endpoint_suffix=".jsp",
    )
    scope_user = AdminFactory()
    from accounts.scope import Scope

    result = services.test_connection(Scope(user=scope_user), server)
    assert switch.paths == [
        "/external_new/server/GetSoftSwitch.jsp",
        "/external_new/server/GetAllCustomers.jsp",
    ]
    assert result["ok"] and result["soft_switches"] == ["field-sw"] and result["customers"] == 3
    assert 118 <= result["clock_skew_s"] <= 121
    page = admin_client.get(reverse("server_list")).text
    assert "ahead" in page and str(http.server_port) not in page


def test_it_says_when_the_switch_clock_is_behind(admin_client, field_switch):
    http, _ = field_switch(skew=-90)
    server = VosServer.objects.create(
        name="late",
        base_url=f"http://127.0.0.1:{http.server_port}/external/server/",
        endpoint_suffix=".jsp",
    )
    answer = admin_client.post(reverse("server_test", args=[server.pk]), headers=HTMX)
    skew = AuditEvent.objects.get(action="vos_server.test_connection").after["clock_skew_s"]
    assert -92 <= skew <= -89
    assert f"the server is {-skew} s behind" in answer.text


def test_it_reports_an_unreachable_server_in_words(admin_client, db):
    server = VosServer.objects.create(
        name="gone", base_url="http://127.0.0.1:9/external/server/", connect_timeout=0.5
    )
    answer = admin_client.post(reverse("server_test", args=[server.pk]), headers=HTMX)
    assert answer.status_code == 200
    assert "cannot be reached" in answer.text and "Not tried" in answer.text
    assert "could not be reached" in answer.text
    assert "127.0.0.1:9" not in answer.text
    event = AuditEvent.objects.get(action="vos_server.test_connection")
    assert event.result == "error" and "127.0.0.1" not in event.error
    assert event.after["clock_skew_s"] is None and event.after["customers"] is None
    assert "unknown" in answer.text
    # Without htmx: back to the list, which shows the result.
    plain = admin_client.post(reverse("server_test", args=[server.pk]))
    assert plain.status_code == 302
    listed = admin_client.get(reverse("server_list")).text
    assert "no answer to the last test" in listed or "unreachable" in listed


def test_it_does_not_wait_for_a_slow_switch(admin_client, field_switch, monkeypatch):
    monkeypatch.setattr(services, "TEST_TIMEOUT", (0.5, 0.3))
    http, _ = field_switch(delay=1.5)
    server = VosServer.objects.create(
        name="slow",
        base_url=f"http://127.0.0.1:{http.server_port}/external/server/",
        endpoint_suffix=".jsp",
        read_timeout=60,
    )
    started = time.monotonic()
    answer = admin_client.post(reverse("server_test", args=[server.pk]), headers=HTMX)
    assert time.monotonic() - started < 5
    assert answer.status_code == 200 and "cannot be reached" in answer.text


# --- who may --------------------------------------------------------------------------------
def test_it_hides_the_server_pages_from_everyone_but_the_platform(client, vos_server):
    reseller = UserFactory(tenant=ResellerFactory(), role=Role.RESELLER_MANAGER)
    auditor = UserFactory(tenant=AdminFactory().tenant, role=Role.PLATFORM_AUDITOR)
    urls = [
        reverse("server_list"),
        reverse("server_create"),
        reverse("server_edit", args=[vos_server.pk]),
        reverse("server_test", args=[vos_server.pk]),
    ]
    client.force_login(reseller)
    for url in urls:
        assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    client.force_login(auditor)
    listed = client.get(urls[0])
    assert listed.status_code == 200 and "Test connection" not in listed.text
    for url in urls[1:]:
        assert client.post(url).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="vos_server.").exists()


def test_it_offers_the_page_in_the_platforms_navigation(admin_client, vos_server):
    assert reverse("server_list") in admin_client.get(reverse("dashboard")).text
