"""What public third-party VOS3000 clients show that the 2.1.7.0 manual does not.

These clients were written against live servers, so what they send and read is evidence of
what real servers do. Only what a client shows is taken: a field a client reads, the type
it treats it as, the request it sends. The extractor appends these entries to spec.json
with ``"source": "field"`` and the evidence; the markdown reference marks them "seen in
the field, not in the 2.1.7.0 manual". The portal never depends on them (it uses them when
present); the simulator serves them in both modes.

Evidence (public repositories; paths at the commits read):

- YK_VOS: ``cecdat/yk-vos`` (commit 94edfd1), ``backend/app/tasks/sync_tasks.py`` and
  ``backend/app/routers/vos.py`` post ``GetAllCustomers {"type": 1}`` and read
  ``infoCustomerBriefs[].account``, ``.money`` and ``.limitMoney`` (as numbers, through
  ``float()``); ``backend/app/models/clickhouse_cdr.py`` and ``backend/app/models/cdr.py``
  key CDRs on ``flowNo`` ("the CDR's serial number, VOS's own id"), read through
  ``str()`` (so a number on the wire) and stored as text.
- JS_FETCH: a JavaScript ``fetch`` client in the public code index (its
  ``services/ConnectVos136/index.js``) posts ``GetAllCustomers {"type":0}`` and reads
  ``accounts``; posts ``GetLimitE164 {"limitE164GroupName": "..."}`` and
  ``{"limitE164GroupName": "...", "e164": "..."}`` and reads ``infoLimitE164s`` (a list whose
  items carry the ``memo`` written by CreateLimitedE164).
"""

from __future__ import annotations

YK_VOS = (
    "cecdat/yk-vos backend/app/tasks/sync_tasks.py, backend/app/routers/vos.py "
    "(GetAllCustomers {type: 1} -> infoCustomerBriefs)"
)
YK_VOS_CDR = (
    "cecdat/yk-vos backend/app/models/clickhouse_cdr.py, backend/app/models/cdr.py "
    "(CDRs keyed on flowNo)"
)
JS_FETCH = (
    "a JavaScript fetch client, services/ConnectVos136/index.js "
    "(GetAllCustomers {type: 0} -> accounts)"
)
JS_FETCH_LIMIT = (
    "a JavaScript fetch client, services/ConnectVos136/index.js "
    "(GetLimitE164 {limitE164GroupName[, e164]} -> infoLimitE164s)"
)


def _field(name, mo, type_name, description, evidence, **extra) -> dict:
    field = {
        "name": name,
        "mo": mo,
        "type": type_name,
        "length": extra.pop("length", None),
        "enum": None,
        "default": None,
        "description": description,
        "note": None,
        **extra,
        "source": "field",
        "evidence": evidence,
    }
    return field


# Fields appended to a manual table: "<Endpoint>.request" / ".response" or a type name.
FIELDS: dict[str, list[dict]] = {
    "GetAllCustomers.request": [
        _field(
            "type",
            "O",
            "Integer",
            "Answer shape: absent or 0 answers accounts (the manual's answer); "
            "1 answers infoCustomerBriefs.",
            f"{YK_VOS}; {JS_FETCH}",
        ),
    ],
    "GetAllCustomers.response": [
        _field(
            "infoCustomerBriefs",
            "O",
            "InfoCustomerBrief[]",
            "Every account with its balance and credit limit (answered for type 1).",
            YK_VOS,
        ),
    ],
    "InfoCdr": [
        _field(
            "flowNo",
            "O",
            "Long",
            "The CDR's serial number: VOS's own unique id of the record.",
            YK_VOS_CDR,
            also_accepts="String",
        ),
    ],
}

# Types no manual table has.
TYPES: dict[str, list[dict]] = {
    "InfoCustomerBrief": [
        _field("account", "M", "String", "Account", YK_VOS),
        _field("money", "O", "Double", "Balance", YK_VOS),
        _field("limitMoney", "O", "Double", "Credit limit", YK_VOS),
    ],
}

# Endpoints no manual section has (appended after section 2, numbered F.1, F.2 ...).
ENDPOINTS: list[dict] = [
    {
        "name": "GetLimitE164",
        "title": "Get LimitedE164",
        "kind": "read",
        "list_field": "infoLimitE164s",
        "description": (
            "The numbers of a limited-number group (written by CreateLimitedE164, removed by "
            "DeleteLimitE164); with e164, only that number if it is in the group."
        ),
        "evidence": JS_FETCH_LIMIT,
        "request": [
            _field("limitE164GroupName", "M", "String", "LimitedE164 group name", JS_FETCH_LIMIT),
            _field("e164", "O", "String", "Only this number", JS_FETCH_LIMIT),
        ],
        "response": [
            _field("retCode", "M", "Integer", "Response Code", JS_FETCH_LIMIT),
            _field("exception", "O", "String", "Error Information", JS_FETCH_LIMIT),
            _field(
                "infoLimitE164s", "O", "InfoLimitE164[]", "Numbers of the group", JS_FETCH_LIMIT
            ),
        ],
    },
]
