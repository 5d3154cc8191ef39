"""A JavaScript ``fetch`` client of a Node.js do-not-call list service.

Public code index, file ``services/ConnectVos136/index.js`` (its sibling controller imports
it as ``../services/ConnectVos136/index.js``); the repository is not named by the index.
Every call posts a hand-written JSON string with ``Content-Type: text/html``:

- ``GetAllCustomers`` with ``{"type":0}`` and reads ``accounts``;
- ``GetCustomer`` with ``{ "accounts":[...] }`` and ``{"accounts":[...]}\\r\\n`` (a trailing CRLF);
- ``Pay`` with ``{"ownerName":"...","ownerType":2,"money":N}``;
- ``ModifyGatewayMapping`` with only ``{"name":"...","calloutCallerPrefixes":"..."}``;
- ``GetLimitE164`` with ``{"limitE164GroupName":"DNC"}`` and ``{"limitE164GroupName":"DNC",
  "e164":"..."}`` and reads ``infoLimitE164s`` (numbers with their memo);
- ``DeleteLimitE164`` as the manual has it; ``GetCurrentCall`` with ``{}``.

It also posts to ``CreateLimitE164`` (the manual's name is ``CreateLimitedE164``) but never
looks at the answer, so that is no evidence a server has the name: not adopted.
"""

from __future__ import annotations

from vos3000.simulator import codes
from vos3000.tests.compat.shapes import ACCOUNT, LIMIT_GROUP, LIMITED_NUMBER, MAPPING, Shape

CLIENT = "js-fetch"
CONTENT_TYPE = "text/html"

SHAPES = [
    Shape(
        CLIENT,
        "GetAllCustomers",
        '{"type":0}',
        CONTENT_TYPE,
        "getListAccountVos136 reads accounts",
    ),
    Shape(
        CLIENT,
        "GetCustomer",
        f'{{ "accounts":["{ACCOUNT}"] }}',
        CONTENT_TYPE,
        "getAccountVos136",
    ),
    Shape(
        CLIENT,
        "GetCustomer",
        f'{{"accounts":["{ACCOUNT}"]}}\r\n',
        CONTENT_TYPE,
        "getFeeAccountVos136 trailing CRLF",
    ),
    Shape(
        CLIENT,
        "Pay",
        f'{{"ownerName":"{ACCOUNT}","ownerType":2,"money":5}}',
        CONTENT_TYPE,
        "payFeeAccountVos136",
    ),
    Shape(
        CLIENT,
        "ModifyGatewayMapping",
        f'{{"name":"{MAPPING}","calloutCallerPrefixes":"0912,0913"}}',
        CONTENT_TYPE,
        "updateMappingGateway136 partial modify",
        strict=codes.MISS_PARAMETERS,  # the manual marks forwardSignalRewriteE164Group* M
    ),
    Shape(
        CLIENT,
        "GetLimitE164",
        f'{{"limitE164GroupName":"{LIMIT_GROUP}"}}',
        CONTENT_TYPE,
        "getLimitE164",
    ),
    Shape(
        CLIENT,
        "GetLimitE164",
        f'{{"limitE164GroupName":"{LIMIT_GROUP}","e164":"{LIMITED_NUMBER}"}}',
        CONTENT_TYPE,
        "getNumberInLimitE164",
    ),
    Shape(
        CLIENT,
        "GetCurrentCall",
        "{}",
        CONTENT_TYPE,
        "getCurrentCallVos136",
    ),
]
