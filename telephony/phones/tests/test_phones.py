"""Phone pages against the simulator over HTTP: list with registration status, create,
every setting, password, delete; scoped to the customer's own account."""

from __future__ import annotations

import pytest
from django import forms
from django.apps import apps
from django.urls import reverse

from accounts import audit
from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.tests.factories import AdminFactory
from switch.forms import SEPARATOR
from telephony.conftest import user_of
from telephony.phones.forms import CUSTOMER_PATHS, PHONE_GROUPS
from telephony.phones.selectors import Connection
from vos3000 import catalog

pytestmark = pytest.mark.django_db


def url(name, tenant, **kwargs):
    return reverse(name, kwargs={"tenant_id": tenant.pk, **kwargs})


def calls(portal_sim) -> dict:
    return dict(portal_sim.control("stats")["requests"])


def delta(before: dict, after: dict) -> dict:
    return {
        k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)
    }


def get_phone(sim_call, e164) -> dict:
    rows = sim_call("GetPhone", {"e164s": [e164]})["infoPhones"]
    return rows[0] if rows else None


def at(info: dict, path: str):
    for part in path.split(SEPARATOR):
        info = (info or {}).get(part)
    return info


def everything_in_the_database() -> str:
    """Every stored value of every table, as text: what a leaked secret would be in."""
    text = []
    for model in apps.get_models():
        for row in model._default_manager.values():
            text.append(repr(row))
    return "\n".join(text)


# --- List ---------------------------------------------------------------------------------
def test_it_lists_phones_with_registration_status_from_one_call(client, demo, as_user, portal_sim):
    _server, t = demo
    as_user(t["globaltel"])
    portal_sim.control("register_phone", e164="80002003")
    before = calls(portal_sim)
    response = client.get(url("phone_list", t["manila"]))
    assert response.status_code == 200
    made = delta(before, calls(portal_sim))
    assert (made.get("GetPhone"), made.get("GetPhoneOnline")) == (1, 1)
    rows = {
        e164: response.text.split(f">{e164}</a>", 1)[1].split("</tr>", 1)[0]
        for e164 in ("80002001", "80002002", "80002003")
    }
    assert 'data-status="online"' in rows["80002001"]  # online in the demo
    assert 'data-status="offline"' in rows["80002002"]
    assert 'data-status="online"' in rows["80002003"]
    # Only manila's phones: not delhi's (same reseller) nor acme's.
    assert "80002011" not in response.text and "80001001" not in response.text


def test_it_pages_the_list_with_one_status_call_per_page(
    client, demo, as_user, portal_sim, sim_call
):
    _server, t = demo
    for n in range(30):
        sim_call(
            "CreatePhone",
            {"e164": f"8009{n:04d}", "account": "delhi-soft", "autoCreateAccount": False},
        )
    as_user(t["globaltel"])
    for page, expected in ((1, 25), (2, 7)):
        before = calls(portal_sim)
        response = client.get(url("phone_list", t["delhi"]), {"page": page})
        made = delta(before, calls(portal_sim))
        assert (made.get("GetPhone"), made.get("GetPhoneOnline")) == (1, 1)
        assert response.text.count('data-status="') == expected
    body = portal_sim.control("requests", endpoint="GetPhoneOnline", limit=1)["requests"][-1][
        "body"
    ]
    assert len(body["e164s"]) == 7


