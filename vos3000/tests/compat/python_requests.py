"""Two Python ``requests`` clients in the public code index (the index does not name their
repositories):

- a ``VOSAPI`` class (``json=`` bodies, so ``Content-Type: application/json``): ``CreateCustomer
  {"account"}``; ``GetGatewayMapping {"names": [n]}`` then, to change one setting, the whole
  ``infoGatewayMappings[0]`` object sent back to ``ModifyGatewayMapping`` with ``remoteIps``,
  ``capacity`` or ``routingGatewayGroups`` changed (read-modify-write); ``Pay {"ownerName",
  "ownerType": 2, "money", "memo"}``; it also compares ``retCode`` with the string
  ``'-10007'``;
- a ``Pay`` script that posts ``{"ownerName", "ownerType": "44", "money": "100", "memo"}`` with
  ``requests.post(url, headers={"Content-Type": "application/json;charset=UTF-8"},
  data=data)``: ``data=`` a dict form-encodes it (``ownerName=...&ownerType=44&...``)
  whatever the header says. A real server cannot read that as JSON, and neither mode of the
  simulator does (``FORM_ENCODED_PAY``).
"""

from __future__ import annotations

from vos3000.tests.compat.shapes import ACCOUNT, Shape

CLIENT = "python-requests"
CONTENT_TYPE = "application/json"

SHAPES = [
    Shape(
        CLIENT,
        "CreateCustomer",
        {"account": "demo2"},
        CONTENT_TYPE,
        "VOSAPI.create_customer",
    ),
    Shape(
        CLIENT,
        "Pay",
        {"ownerName": ACCOUNT, "ownerType": 2, "money": 11, "memo": "ref-1"},
        CONTENT_TYPE,
        "VOSAPI.credit_customer",
    ),
]

# What requests sends for data={...}: a form-encoded body, refused in both modes.
FORM_ENCODED_PAY = "ownerName=acme&ownerType=44&money=100&memo=Stripe"
FORM_CONTENT_TYPE = "application/json;charset=UTF-8"
