"""E164 converts (2.44 Get, 2.72 Create, 2.73 Modify, 2.74 Delete).

A convert belongs to a phone: calls arriving from a mapping gateway with caller
``mappingGatewayCallerE164`` are treated as the phone ``e164``, and its calls leave
through routing gateways as ``routingGatewayCalleeE164``. The phone must exist; its
account is recorded (InfoE164Convert.account). An incoming caller maps to one phone
only, so ``mappingGatewayCallerE164`` is unique. GetE164Convert also answers each
convert's ``id`` (not in the manual's InfoE164Convert, but Modify/Delete need it).

Table:

    e164_convert(id INTEGER PRIMARY KEY, account TEXT, e164 TEXT,
                 mapping_caller TEXT UNIQUE, info TEXT)
"""

from __future__ import annotations

import json

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects as objs
from vos3000.simulator.handlers import sqlwhere
from vos3000.simulator.registry import handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS e164_convert (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    e164 TEXT NOT NULL,
    mapping_caller TEXT NOT NULL UNIQUE,
    info TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS e164_convert_account ON e164_convert (account);
CREATE INDEX IF NOT EXISTS e164_convert_e164 ON e164_convert (e164);
"""

_FIELDS = ("InfoE164Convert", "CreateE164Convert", "ModifyE164Convert")
_CALLER = "mappingGatewayCallerE164"


def _check_caller_free(ctx, caller: str, own_id: int | None) -> None:
    row = ctx.db.execute(
        "SELECT id FROM e164_convert WHERE mapping_caller = ?", (caller,)
    ).fetchone()
    if row is not None and row["id"] != own_id:
        raise SimError(codes.ALREADY_EXISTS)


def _save(ctx, convert_id: int | None, convert: dict) -> int:
    values = (
        convert["account"],
        convert["e164"],
        convert[_CALLER],
        json.dumps(convert, ensure_ascii=False),
    )
    if convert_id is None:
        return ctx.db.execute(
            "INSERT INTO e164_convert (account, e164, mapping_caller, info) VALUES (?, ?, ?, ?)",
            values,
        ).lastrowid
    ctx.db.execute(
        "UPDATE e164_convert SET account = ?, e164 = ?, mapping_caller = ?, info = ? WHERE id = ?",
        (*values, convert_id),
    )
    return convert_id


def convert_for_mapping_caller(ctx, caller: str) -> dict | None:
    """The convert (InfoE164Convert) of a caller arriving from a mapping gateway, if any."""
    row = ctx.db.execute(
        "SELECT info FROM e164_convert WHERE mapping_caller = ?", (caller,)
    ).fetchone()
    return objs.project("InfoE164Convert", json.loads(row["info"])) if row else None


@handler("CreateE164Convert")
def create_e164_convert(ctx, req: dict) -> dict:
    from vos3000.simulator.handlers.phones import phone_row

    phone = phone_row(ctx, req["e164"])
    if phone is None:
        raise SimError(codes.NOT_FOUND, f"Phone {req['e164']} not found, operation failed.")
    _check_caller_free(ctx, req[_CALLER], None)
    convert = objs.complete(objs.union_fields(*_FIELDS), {**req, "account": phone["account"]})
    return {"id": _save(ctx, None, convert)}


@handler("ModifyE164Convert")
def modify_e164_convert(ctx, req: dict) -> dict:
    row = ctx.db.execute("SELECT * FROM e164_convert WHERE id = ?", (req["id"],)).fetchone()
    if row is None:
        raise SimError(codes.NOT_FOUND)
    if req.get(_CALLER):
        _check_caller_free(ctx, req[_CALLER], row["id"])
    changes = {k: v for k, v in req.items() if k != "id"}
    _save(
        ctx, row["id"], objs.merged(objs.union_fields(*_FIELDS), json.loads(row["info"]), changes)
    )
    return {}


@handler("DeleteE164Convert")
def delete_e164_convert(ctx, req: dict) -> dict:
    if ctx.db.execute("DELETE FROM e164_convert WHERE id = ?", (req["id"],)).rowcount == 0:
        raise SimError(codes.NOT_FOUND)
    return {}


@handler("GetE164Convert")
def get_e164_convert(ctx, req: dict) -> dict:
    where, params = sqlwhere.where([("account", req.get("account")), ("e164", req.get("e164"))])
    rows = ctx.db.execute(f"SELECT id, info FROM e164_convert{where} ORDER BY id", params)  # noqa: S608
    # InfoE164Convert has no id in the manual, yet Modify and Delete need one: answer it too.
    return {
        "infoE164Converts": [
            {"id": r["id"], **objs.project("InfoE164Convert", json.loads(r["info"]))} for r in rows
        ]
    }