def test_it_searches_the_list_with_htmx(client, demo, as_user):
    _server, t = demo
    as_user(t["globaltel"])
    response = client.get(url("phone_list", t["manila"]), {"q": "2002"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "80002002" in response.text and "80002001" not in response.text
    assert "<html" not in response.text


def test_it_says_when_the_customer_is_not_linked(client, demo, as_user):
    from accounts.tests.factories import TenantFactory

    _server, t = demo
    loose = TenantFactory(parent=t["globaltel"], server=None, vos_account="")
    as_user(t["globaltel"])
    response = client.get(url("phone_list", loose))
    assert response.status_code == 200
    assert "not linked to a VOS server" in response.text


def test_it_words_a_failed_read_and_never_answers_500(client, demo, as_user, portal_sim):
    server, t = demo
    as_user(t["globaltel"])
    portal_sim.control("fault", endpoint="GetPhone", mode="http500", count=3)
    response = client.get(url("phone_list", t["manila"]))
    assert response.status_code == 200
    assert "switch" in response.text and server.base_url not in response.text
    portal_sim.control("fault", endpoint="GetPhoneOnline", mode="garbage", count=3)
    response = client.get(url("phone_list", t["manila"]))
    assert response.status_code == 200
    assert "Registration status could not be read" in response.text
    assert 'data-status="unknown"' in response.text


# --- Create -------------------------------------------------------------------------------
def test_it_creates_a_phone_with_a_generated_password_shown_once(client, demo, as_user, sim_call):
    _server, t = demo
    as_user(t["globaltel"])
    response = client.post(
        url("phone_create", t["manila"]),
        {"e164": "80002099", "displayNumber": "555", "callLevel": "4"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.text.split('id="phone-password">', 1)[1].split("<", 1)[0]
    assert len(password) >= 12
    phone = get_phone(sim_call, "80002099")
    assert (phone["account"], phone["password"], phone["displayNumber"], phone["callLevel"]) == (
        "manila-bpo",
        password,
        "555",
        4,
    )
    # Never stored: not in the audit trail (redacted), not anywhere in the database.
    event = AuditEvent.objects.get(action="vos.CreatePhone")
    assert event.result == "ok" and event.payload["password"] == audit.REDACTED
    assert event.payload["account"] == "manila-bpo" and event.payload["autoCreateAccount"] is False
    assert password not in everything_in_the_database()
    # Shown once: the list and the settings page do not show it (VOS answers it in GetPhone).
    assert password not in client.get(url("phone_list", t["manila"])).text
    assert password not in client.get(url("phone_edit", t["manila"], e164="80002099")).text


def test_it_keeps_a_password_typed_in(client, demo, as_user, sim_call):
    _server, t = demo
    as_user(t["globaltel"])
    response = client.post(
        url("phone_create", t["manila"]), {"e164": "80002098", "password": "typed-in-99"}
    )
    assert "typed-in-99" in response.text
    assert get_phone(sim_call, "80002098")["password"] == "typed-in-99"


def test_audit_redaction_covers_phone_passwords():
    redacted = audit.redact({"password": "a", "customerPassword": "b", "e164": "c"})
    assert redacted == {"password": audit.REDACTED, "customerPassword": audit.REDACTED, "e164": "c"}


def test_it_shows_field_errors_and_sends_nothing_for_bad_input(client, demo, as_user, portal_sim):
    _server, t = demo
    as_user(t["globaltel"])
    before = calls(portal_sim)
    response = client.post(
        url("phone_create", t["manila"]),
        {"e164": "not a number!", "password": "short", "callLevel": "3", "memo": "x" * 300},
    )
    assert response.status_code == 200
    assert response.text.count('class="field-error"') >= 4
    assert "CreatePhone" not in delta(before, calls(portal_sim))
    assert not AuditEvent.objects.filter(action="vos.CreatePhone").exists()


@pytest.mark.parametrize("mode", ["http500", "timeout_before"])
def test_it_words_a_failed_create(client, demo, as_user, portal_sim, mode, sim_call):
    server, t = demo
    as_user(t["globaltel"])
    portal_sim.control("fault", endpoint="CreatePhone", mode=mode, seconds=0.3)
    response = client.post(url("phone_create", t["manila"]), {"e164": "80002097"})
    assert response.status_code == 200
    assert "form-errors" in response.text and "switch" in response.text
    assert 'id="phone-password"' not in response.text
    assert server.base_url not in response.text and "127.0.0.1" not in response.text
    assert get_phone(sim_call, "80002097") is None


def test_it_words_a_refusal(client, demo, as_user):
    _server, t = demo
    as_user(t["globaltel"])
    response = client.post(url("phone_create", t["manila"]), {"e164": "80002001"})  # exists
    assert response.status_code == 200
    assert "The switch refused the request" in response.text


def test_it_refuses_phone_creation_to_customers(client, demo, as_user):
    _server, t = demo
    as_user(t["manila"])
    assert client.get(url("phone_create", t["manila"])).status_code == 404
    assert client.post(url("phone_create", t["manila"]), {"e164": "80002096"}).status_code == 404


# --- Settings -----------------------------------------------------------------------------
def flat_request_paths() -> set[str]:
    """Every leaf of ModifyPhone's request, nested objects flattened with "__"."""
    out = set()

    def walk(fields, prefix):
        for field in fields:
            kind = field.item_type or field.type
            if kind in catalog.TYPES and field.item_type is None:
                walk(catalog.TYPES[kind], f"{prefix}{field.name}{SEPARATOR}")
            else:
                out.add(f"{prefix}{field.name}")

    walk(catalog.endpoint("ModifyPhone").request, "")
    return out


def test_the_form_offers_every_setting_of_the_manual():
    laid_out = {
        path for _k, _t, sections in PHONE_GROUPS for _s, paths in sections for path in paths
    }
    handled_elsewhere = {
        "e164",  # the URL
        "password",  # its own page
        "account",  # admins' move field
        "infoPhoneValueAdded__infoPhoneValueAddedPeriodForwardings",  # the row editor
    }
    assert flat_request_paths() - handled_elsewhere == laid_out
    assert laid_out >= CUSTOMER_PATHS


def sample(field) -> tuple:
    """(what to post, what VOS should then hold) for a form field."""
    if isinstance(field, forms.BooleanField):
        return "on", True
    if isinstance(field, forms.MultipleChoiceField):
        values = [value for value, _label in field.choices][:2]
        return values, values
    if isinstance(field, forms.TypedChoiceField):
        value = [value for value, _label in field.choices if value != ""][-1]
        return value, int(value)
    if isinstance(field, forms.IntegerField):
        return "7", 7
    if isinstance(field, forms.DecimalField):
        return "12.5", 12.5
    value = "v1-" + str(abs(hash(field.label)) % 10_000)
    return value, value


NO_PERIODS = {
    "period-TOTAL_FORMS": "0",
    "period-INITIAL_FORMS": "0",
    "period-MIN_NUM_FORMS": "0",
    "period-MAX_NUM_FORMS": "20",
}


PERIOD_POST = {
    **NO_PERIODS,
    "period-TOTAL_FORMS": "2",
    "period-0-days": ["1", "2"],
    "period-0-begin": "09:00",
    "period-0-end": "17:30",
    "period-0-e164": "4420711, 4420712",
    "period-0-forward_method": "1",
    "period-0-alert_second": "20",
}


PERIOD_WIRE = [
    {
        "weekOfDay": "1,2",
        "beginSecondInDay": 9 * 3600,
        "endSecondInDay": 17 * 3600 + 1800,
        "forwardE164": {"forwardMethod": 1, "alertSecond": 20, "e164": "4420711,4420712"},
    }
]


def posted_settings(form, overrides=None):
    data, expected = dict(PERIOD_POST), {}
    for path, field in form.fields.items():
        if field.disabled or path == "account":
            continue
        data[path], expected[path] = sample(field)
    for path, value in (overrides or {}).items():
        data[path] = expected[path] = value
    return data, expected


@pytest.mark.parametrize("who", ["admin", "reseller"])
def test_it_round_trips_every_group(client, demo, as_user, sim_call, who):
    _server, t = demo
    if who == "admin":
        client.force_login(AdminFactory())
    else:
        as_user(t["globaltel"])
    page = client.get(url("phone_edit", t["manila"], e164="80002002"))
    assert page.status_code == 200
    form = page.context["form"]
    groups = {group["key"] for group in form.sections()}
    assert groups == (
        {"basic", "limits", "value_added", "advanced"}
        if who == "admin"
        else {"basic", "limits", "value_added"}
    )
    if who == "admin":
        overrides = {"feerateGroup": "Retail-Premium"}
    else:
        from telephony.models import LimitedE164Group

        LimitedE164Group.objects.create(server=_server, owner=t["globaltel"], name="globaltel:vip")
        overrides = {
            "callerLimitE164Groups": "globaltel:vip",
            "calleeLimitE164Groups": "globaltel:vip",
        }
    data, expected = posted_settings(form, overrides)
    data["customerPassword"] = expected["customerPassword"] = "web-pass-1"
    if who == "admin":
        data["account"] = "manila-bpo"
    response = client.post(url("phone_edit", t["manila"], e164="80002002"), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    stored = get_phone(sim_call, "80002002")
    wrong = {
        path: (at(stored, path), value)
        for path, value in expected.items()
        if at(stored, path) != value
    }
    assert wrong == {}
    assert at(stored, "infoPhoneValueAdded__infoPhoneValueAddedPeriodForwardings") == PERIOD_WIRE
    # Read back into the form: the page shows what VOS holds (the web password excepted).
    again = client.get(url("phone_edit", t["manila"], e164="80002002"))
    initial = again.context["form"].initial
    assert initial["displayNumber"] == expected["displayNumber"]
    assert "customerPassword" not in initial and "web-pass-1" not in again.text
    periods = again.context["periods"]
    assert periods.initial_form_count() == 1
    assert periods.forms[0].initial["begin"] == "09:00" and periods.forms[0].initial["days"] == [
        "1",
        "2",
    ]


def test_it_removes_a_period_and_keeps_the_web_password_when_left_blank(
    client, demo, as_user, sim_call
):
    _server, t = demo
    sim_call(
        "ModifyPhone",
        {
            "e164": "80002002",
            "customerPassword": "keep-me",
            "infoPhoneValueAdded": {"infoPhoneValueAddedPeriodForwardings": PERIOD_WIRE},
        },
    )
    as_user(t["globaltel"])
    page = client.get(url("phone_edit", t["manila"], e164="80002002"))
    form = page.context["form"]
    data = {}
    for path, field in form.fields.items():
        value = form.initial.get(path)
        if isinstance(field, forms.BooleanField):
            if value:
                data[path] = "on"
        elif value is not None:
            data[path] = value
    data.update(
        {
            "period-TOTAL_FORMS": "3",
            "period-INITIAL_FORMS": "1",
            "period-0-days": ["1", "2"],
            "period-0-begin": "09:00",
            "period-0-end": "17:30",
            "period-0-e164": "4420711",
            "period-0-DELETE": "on",
        }
    )
    response = client.post(url("phone_edit", t["manila"], e164="80002002"), data)
    assert response.status_code == 302
    stored = get_phone(sim_call, "80002002")
    assert stored["customerPassword"] == "keep-me"
    assert stored["infoPhoneValueAdded"]["infoPhoneValueAddedPeriodForwardings"] == []


def test_it_shows_errors_of_a_bad_period(client, demo, as_user, portal_sim):
    _server, t = demo
    as_user(t["globaltel"])
    before = calls(portal_sim)
    data = {**PERIOD_POST, "period-0-begin": "18:00", "period-0-end": "25:00", "lockType": "0"}
    response = client.post(url("phone_edit", t["manila"], e164="80002002"), data)
    assert response.status_code == 200
    assert "Enter a time as HH:MM" in response.text
    assert "ModifyPhone" not in delta(before, calls(portal_sim))


def test_a_customer_changes_only_what_a_customer_may(client, demo, as_user, sim_call):
    _server, t = demo
    before = get_phone(sim_call, "80002002")
    as_user(t["manila"])  # customer owner
    page = client.get(url("phone_edit", t["manila"], e164="80002002"))
    assert page.status_code == 200
    assert "You can change:" in page.text and "managed by your provider" in page.text
    form = page.context["form"]
    assert form.editable == CUSTOMER_PATHS
    assert "infoPhoneAdditional__ip" not in form.fields  # advanced: admins only
    data = {
        **PERIOD_POST,
        # What the customer may change...
        "infoPhoneValueAdded__doNotDisturb": "on",
        "infoPhoneValueAdded__unconditionalForward": "on",
        "infoPhoneValueAdded__unconditionalForwardE164__e164": "4420799",
        "infoPhoneValueAdded__voiceMail": "on",
        "infoPhoneValueAdded__colorRingName": "jazz",
        # ... and what it may not, posted anyway.
        "displayNumber": "999999",
        "lineCapacity": "99",
        "memo": "hacked",
        "feerateGroup": "Wholesale",
        "infoPhoneAdditional__ip": "10.9.9.9",
        "infoPhoneValueAdded__callTransfer": "on",
        "account": "delhi-soft",
    }
    response = client.post(url("phone_edit", t["manila"], e164="80002002"), data)
    assert response.status_code == 302
    after = get_phone(sim_call, "80002002")
    assert after["infoPhoneValueAdded"]["doNotDisturb"] is True
    assert after["infoPhoneValueAdded"]["unconditionalForward"] is True
    assert after["infoPhoneValueAdded"]["unconditionalForwardE164"]["e164"] == "4420799"
    assert after["infoPhoneValueAdded"]["colorRingName"] == "jazz"
    assert after["infoPhoneValueAdded"]["infoPhoneValueAddedPeriodForwardings"] == PERIOD_WIRE
    for path in (
        "displayNumber",
        "lineCapacity",
        "memo",
        "feerateGroup",
        "account",
        "infoPhoneAdditional__ip",
        "infoPhoneValueAdded__callTransfer",
    ):
        assert at(after, path) == at(before, path), path
    sent = AuditEvent.objects.filter(action="vos.ModifyPhone").latest("id").payload
    assert (
        "displayNumber" not in sent and "infoPhoneAdditional" not in sent and "account" not in sent
    )


def test_a_reseller_cannot_change_advanced_settings(client, demo, as_user, sim_call):
    _server, t = demo
    as_user(t["globaltel"])
    client.post(
        url("phone_edit", t["manila"], e164="80002002"),
        {
            **NO_PERIODS,
            "infoPhoneAdditional__ip": "10.9.9.9",
            "feerateGroup": "Wholesale",
            "displayNumber": "42",
        },
    )
    after = get_phone(sim_call, "80002002")
    assert after["displayNumber"] == "42"
    assert after["infoPhoneAdditional"].get("ip", "") != "10.9.9.9"
    assert after["feerateGroup"] != "Wholesale"


def test_a_viewer_sees_the_settings_and_cannot_post(client, demo, as_user):
    _server, t = demo
    as_user(t["manila"], Role.CUSTOMER_VIEWER)
    page = client.get(url("phone_edit", t["manila"], e164="80002002"))
    assert page.status_code == 200 and "Save settings" not in page.text
    assert all(field.disabled for field in page.context["form"].fields.values())
    response = client.post(url("phone_edit", t["manila"], e164="80002002"), {"displayNumber": "1"})
    assert response.status_code == 404


def test_an_admin_moves_a_phone_to_another_customer(client, demo, sim_call):
    _server, t = demo
    client.force_login(AdminFactory())
    page = client.get(url("phone_edit", t["manila"], e164="80002003"))
    data = {**NO_PERIODS, "account": "delhi-soft", "lockType": "0", "callLevel": "5"}
    response = client.post(url("phone_edit", t["manila"], e164="80002003"), data)
    assert response.status_code == 302
    assert response["Location"] == url("phone_edit", t["delhi"], e164="80002003")
    assert get_phone(sim_call, "80002003")["account"] == "delhi-soft"
    assert page.context["form"].fields["account"].choices


@pytest.mark.parametrize(
    "e164",
    [
        "80001001",  # acme's: exists in VOS, outside the reseller
        "80002011",  # delhi-soft's: the same reseller, another customer
        "80999999",  # nobody's
    ],
)
def test_a_phone_of_another_account_is_a_404(client, demo, as_user, e164, sim_call):
    _server, t = demo
    as_user(t["globaltel"])
    assert client.get(url("phone_edit", t["manila"], e164=e164)).status_code == 404
    assert client.post(url("phone_edit", t["manila"], e164=e164), {"memo": "x"}).status_code == 404
    assert client.post(url("phone_password", t["manila"], e164=e164)).status_code == 404
    assert client.post(url("phone_delete", t["manila"], e164=e164)).status_code == 404
    if e164 != "80999999":
        assert get_phone(sim_call, e164) is not None
    assert not AuditEvent.objects.filter(action__in=["vos.ModifyPhone", "vos.DeletePhone"]).exists()


def test_a_customer_of_another_reseller_is_a_404(client, demo, as_user):
    _server, t = demo
    as_user(t["skyvoice"])
    assert client.get(url("phone_list", t["manila"])).status_code == 404
    assert client.get(url("phone_edit", t["manila"], e164="80002001")).status_code == 404


# --- Connecting a phone --------------------------------------------------------------------
def test_it_shows_how_to_connect_a_new_phone_with_a_qr_code(client, demo, as_user, sim_call):
    server, t = demo
    server.sip_host, server.sip_port, server.sip_transport = "sip.demo.example", 5080, "tcp"
    server.save()
    as_user(t["globaltel"])
    response = client.post(url("phone_create", t["manila"]), {"e164": "80002095"})
    html = response.text
    password = html.split('id="sip-password">', 1)[1].split("<", 1)[0]
    assert password == get_phone(sim_call, "80002095")["password"]
    assert 'id="sip-host">sip.demo.example<' in html and 'id="sip-port">5080<' in html
    assert 'id="sip-username">80002095<' in html and "TCP" in html
    assert '<svg class="qr" role="img"' in html and "<?xml" not in html
    assert 'data-copy="sip-password"' in html
    assert "style=" not in html.split('id="connect-phone"')[1]  # the CSP allows no inline style
    assert server.base_url not in html and server.address not in html
    # The settings page shows the same settings, but neither the password nor its QR code.
    edit = client.get(url("phone_edit", t["manila"], e164="80002095")).text
    assert 'id="sip-host">sip.demo.example<' in edit and 'id="sip-username">80002095<' in edit
    assert password not in edit and '<svg class="qr"' not in edit


def test_it_puts_the_settings_in_a_sip_address_for_softphones(demo):
    plain = Connection("sip.example.com", 5060, "udp", "80001001", "p@ss:w/rd")
    assert plain.sip_uri == "sip:80001001:p%40ss%3Aw%2Frd@sip.example.com:5060;transport=udp"
    ipv6 = Connection("2001:db8::1", 5061, "tls", "+4930", "")
    assert ipv6.sip_uri == "sip:+4930@[2001:db8::1]:5061;transport=tls"


def test_it_says_when_the_platform_has_no_sip_server_yet(client, demo, as_user):
    server, t = demo
    server.sip_host = ""
    server.save()
    as_user(t["manila"])
    page = client.get(url("phone_edit", t["manila"], e164="80002001")).text
    assert "ask your provider for the SIP server" in page and 'id="sip-host"' not in page


# --- Password, delete ---------------------------------------------------------------------
def test_it_sets_a_new_password_shown_once(client, demo, as_user, sim_call):
    _server, t = demo
    as_user(t["manila"])  # customers may change their phone's password
    response = client.post(url("phone_password", t["manila"], e164="80002001"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = response.text.split('id="phone-password">', 1)[1].split("<", 1)[0]
    assert len(password) >= 12 and get_phone(sim_call, "80002001")["password"] == password
    assert password not in everything_in_the_database()
    response = client.post(
        url("phone_password", t["manila"], e164="80002001"), {"password": "chosen-pass-7"}
    )
    assert get_phone(sim_call, "80002001")["password"] == "chosen-pass-7"
    response = client.post(
        url("phone_password", t["manila"], e164="80002001"), {"password": "short"}
    )
    assert response.status_code == 200 and "field-error" in response.text
    assert get_phone(sim_call, "80002001")["password"] == "chosen-pass-7"
    assert client.get(url("phone_password", t["manila"], e164="80002001")).status_code == 405


def test_it_deletes_a_phone_after_confirmation(client, demo, as_user, sim_call):
    _server, t = demo
    as_user(t["globaltel"])
    page = client.get(url("phone_delete", t["manila"], e164="80002003"))
    assert page.status_code == 200 and "Delete the phone 80002003?" in page.text
    assert get_phone(sim_call, "80002003") is not None
    response = client.post(url("phone_delete", t["manila"], e164="80002003"))
    assert response.status_code == 302 and response["Location"] == url("phone_list", t["manila"])
    assert get_phone(sim_call, "80002003") is None
    # With htmx: the row goes (empty answer) and the toast comes out of band.
    response = client.post(
        url("phone_delete", t["manila"], e164="80002002"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Phone 80002002 deleted" in response.text
    assert get_phone(sim_call, "80002002") is None


def test_a_failed_delete_is_worded(client, demo, as_user, portal_sim, sim_call):
    _server, t = demo
    as_user(t["globaltel"])
    portal_sim.control("fault", endpoint="DeletePhone", mode="http500")
    response = client.post(url("phone_delete", t["manila"], e164="80002003"))
    assert response.status_code == 200 and "switch" in response.text
    portal_sim.control("fault", endpoint="DeletePhone", mode="http500")
    response = client.post(
        url("phone_delete", t["manila"], e164="80002003"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert "toast-error" in response.text


def test_customers_reach_their_phones_by_the_tab_and_the_navigation(client, demo, as_user):
    _server, t = demo
    user = user_of(t["manila"])
    client.force_login(user)
    assert client.get(reverse("my_phones"))["Location"] == url("phone_list", t["manila"])
    page = client.get(url("phone_list", t["manila"]))
    assert f'href="{url("phone_list", t["manila"])}" aria-current="page"' in page.text
    assert url("card_list", t["manila"]) not in page.text  # the provider's tab
    assert "Add a phone" not in page.text
    assert client.get(url("card_list", t["manila"])).status_code == 404


def test_a_reseller_names_only_its_own_limited_groups(client, demo, as_user, sim_call, portal_sim):
    from telephony.models import LimitedE164Group

    server, t = demo
    LimitedE164Group.objects.create(server=server, owner=t["globaltel"], name="globaltel:vip")
    LimitedE164Group.objects.create(server=server, owner=t["skyvoice"], name="skyvoice:vip")
    as_user(t["globaltel"])
    page = client.get(url("phone_edit", t["manila"], e164="80002002"))
    assert "globaltel:vip" in page.text and "skyvoice:vip" not in page.text
    before = calls(portal_sim)
    data = {**NO_PERIODS, "callerLimitE164Groups": "globaltel:vip, skyvoice:vip"}
    response = client.post(url("phone_edit", t["manila"], e164="80002002"), data)
    assert (
        response.status_code == 200
        and "Not one of your limited-number groups: skyvoice:vip" in response.text
    )
    assert "ModifyPhone" not in delta(before, calls(portal_sim))
    data["callerLimitE164Groups"] = "globaltel:vip"
    assert client.post(url("phone_edit", t["manila"], e164="80002002"), data).status_code == 302
    assert get_phone(sim_call, "80002002")["callerLimitE164Groups"] == "globaltel:vip"


def test_a_failed_save_is_worded(client, demo, as_user, portal_sim, sim_call):
    server, t = demo
    as_user(t["globaltel"])
    portal_sim.control("fault", endpoint="ModifyPhone", mode="http500")
    data = {**NO_PERIODS, "displayNumber": "4242"}
    response = client.post(url("phone_edit", t["manila"], e164="80002002"), data)
    assert (
        response.status_code == 200 and "form-errors" in response.text and "switch" in response.text
    )
    assert server.base_url not in response.text
    assert AuditEvent.objects.get(action="vos.ModifyPhone").result == "unknown"
