"""yk-vos: a FastAPI + Celery VOS3000 manager, written against live servers.

Repository ``cecdat/yk-vos`` (read at commit 94edfd1):

- ``backend/app/core/vos_client.py``: ``VOSClient.post`` sends ``json.dumps(payload,
  ensure_ascii=False)`` with ``Content-Type: text/html;charset=UTF-8`` (the manual's header)
  and treats a missing ``retCode`` as an error;
- ``backend/app/tasks/sync_tasks.py`` (customer sync), ``backend/app/routers/vos.py`` (customer
  list, instance health) post ``GetAllCustomers {"type": 1}`` and read
  ``infoCustomerBriefs[].account``, ``.money``, ``.limitMoney`` (through ``float()``);
- ``backend/app/tasks/initial_sync_tasks.py`` posts ``GetCdr {"accounts": [a], "beginTime":
  day, "endTime": day}`` (yyyyMMdd); ``backend/app/models/clickhouse_cdr.py`` keys each CDR on
  ``flowNo`` (``str(flowNo)``, deduplicated on it);
- ``backend/app/routers/vos_api.py``: ``Pay`` with ``ownerType`` an int (2 account, 6 phone).
"""

from __future__ import annotations

from vos3000.tests.compat.shapes import ACCOUNT, Shape

CLIENT = "yk-vos"
CONTENT_TYPE = "text/html;charset=UTF-8"

SHAPES = [
    Shape(
        CLIENT,
        "GetAllCustomers",
        {"type": 1},
        CONTENT_TYPE,
        "backend/app/tasks/sync_tasks.py customer sync and health check",
    ),
    Shape(
        CLIENT,
        "Pay",
        {"ownerName": ACCOUNT, "ownerType": 2, "money": 10},
        CONTENT_TYPE,
        "backend/app/routers/vos_api.py Pay",
    ),
    Shape(
        CLIENT,
        "GetCustomer",
        {"accounts": [ACCOUNT]},
        CONTENT_TYPE,
        "backend/app/routers/vos_api.py GetCustomer",
    ),
]
