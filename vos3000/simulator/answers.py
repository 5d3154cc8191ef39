"""How the simulator's answers look on the wire: ``full`` (the manual's shapes) or
``sparse`` (what real VOS servers send).

The handlers always build full answers: every field present, empty ones as ``""``,
``0``, ``false`` or ``[]``. Real servers are sparser and looser. A real GetCustomer answer
quoted in a field client carries ``"infoCustomerAdditional":{"cardType":0,"reportType":0}``:
the empty optional fields are simply absent. With ``answers = "sparse"`` (CLI
``--answers sparse``, or ``/_sim/settings {"answers": "sparse"}`` at runtime) an answer is
reshaped before it is sent:

* an optional field (``O`` in the catalog's response table or nested type) whose value
  is ``""``, ``null`` or ``[]`` is left out; mandatory fields stay, whatever their value;
* every number, at any depth (``retCode`` included), is sent as a JSON string:
  ``"retCode": "0"``, ``"money": "12.5"``, ``"type": "1"``; booleans stay booleans;
* fields the catalog does not list are kept (their numbers become strings too).

What is optional comes from the catalog (``vos3000.catalog``): the response table of the
endpoint and the nested ``Info*`` types. Nothing is invented; only what the manual allows
to be missing goes missing. ``catalog.loosen_answer`` is the inverse for everything but
the left-out fields, which stay unknown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from vos3000 import catalog
from vos3000.catalog.model import item_type

FULL = "full"
SPARSE = "sparse"
MODES = (FULL, SPARSE)  # Settings.answers checks against settings.ANSWER_MODES, the same

_EMPTY = ("", None)


def shape(mode: str, name: str, answer: dict) -> dict:
    """The answer to endpoint ``name`` as a server in ``mode`` sends it (a new dict for
    ``sparse``; the same dict for ``full`` or any other mode)."""
    if mode != SPARSE:
        return answer
    endpoint = catalog.ENDPOINTS.get(name)
    fields = endpoint.response if endpoint is not None else ()
    return _stringify(_drop_empty(fields, answer, catalog.TYPES))


def _drop_empty(fields: Iterable, value: Any, types: dict) -> Any:
    if not isinstance(value, dict):
        return value
    by_name = {f.name: f for f in fields}
    result = {}
    for key, item in value.items():
        field = by_name.get(key)
        if field is None:
            result[key] = item
            continue
        if field.mo != "M" and (item in _EMPTY or item == []):
            continue
        type_name = field.type
        if isinstance(item, list) and field.also_accepts and not field.is_list:
            type_name = field.also_accepts  # a list where the manual wrote one object
        result[key] = _nested(type_name, item, types)
    return result


def _nested(type_name: str, value: Any, types: dict) -> Any:
    element = item_type(type_name)
    if element is not None:
        if not isinstance(value, list) or element not in types:
            return value
        return [_drop_empty(types[element], item, types) for item in value]
    if type_name in types:
        return _drop_empty(types[type_name], value, types)
    return value


def _stringify(value: Any) -> Any:
    """Every number (not a boolean) as its text, at any depth."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else value
    if isinstance(value, dict):
        return {key: _stringify(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stringify(item) for item in value]
    return value
