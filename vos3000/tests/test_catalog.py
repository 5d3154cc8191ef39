"""The VOS3000 catalog: completeness against the manual, reconstruction, validation, outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vos3000 import catalog
from vos3000.catalog import _extract
from vos3000.errors import VosValidationError

REPO_ROOT = Path(__file__).resolve().parents[2]

# Wire names of section 2, in manual order (from the URL lines, not the section titles).
ENDPOINT_NAMES = [
    "CreateCustomer", "ModifyCustomer", "DeleteCustomer", "GetCustomer", "CreatePhone",
    "ModifyPhone", "DeletePhone", "GetPhone", "GetPhoneOnline", "CreateGatewayMapping",
    "ModifyGatewayMapping", "GetGatewayMapping", "DeleteGatewayMapping", "GetGatewayMappingOnline",
    "CreateGatewayRouting", "ModifyGatewayRouting", "DeleteGatewayRouting", "GetGatewayRouting",
    "GetGatewayRoutingOnline", "GetCurrentCall", "Pay", "CreateSuite", "DeleteSuite", "GetSuite",
    "CreateSuiteOrder", "ModifySuiteOrder", "DeleteSuiteOrder", "GetSuiteOrder", "GetCurrentSuite",
    "DeleteCurrentSuite", "CreateActivePhoneCard", "ModifyActivePhoneCard",
    "DeleteActivePhoneCard", "GetActivePhoneCard", "CreateBindedE164", "ModifyBindedE164",
    "DeleteBindedE164", "GetBindedE164", "GetFeeRateGroup", "CreateFeeRateGroup",
    "ModifyFeeRateGroup", "DeleteFeeRateGroup", "GetFeeRate", "GetE164Convert", "GetPayHistory",
    "GetCdr", "GetReportCustomerFee", "GetReportPhoneFee", "GetReportCustomerLocationFee",
    "CreateCdr", "GetCustomerPhoneBook", "CreateCustomerPhoneBook", "ModifyCustomerPhoneBook",
    "DeleteCustomerPhoneBook", "GetSoftSwitch", "GetPerformance", "PayByPhoneCard",
    "PhoneCardActive", "CallBack", "PlayAudio", "GetAvailableTime", "GetIvrSecondAvailableTime",
    "GetConsumption", "GetAllCustomers", "ReserveCalleeE164", "CreateLimitedE164",
    "CreateIvrAudio", "ModifyIvrAudio", "DeleteIvrAudio", "GetIvrAudio", "ModifyIvrAudioData",
    "CreateE164Convert", "ModifyE164Convert", "DeleteE164Convert", "DisconnectCurrentCall",
    "GetAllPhoneOnline", "DeleteLimitE164", "GetPhoneCard", "CreateAlarm", "CreateMediaBlockIp",
    "DeleteMediaBlockIp", "GetAlarmCurrent",
]  # fmt: skip

PUSH_NAMES = [
    "PushDtmfInfo",
    "PushDtmfInfos",
    "PhoneOnline",
    "CallStateReport",
    "CustomerMoneyChange",
    "AlarmCurrentReport",
]

# Rows per table, counted in the manual (request, response) by section, and per type.
SECTION_FIELD_COUNTS = {
    "2.1": (12, 2), "2.2": (11, 2), "2.3": (1, 2), "2.4": (2, 3), "2.5": (30, 3), "2.6": (29, 2),
    "2.7": (1, 2), "2.8": (2, 3), "2.9": (1, 3), "2.10": (101, 2), "2.11": (101, 2),
    "2.12": (1, 3), "2.13": (1, 2), "2.14": (2, 3), "2.15": (109, 2), "2.16": (109, 2),
    "2.17": (1, 2), "2.18": (1, 3), "2.19": (2, 3), "2.20": (2, 3), "2.21": (4, 3),
    "2.22": (7, 3), "2.23": (2, 2), "2.24": (1, 3), "2.25": (5, 3), "2.26": (2, 2),
    "2.27": (1, 2), "2.28": (2, 3), "2.29": (2, 3), "2.30": (1, 2), "2.31": (6, 3),
    "2.32": (6, 2), "2.33": (1, 2), "2.34": (2, 3), "2.35": (6, 2), "2.36": (6, 2),
    "2.37": (1, 2), "2.38": (3, 3), "2.39": (1, 3), "2.40": (3, 2), "2.41": (3, 2),
    "2.42": (1, 2), "2.43": (2, 3), "2.44": (2, 3), "2.45": (4, 3), "2.46": (7, 3),
    "2.47": (4, 3), "2.48": (5, 3), "2.49": (5, 3), "2.50": (18, 2), "2.51": (2, 3),
    "2.52": (10, 2), "2.53": (10, 2), "2.54": (2, 2), "2.55": (0, 3), "2.56": (0, 3),
    "2.57": (5, 3), "2.58": (3, 2), "2.59": (8, 2), "2.60": (5, 2), "2.61": (6, 3),
    "2.62": (8, 3), "2.63": (4, 3), "2.64": (0, 3), "2.65": (4, 2), "2.66": (2, 2),
    "2.67": (5, 3), "2.68": (4, 2), "2.69": (1, 2), "2.70": (2, 3), "2.71": (2, 2),
    "2.72": (4, 3), "2.73": (4, 2), "2.74": (1, 2), "2.75": (1, 2), "2.76": (0, 3),
    "2.77": (2, 2), "2.78": (2, 3), "2.79": (8, 2), "2.80": (2, 2), "2.81": (2, 2),
    "2.82": (0, 3), "3.1": (6, 3), "3.2": (5, 3), "3.3": (8, 1), "3.4": (11, 1), "3.5": (2, 1),
    "3.6": (1, 1),
}  # fmt: skip
TYPE_FIELD_COUNTS = {
    "InfoCustomerAdditional": 13, "InfoCustomer": 14, "InfoPhoneValueAdded": 24,
    "InfoPhoneValueAddedPeriodForwarding": 4, "InfoPhoneValueAddedForwardE164": 3,
    "InfoPhoneAdditional": 50, "InfoPhone": 28, "InfoPhoneOnline": 9, "InfoGatewayMapping": 93,
    "InfoGatewayMappingOnline": 15, "InfoGatewayRouting": 102, "InfoGatewayRoutingOnline": 17,
    "InfoCurrentCall": 24, "InfoRtpFlow": 3, "InfoPay": 4, "InfoGiftTime": 6, "InfoSuite": 8,
    "InfoSuiteOrder": 4, "InfoCurrentSuite": 9, "InfoActivePhoneCard": 7, "InfoBindedE164": 8,
    "InfoFeeRateGroup": 2, "InfoFeeRate": 10, "InfoFeeRateSection": 3, "InfoE164Convert": 5,
    "InfoPayHistory": 6, "InfoCdr": 34, "InfoReportCustomerFee": 21, "InfoReportPhoneFee": 24,
    "InfoReportCustomerLocationFee": 12, "InfoCustomerPhoneBook": 9, "InfoSoftSwitch": 6,
    "InfoPerformance": 2, "InfoAvailableTime": 5, "InfoIvrSecondAvailableTime": 4,
    "InfoConsumption": 6, "InfoLimitE164": 2, "InfoIvrAudio": 7, "InfoPhoneCard": 10,
    "InfoAlarmCurrent": 12, "InfoDtmf": 2,
}  # fmt: skip


def field(fields, name):
    return next(f for f in fields if f.name == name)


def problem_of(name, payload):
    with pytest.raises(VosValidationError) as caught:
        catalog.validate_request(name, payload)
    return caught.value.problem, caught.value.field


# -- completeness --------------------------------------------------------------------------


def manual(fields):
    """The rows of a table that the manual prints (not those seen in the field)."""
    return [f for f in fields if not f.from_field]


def test_it_has_the_82_endpoints_in_manual_order_with_their_sections():
    manual_endpoints = [e for e in catalog.ENDPOINTS.values() if not e.from_field]
    assert [e.name for e in manual_endpoints] == ENDPOINT_NAMES
    sections = [e.section for e in manual_endpoints]
    assert sections == [f"2.{n}" for n in range(1, 83)]


def test_it_appends_what_field_clients_show_marked_as_such():
    field_endpoints = [e for e in catalog.ENDPOINTS.values() if e.from_field]
    assert [(e.section, e.name) for e in field_endpoints] == [("F.1", "GetLimitE164")]
    assert list(catalog.ENDPOINTS)[-1] == "GetLimitE164"
    get_all = catalog.endpoint("GetAllCustomers")
    assert [f.name for f in get_all.request if f.from_field] == ["type"]
    assert [f.name for f in get_all.response if f.from_field] == ["infoCustomerBriefs"]
    assert get_all.list_field == "accounts"  # the manual's list, not the field one
    flow_no = field(catalog.TYPES["InfoCdr"], "flowNo")
    assert flow_no.source == "field" and "yk-vos" in flow_no.evidence
    assert all(f.from_field for f in catalog.TYPES["InfoCustomerBrief"])
    assert not field(catalog.TYPES["InfoCdr"], "fee").from_field
    document = catalog.to_json()
    limit = next(e for e in document["endpoints"] if e["name"] == "GetLimitE164")
    assert limit["source"] == "field" and limit["evidence"]
    assert "seen in the field, not in the 2.1.7.0 manual" in catalog.to_markdown().lower()


def test_it_validates_field_shapes_like_any_other():
    catalog.validate_request("GetAllCustomers", {"type": 1})
    catalog.validate_request("GetLimitE164", {"limitE164GroupName": "DNC", "e164": "0912"})
    assert problem_of("GetLimitE164", {"e164": "0912"}) == ("missing", "limitE164GroupName")
    assert problem_of("GetAllCustomers", {"type": "x"}) == ("type", "type")


def test_it_names_endpoints_by_their_url_not_their_title():
    assert catalog.endpoint("GetPhoneOnline").title == "Get Online Phone"
    assert catalog.endpoint("CallBack").title == "Callback"
    assert catalog.endpoint("CreateMediaBlockIp").section == "2.80"  # URL has a stray space
    with pytest.raises(KeyError):
        catalog.endpoint("Callback")


def test_it_has_the_six_pushes_of_section_3():
    assert list(catalog.PUSHES) == PUSH_NAMES
    assert [p.section for p in catalog.PUSHES.values()] == [f"3.{n}" for n in range(1, 7)]


def test_it_has_as_many_fields_per_table_as_the_manual():
    sections = {e.section: e for e in [*catalog.ENDPOINTS.values(), *catalog.PUSHES.values()]}
    counted = {
        s: (len(manual(e.request)), len(manual(e.response)))
        for s, e in sections.items()
        if not getattr(e, "from_field", False)
    }
    assert counted == SECTION_FIELD_COUNTS
    manual_types = {n: len(manual(fields)) for n, fields in catalog.TYPES.items()}
    assert {n: c for n, c in manual_types.items() if c} == TYPE_FIELD_COUNTS


def test_it_resolves_every_type_reference():
    tables = [f for fields in catalog.TYPES.values() for f in fields]
    for e in [*catalog.ENDPOINTS.values(), *catalog.PUSHES.values()]:
        tables.extend(e.request + e.response)
    for f in tables:
        base = f.item_type or f.type
        assert base in catalog.TYPES or not base.startswith("Info"), f.name


def test_it_marks_get_endpoints_as_reads_with_their_list_field():
    assert catalog.endpoint("GetCustomer").kind == "read"
    assert catalog.endpoint("GetCustomer").list_field == "infoCustomers"
    assert catalog.endpoint("GetAllCustomers").list_field == "accounts"
    assert catalog.endpoint("GetPerformance").list_field is None
    assert catalog.endpoint("GetAlarmCurrent").list_field == "infoAlarmCurrents"
    assert catalog.endpoint("CreateCustomer").kind == "write"
    assert catalog.endpoint("CreateCustomer").list_field is None


# -- reconstruction ------------------------------------------------------------------------


def test_it_rejoins_names_the_pdf_broke_across_lines():
    phone = catalog.endpoint("CreatePhone").request
    assert field(phone, "routingGatewayGroupsAllow").type == "Boolean"
    assert field(phone, "callerLimitE164GroupsAllow").type == "Boolean"
    convert = catalog.TYPES["InfoE164Convert"]
    assert [f.name for f in convert][2] == "mappingGatewayCallerE164"
    routing = catalog.endpoint("CreateGatewayRouting").request
    names = [f.name for f in routing]
    assert "dtmfSendPayloadTypeH323" in names
    assert "clearingAccountUseCalloutE164" in names
    assert field(routing, "forwardSignalRewriteE164GroupEnable").type == "Boolean"
    assert field(routing, "forwardSignalRewriteE164Group").type == "String"
    additional = catalog.TYPES["InfoPhoneAdditional"]
    assert field(additional, "ivrAccessVerifyActivePhoneCard").type == "Boolean"
    assert field(additional, "ivrCallbackBillingSecordNotConnectedOnAccessE164").note


def test_it_rejoins_type_names_and_lists_the_pdf_broke():
    added = catalog.TYPES["InfoPhoneValueAdded"]
    periods = field(added, "infoPhoneValueAddedPeriodForwardings")
    assert periods.type == "InfoPhoneValueAddedPeriodForwarding[]"
    assert field(added, "busyForwardE164").type == "InfoPhoneValueAddedForwardE164"
    online = catalog.endpoint("GetGatewayMappingOnline").response
    assert field(online, "infoGatewayMappingOnlines").type == "InfoGatewayMappingOnline[]"
    location = catalog.endpoint("GetReportCustomerLocationFee").response
    assert field(location, "infoReportCustomerLocationFees").type == (
        "InfoReportCustomerLocationFee[]"
    )


def test_it_writes_types_as_the_manual_does_without_inner_spaces():
    assert field(catalog.endpoint("GetPhone").request, "e164s").type == "String[]"
    assert field(catalog.TYPES["InfoCustomer"], "money").type == "double"
    assert field(catalog.endpoint("CreateCustomer").request, "money").type == "Double"
    assert field(catalog.TYPES["InfoGatewayMapping"], "sipCodecs").type == "Vector<String>"


def test_it_drops_page_footers_and_numbers_from_tables():
    texts = json.dumps(catalog.to_json())
    assert "Stay Tuned" not in texts
    assert "Make Your own" not in texts
    minimum = field(catalog.endpoint("CreatePhone").request, "monthlyMoneyMinimum")
    assert minimum.description == "Monthly Minimum Consumption"  # page "25" sat between lines


def test_it_separates_allowed_values_from_special_values_and_defaults():
    create = catalog.endpoint("CreateCustomer").request
    assert dict(field(create, "type").enum) == {
        "0": "General Account",
        "1": "Phone Card",
        "2": "Clearing Account",
    }
    assert field(create, "type").default == 0
    assert field(create, "money").default == 0.0
    routing = catalog.endpoint("CreateGatewayRouting").request
    duration = field(routing, "maxCallDurationLower")
    assert duration.enum is None
    assert dict(duration.special) == {"-1": "Use System Parameter", "0": "No limit"}
    q931 = field(catalog.endpoint("CreateGatewayMapping").request, "q931ProgressIndicator")
    assert q931.enum["1"] == "ProgressNotEndToEndISDN"  # broken mid-word in the PDF
    state = field(catalog.PUSHES["CallStateReport"].request, "callState")
    assert state.enum["-18"] == "Call authentication"


def test_it_reads_ranges_date_formats_and_one_of_rules():
    period = catalog.TYPES["InfoPhoneValueAddedPeriodForwarding"]
    assert (
        field(period, "beginSecondInDay").minimum,
        field(period, "beginSecondInDay").maximum,
    ) == (
        0,
        86400,
    )
    profit = field(catalog.TYPES["InfoPhoneAdditional"], "minProfitPercent")
    assert (profit.minimum, profit.maximum) == (-10000, 10000)
    rules = catalog.endpoint("GetPayHistory").rules
    assert [(r.kind, r.fields) for r in rules] == [
        ("one_of", ("account", "agentAccount")),
        ("date_format", ("beginTime",)),
        ("date_format", ("endTime",)),
    ]
    assert rules[1].format == "yyyyMMddHHmmss"
    assert catalog.endpoint("GetCdr").rules[0].format == "yyyyMMdd"
    assert catalog.endpoint("GetConsumption").rules[0].fields == ("account", "agentAccount")


def test_it_compares_inline_gateway_requests_with_the_info_type():
    note = catalog.endpoint("CreateGatewayRouting").note
    assert "sipPPreferredIdentity: type Integer here, Boolean in InfoGatewayRouting" in note
    assert "stopSwitchAfterUserBusy" in note
    assert catalog.endpoint("GetGatewayRouting").note is None


# -- validation ----------------------------------------------------------------------------


def test_it_accepts_a_valid_request_with_nested_objects_and_lists():
    catalog.validate_request(
        "ModifyPhone",
        {
            "e164": "8001",
            "lockType": 0,
            "monthlyRentFee": 5,
            "infoPhoneValueAdded": {
                "busyForward": True,
                "busyForwardE164": {"forwardMethod": 3, "e164": "8002,8003"},
                "infoPhoneValueAddedPeriodForwardings": [{"weekOfDay": "1,2", "endSecondInDay": 0}],
            },
            "infoPhoneAdditional": {"sipCodecs": ["audio/PCMA", "audio/G729"]},
        },
    )


def test_it_reports_a_missing_mandatory_field():
    assert problem_of("CreatePhone", {"e164": "8001"}) == ("missing", "autoCreateAccount")
    suite = {"name": "s", "rentPeriod": 1, "rentType": 1, "rentFee": 1, "giftMoney": 0}
    assert problem_of("CreateSuite", {**suite, "infoGiftTimes": [{"prefix": "1"}]}) == (
        "missing",
        "infoGiftTimes[0].startTime",
    )


def test_it_reports_an_unknown_field_also_when_nested():
    assert problem_of("DeleteCustomer", {"account": "a", "acount": "a"}) == ("unknown", "acount")
    payload = {"account": "a", "infoCustomerAdditional": {"mail": "x"}}
    assert problem_of("ModifyCustomer", payload) == ("unknown", "infoCustomerAdditional.mail")


def test_it_reports_a_wrong_json_type():
    assert problem_of("CreateCustomer", {"account": 5}) == ("type", "account")
    assert problem_of("CreateCustomer", {"account": "a", "type": True}) == ("type", "type")
    assert problem_of("CreateCustomer", {"account": "a", "money": "5"}) == ("type", "money")
    assert problem_of("GetCustomer", {"accounts": "a"}) == ("type", "accounts")
    assert problem_of("GetCustomer", {"accounts": ["a", 2]}) == ("type", "accounts[1]")
    assert problem_of("CreatePhone", {"autoCreateAccount": 1, "e164": "1"}) == (
        "type",
        "autoCreateAccount",
    )
    too_big = {"ownerName": "a", "ownerType": 2, "suiteId": 2**31, "availableTime": 0}
    assert problem_of("CreateSuiteOrder", too_big) == ("type", "suiteId")


def test_it_reports_a_string_longer_than_the_manual_allows():
    assert problem_of("DeleteCustomer", {"account": "a" * 65}) == ("length", "account")
    catalog.validate_request("DeleteCustomer", {"account": "a" * 64})
    cdr = {"accounts": ["a" * 65], "beginTime": "20240101", "endTime": "20240102"}
    assert problem_of("GetCdr", cdr) == ("length", "accounts[0]")


def test_it_reports_a_value_outside_the_enum_at_its_path():
    assert problem_of("CreateCustomer", {"account": "a", "lockType": 2}) == ("enum", "lockType")
    nested = {"e164": "1", "infoPhoneValueAdded": {"busyForwardE164": {"forwardMethod": 2}}}
    assert problem_of("ModifyPhone", nested) == (
        "enum",
        "infoPhoneValueAdded.busyForwardE164.forwardMethod",
    )
    codecs = {"e164": "1", "infoPhoneAdditional": {"sipCodecs": ["audio/PCMA", "x", "y"]}}
    assert problem_of("ModifyPhone", codecs) == ("enum", "infoPhoneAdditional.sipCodecs[1]")


def test_it_does_not_restrict_fields_whose_values_only_have_special_meanings():
    catalog.validate_request("ModifyGatewayRouting", {"name": "g", "maxCallDurationLower": 3600})
    catalog.validate_request("ModifyGatewayRouting", {"name": "g", "callerAllowLength": 1 << 11})


def test_it_reports_rule_violations():
    assert problem_of("GetCustomer", {}) == ("rule", "accounts|e164s")
    assert problem_of("GetCustomer", {"accounts": [], "e164s": None}) == ("rule", "accounts|e164s")
    dates = {"accounts": ["a"], "beginTime": "20240230", "endTime": "20240301"}
    assert problem_of("GetCdr", dates) == ("rule", "beginTime")
    long_dates = {"account": "a", "beginTime": "20240101", "endTime": "20240101000000"}
    assert problem_of("GetConsumption", long_dates) == ("rule", "beginTime")
    period = {
        "e164": "1",
        "infoPhoneValueAdded": {"infoPhoneValueAddedPeriodForwardings": [{}, {}]},
    }
    period["infoPhoneValueAdded"]["infoPhoneValueAddedPeriodForwardings"][1] = {
        "endSecondInDay": 86401
    }
    assert problem_of("ModifyPhone", period) == (
        "rule",
        "infoPhoneValueAdded.infoPhoneValueAddedPeriodForwardings[1].endSecondInDay",
    )
    catalog.validate_request("GetConsumption", {**long_dates, "beginTime": "20240101000000"})


def test_it_treats_null_optional_fields_as_absent_and_null_mandatory_ones_as_missing():
    catalog.validate_request("CreateCustomer", {"account": "a", "name": None, "money": None})
    assert problem_of("CreateCustomer", {"account": None}) == ("missing", "account")


def test_it_accepts_the_list_form_where_the_manual_types_a_list_as_a_scalar():
    catalog.validate_request("GetIvrAudio", {"type": 0, "ids": [1, 2]})
    catalog.validate_request("GetIvrAudio", {"type": 0, "ids": 1})
    assert problem_of("GetIvrAudio", {"type": 0, "ids": ["1"]}) == ("type", "ids[0]")


def test_it_validates_push_messages():
    catalog.validate_push("CustomerMoneyChange", {"account": "a", "money": 1.5})
    alarm = {"id": 1, "type": 20003, "level": 3, "name": "cpu", "startTime": 1, "value": 9.5}
    with pytest.raises(VosValidationError, match="memo"):
        catalog.validate_push("AlarmCurrentReport", {"infoAlarmCurrents": [alarm]})
    alarm["memo"] = ""
    catalog.validate_push("AlarmCurrentReport", {"infoAlarmCurrents": [alarm, {**alarm, "id": 2}]})
    with pytest.raises(VosValidationError) as caught:
        catalog.validate_push("AlarmCurrentReport", {"infoAlarmCurrents": [{**alarm, "level": 4}]})
    assert (caught.value.problem, caught.value.field) == ("enum", "infoAlarmCurrents[0].level")


def test_it_validates_any_field_list_with_a_path_prefix():
    with pytest.raises(VosValidationError) as caught:
        catalog.validate(catalog.TYPES["InfoRtpFlow"], {"rtpPackets": 1}, path="x.audio")
    assert (caught.value.problem, caught.value.field) == ("missing", "x.audio.rtpBytes")
    with pytest.raises(VosValidationError) as caught:
        catalog.validate(catalog.TYPES["InfoRtpFlow"], [], path="x")
    assert caught.value.problem == "type"


# -- naming --------------------------------------------------------------------------------


def test_it_gives_snake_case_python_names():
    assert catalog.python_name("CreateCustomer") == "create_customer"
    assert catalog.python_name("GetCdr") == "get_cdr"
    assert catalog.python_name("infoCustomers") == "info_customers"
    assert catalog.python_name("e164s") == "e164s"
    assert catalog.python_name("callerE164") == "caller_e164"
    assert catalog.python_name("h323CallProceedingFromSIPTrying") == (
        "h323_call_proceeding_from_sip_trying"
    )
    assert catalog.python_name("dtmfSendPayloadTypeSIP") == "dtmf_send_payload_type_sip"


def test_it_keeps_python_names_distinct_where_they_share_a_namespace():
    """Methods (endpoints and pushes), type names, and the fields of each table."""
    namespaces = [list(catalog.ENDPOINTS) + list(catalog.PUSHES), list(catalog.TYPES)]
    for e in [*catalog.ENDPOINTS.values(), *catalog.PUSHES.values()]:
        namespaces += [[f.name for f in e.request], [f.name for f in e.response]]
    namespaces += [[f.name for f in fields] for fields in catalog.TYPES.values()]
    for names in namespaces:
        assert len({catalog.python_name(n) for n in names}) == len(names), names


# -- the extractor and the outputs ---------------------------------------------------------


@pytest.mark.skipif(not _extract.MANUAL.exists(), reason=f"manual not found at {_extract.MANUAL}")
def test_it_extracts_exactly_the_committed_spec_from_the_manual():
    document = _extract.extract(_extract.MANUAL.read_text(encoding="utf-8"))
    assert _extract.render_json(document) == _extract.SPEC.read_text(encoding="utf-8")


@pytest.mark.skipif(not _extract.MANUAL.exists(), reason=f"manual not found at {_extract.MANUAL}")
def test_it_refuses_manual_text_it_cannot_place():
    text = _extract.MANUAL.read_text(encoding="utf-8")
    header = "Request Format\nParameter M/O Type Length Description\n"
    with pytest.raises(_extract.ManualError, match="unexpected line"):
        _extract.extract(text.replace(header, header + "something new\n", 1))
    with pytest.raises(_extract.ManualError, match="cannot complete name"):
        _extract.extract(text.replace("w Gateway Group", "x Gateway Group", 1))


def test_it_prints_the_json_document_with_all_endpoints():
    result = subprocess.run(
        [sys.executable, "-m", "vos3000.catalog", "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    document = json.loads(result.stdout)
    assert [e["name"] for e in document["endpoints"]] == [*ENDPOINT_NAMES, "GetLimitE164"]
    assert [p["name"] for p in document["push"]] == PUSH_NAMES
    first = document["endpoints"][0]["request"][0]
    assert {"name", "mo", "type", "length", "enum", "default"} <= set(first)
    assert document["types"]["InfoCustomer"][0]["name"] == "account"


def test_it_keeps_the_committed_markdown_reference_up_to_date():
    committed = (REPO_ROOT / "docs/vos3000-api.md").read_text(encoding="utf-8")
    assert committed == catalog.to_markdown(), "run: python -m vos3000.catalog --markdown"
    assert "### 2.46 GetCdr" in committed and "### InfoCdr" in committed
