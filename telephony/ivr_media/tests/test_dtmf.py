"""The IVR hook's rule table (telephony.ivr_media.dtmf.answer) and its admin pages."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, UserFactory
from switch.models import VosServer
from telephony.ivr_media import dtmf
from telephony.models import DtmfRule

pytestmark = pytest.mark.django_db


def push(menu, digits, **extra):
    return {
        "flowNo": 1,
        "callerE164": "1001",
        "calleeE164": "800",
        "accessE164": "800",
        "menuName": menu,
        "dtmf": digits,
        **extra,
    }


def pushes(*entries):
    return {
        "flowNo": 1,
        "callerE164": "1001",
        "calleeE164": "800",
        "accessE164": "800",
        "infoDtmfs": [{"menuName": m, "dtmf": d} for m, d in entries],
    }


@pytest.fixture
def servers(db):
    return (
        VosServer.objects.create(name="one", base_url="http://127.0.0.1:9/external/server/"),
        VosServer.objects.create(name="two", base_url="http://127.0.0.1:9/external/server/"),
    )


@pytest.fixture
def rules(servers):
    one, _two = servers
    DtmfRule.objects.create(menu_name="main", digits="1", ret_code=11, audio_names=["sales"])
    DtmfRule.objects.create(menu_name="main", digits="", ret_code=19, audio_names=["again"])
    DtmfRule.objects.create(server=one, menu_name="main", digits="1", ret_code=111)
    DtmfRule.objects.create(server=one, menu_name="lang", digits="", ret_code=5)
    DtmfRule.objects.create(menu_name="lang", digits="2", ret_code=2)
    return servers


def test_it_answers_an_exact_rule_with_its_audio(rules):
    _one, two = rules
    assert dtmf.answer(two, "PushDtmfInfo", push("main", "1")) == {
        "retCode": 11,
        "audioNames": ["sales"],
    }


def test_it_prefers_the_servers_own_rule_to_a_global_one(rules):
    one, _two = rules
    assert dtmf.answer(one, "PushDtmfInfo", push("main", "1")) == {"retCode": 111}


def test_it_falls_back_to_the_menus_default_rule(rules):
    _one, two = rules
    assert dtmf.answer(two, "PushDtmfInfo", push("main", "7#")) == {
        "retCode": 19,
        "audioNames": ["again"],
    }


def test_it_prefers_an_exact_global_rule_to_the_servers_default(rules):
    one, two = rules
    assert dtmf.answer(one, "PushDtmfInfo", push("lang", "2")) == {"retCode": 2}
    assert dtmf.answer(one, "PushDtmfInfo", push("lang", "3")) == {"retCode": 5}
    # The server's default rule is not another server's.
    assert dtmf.answer(two, "PushDtmfInfo", push("lang", "3")) == {"retCode": -1}


def test_it_lets_the_switch_run_its_default_menu_without_a_rule(rules, settings):
    _one, two = rules
    assert dtmf.answer(two, "PushDtmfInfo", push("unknown", "1")) == {"retCode": -1}
    settings.DTMF_NO_RULE_RET_CODE = 99
    assert dtmf.answer(two, "PushDtmfInfo", push("unknown", "1")) == {"retCode": 99}


def test_it_decides_push_dtmf_infos_by_the_last_entry(rules):
    _one, two = rules
    answer = dtmf.answer(two, "PushDtmfInfos", pushes(("lang", "2"), ("main", "1")))
    assert answer == {"retCode": 11, "audioNames": ["sales"]}
    assert dtmf.answer(two, "PushDtmfInfos", pushes(("main", "1"), ("lang", "2"))) == {"retCode": 2}
    assert dtmf.answer(two, "PushDtmfInfos", pushes()) == {"retCode": -1}


def test_it_answers_with_one_query(rules):
    one, _two = rules
    with CaptureQueriesContext(connection) as queries:
        dtmf.answer(one, "PushDtmfInfo", push("main", "1"))
    assert len(queries) == 1


# --- end to end: the simulator's dtmf action -> an HTTP hook calling answer() --------------
class Hook:
    """A stand-in for the portal's push receiver: answers with telephony.ivr_media.dtmf.answer."""

    def __init__(self, server):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                name = self.path.rsplit("/", 1)[-1]
                try:
                    data = json.dumps(dtmf.answer(server, name, body)).encode()
                finally:
                    connection.close()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/vos/push"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.django_db(transaction=True)
