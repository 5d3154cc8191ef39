"""A PHP curl sample for VOS3000 (Chinese comments), kept in the public code index (the
index does not name its repository or path; it is the one quoting a live GetCustomer
answer). Its requests are PHP arrays of strings, ``json_encode``-d and posted with
``curl_setopt($ch, CURLOPT_POSTFIELDS, $data)``: curl then labels the JSON body
``application/x-www-form-urlencoded``. Every number is a string:

- ``CreateCustomer {"account","name","money":"10"}``;
- ``CreateActivePhoneCard {..., "password":"123456", "bindLimit":"1", "memo":""}``;
- ``Pay {"ownerName":<binded number>, "ownerType":"25", "money":"-13", "memo":"..."}``
  (``PayByPhoneCard`` likewise, not replayed).

It quotes a real answer: ``GetCustomer`` with ``"infoCustomerAdditional":{"cardType":0,
"reportType":0}``, the empty optional fields left out (``ANSWER_GET_CUSTOMER``).
"""

from __future__ import annotations

from vos3000.simulator import codes
from vos3000.tests.compat.shapes import ACCOUNT, BINDED, Shape

CLIENT = "php-curl"
CONTENT_TYPE = "application/x-www-form-urlencoded"

SHAPES = [
    Shape(
        CLIENT,
        "CreateCustomer",
        {"account": "daxun", "name": "daxun", "money": "10"},
        CONTENT_TYPE,
        "CreateCustomer money as a string",
        strict=codes.INPUT_ERROR,
    ),
    Shape(
        CLIENT,
        "CreateActivePhoneCard",
        {
            "pin": "2118565370975",
            "account": ACCOUNT,
            "password": "123456",
            "displayE164": "218565370974",
            "bindLimit": "1",
            "memo": "",
        },
        CONTENT_TYPE,
        "CreateActivePhoneCard bindLimit as a string",
        strict=codes.INPUT_ERROR,
    ),
    Shape(
        CLIENT,
        "Pay",
        {"ownerName": BINDED, "ownerType": "25", "money": "-13", "memo": "points 100"},
        CONTENT_TYPE,
        "Pay ownerType and money as strings",
        strict=codes.INPUT_ERROR,
    ),
    Shape(
        CLIENT,
        "GetCustomer",
        {"accounts": [ACCOUNT]},
        CONTENT_TYPE,
        "GetCustomer",
    ),
]

# The live answer the sample quotes (account and dates as printed there).
ANSWER_GET_CUSTOMER = {
    "retCode": 0,
    "infoCustomers": [
        {
            "account": "10011",
            "name": "10011",
            "money": 10.0,
            "limitMoney": 0.0,
            "feeRateGroup": "用户",
            "type": 1,
            "lockType": 0,
            "agentAccount": "111",
            "phoneBookLimit": 2147483647,
            "startTime": 1429324653274,
            "validTime": 1431916653274,
            "todayConsumption": 0.0,
            "memo": "",
            "infoCustomerAdditional": {"cardType": 0, "reportType": 0},
        }
    ],
}
