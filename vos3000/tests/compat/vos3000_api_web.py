"""VOS3000_API_WEB: a Streamlit/FastAPI admin tool for VOS3000 servers.

Repository ``ediot165/VOS3000_API_WEB`` (read at commit 8f1381c):

- ``api_client.py``: ``requests.post(url, json=payload)`` with ``Content-Type:
  application/json`` (``data="{}"`` for ``GetGatewayMapping``/``GetGatewayRouting``/
  ``GetAllCustomers`` with no filter);
- ``customer_management.py``: ``GetCustomer {"accounts": [a]}``; ``ModifyCustomer {"account",
  "limitMoney": str(limit)}`` (credit limit as a string, "-1" for unlimited) and ``{"account",
  "lockType": "0"|"1"}``;
- ``mapping_gateway_management.py`` / ``app.py``: ``GetGatewayMapping {}`` then the chosen
  gateway's whole object, ``calloutCallerPrefixes`` (and ``lockType``) changed, sent back to
  ``ModifyGatewayMapping``; the same for routing gateways with ``lockType`` and
  ``rewriteRulesInCaller``.
"""

from __future__ import annotations

from vos3000.simulator import codes
from vos3000.tests.compat.shapes import ACCOUNT, Shape

CLIENT = "vos3000-api-web"
CONTENT_TYPE = "application/json"

SHAPES = [
    Shape(CLIENT, "GetAllCustomers", "{}", CONTENT_TYPE, "customer_management.py find"),
    Shape(CLIENT, "GetGatewayMapping", "{}", CONTENT_TYPE, "mapping_gateway_management.py"),
    Shape(CLIENT, "GetGatewayRouting", "{}", CONTENT_TYPE, "routing_gateway_management.py"),
    Shape(
        CLIENT,
        "ModifyCustomer",
        {"account": ACCOUNT, "limitMoney": "500"},
        CONTENT_TYPE,
        "customer_management.py update_customer_credit_limit",
        strict=codes.INPUT_ERROR,
    ),
    Shape(
        CLIENT,
        "ModifyCustomer",
        {"account": ACCOUNT, "lockType": "1"},
        CONTENT_TYPE,
        "customer_management.py update_customer_lock_status",
        strict=codes.INPUT_ERROR,
    ),
]