def test_it_answers_the_simulators_dtmf_pushes_end_to_end(portal_sim):
    server = VosServer.objects.create(name="main", base_url=portal_sim.base_url)
    DtmfRule.objects.create(menu_name="main", digits="1", ret_code=11, audio_names=["a", "b"])
    hook = Hook(server)
    try:
        portal_sim.control("settings", push_url=hook.url)
        one = portal_sim.control("dtmf", menu="main", digits="1")
        several = portal_sim.control("dtmf", entries=[["x", "9"], ["main", "1"]])
        none = portal_sim.control("dtmf", menu="main", digits="2")
    finally:
        portal_sim.control("settings", push_url=None)
        hook.close()
    assert (one["retCode"], one["audioNames"]) == (11, ["a", "b"])
    assert (several["retCode"], several["audioNames"]) == (11, ["a", "b"])
    assert (none["retCode"], none["audioNames"]) == (-1, [])


# --- pages ----------------------------------------------------------------------------------
@pytest.fixture
def admin(client):
    user = AdminFactory()
    client.force_login(user)
    return user


def test_it_creates_edits_and_deletes_a_rule_with_an_audit_trail(client, admin, servers):
    one, _two = servers
    response = client.post(
        reverse("dtmf_rule_create"),
        {
            "server": one.pk,
            "menu_name": " main ",
            "digits": "1#",
            "ret_code": 3,
            "audio_names": "hello, menu ,",
            "memo": "sales",
        },
    )
    assert response.status_code == 302
    rule = DtmfRule.objects.get()
    assert (rule.menu_name, rule.digits, rule.audio_names) == ("main", "1#", ["hello", "menu"])
    assert "main" in client.get(reverse("dtmf_rule_list")).text

    edit = reverse("dtmf_rule_edit", args=[rule.pk])
    assert "hello, menu" in client.get(edit).text
    client.post(edit, {"server": "", "menu_name": "main", "digits": "", "ret_code": 4})
    rule.refresh_from_db()
    assert (rule.server, rule.digits, rule.ret_code, rule.audio_names) == (None, "", 4, [])

    delete = reverse("dtmf_rule_delete", args=[rule.pk])
    assert client.post(delete, {}).status_code == 200  # a bare POST asks first
    assert client.post(delete, {}, HTTP_HX_REQUEST="true").status_code == 200
    assert not DtmfRule.objects.exists()

    events = {e.action: e for e in AuditEvent.objects.filter(action__startswith="dtmf_rule.")}
    assert set(events) == {"dtmf_rule.create", "dtmf_rule.change", "dtmf_rule.delete"}
    assert events["dtmf_rule.create"].after["retCode"] == 3
    assert events["dtmf_rule.change"].before["retCode"] == 3
    assert events["dtmf_rule.change"].after == {
        "server": None,
        "menuName": "main",
        "digits": "",
        "retCode": 4,
        "audioNames": [],
        "memo": "",
    }
    assert events["dtmf_rule.delete"].before["retCode"] == 4
    assert events["dtmf_rule.delete"].actor == admin


def test_it_refuses_bad_digits_and_duplicates_on_the_form(client, admin, servers):
    one, _two = servers
    DtmfRule.objects.create(menu_name="main", digits="1", ret_code=1)
    DtmfRule.objects.create(server=one, menu_name="main", digits="1", ret_code=1)
    create = reverse("dtmf_rule_create")
    bad = client.post(create, {"menu_name": "main", "digits": "1x", "ret_code": 1})
    assert "Use only the keys" in bad.text
    for server in ("", one.pk):
        duplicate = client.post(
            create, {"server": server, "menu_name": "main", "digits": "1", "ret_code": 2}
        )
        assert "exists already" in duplicate.text
    too_long = client.post(create, {"menu_name": "m" * 65, "digits": "1", "ret_code": 2})
    assert too_long.status_code == 200 and "at most 64 characters" in too_long.text
    too_big = client.post(create, {"menu_name": "x", "digits": "1", "ret_code": 2**31})
    assert "less than or equal to" in too_big.text
    assert DtmfRule.objects.count() == 2
    assert not AuditEvent.objects.filter(action__startswith="dtmf_rule.").exists()


def test_it_lets_auditors_read_rules_but_not_change_them(client, servers):
    rule = DtmfRule.objects.create(menu_name="main", digits="1", ret_code=1)
    client.force_login(UserFactory(tenant=AdminFactory().tenant, role=Role.PLATFORM_AUDITOR))
    assert client.get(reverse("dtmf_rule_list")).status_code == 200
    page = client.get(reverse("dtmf_rule_edit", args=[rule.pk]))
    assert page.status_code == 200 and "main" in page.text
    assert client.post(reverse("dtmf_rule_edit", args=[rule.pk]), {}).status_code == 404
    assert client.get(reverse("dtmf_rule_create")).status_code == 404
    delete = reverse("dtmf_rule_delete", args=[rule.pk])
    assert client.post(delete, {"confirm": "yes"}).status_code == 404
    assert DtmfRule.objects.filter(pk=rule.pk).exists()
