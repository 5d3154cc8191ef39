"""Alarms (2.79 CreateAlarm, 2.82 GetAlarmCurrent) and the AlarmCurrentReport push (3.6).

An alarm is current from ``startTime`` (default: now) until ``stopTime`` (none: until
cleared). Whenever an alarm becomes current -- at CreateAlarm, or when an ``advance``
of the clock reaches a future ``startTime`` (real time passing alone reports it only
with the next alarm or advance) -- an ``AlarmCurrentReport`` push carries the whole
current list, as the manual's "current alarm list" says.

CreateAlarm has no ``type`` but InfoAlarmCurrent needs one from the manual's list of
system alarm types: the type whose meaning is the alarm's name ("Account Balance"
-> 20007), else 20007 Account Balance, the one system alarm a third party such as a
billing portal has reason to raise. ``alarmInfo`` is answered as the alarm's memo.
Optional fields never set (stopTime, upper, lower, confirm*) are left out of answers.
Control actions: ``raise_alarm`` (a system alarm of any type) and ``clear_alarm``.

Table:

    alarm(id INTEGER PRIMARY KEY, start_time INTEGER, stop_time INTEGER (0 = none),
          reported INTEGER (pushed as current), info TEXT)     info: InfoAlarmCurrent
"""

from __future__ import annotations

import json

from vos3000 import catalog
from vos3000.simulator import codes, registry
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects as objs
from vos3000.simulator.registry import control, handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS alarm (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    start_time INTEGER NOT NULL,
    stop_time INTEGER NOT NULL DEFAULT 0,
    reported INTEGER NOT NULL DEFAULT 0,
    info TEXT NOT NULL
);
"""

ACCOUNT_BALANCE = 20007


def _type_for(name: str) -> int:
    wanted = "".join(name.split()).lower()
    types = next(f for f in catalog.TYPES["InfoAlarmCurrent"] if f.name == "type").enum
    for value, meaning in types.items():
        if "".join(meaning.split()).lower() == wanted:
            return int(value)
    return ACCOUNT_BALANCE


def _current_rows(ctx):
    now = ctx.now_ms()
    return ctx.db.execute(
        "SELECT * FROM alarm WHERE start_time <= ? AND (stop_time = 0 OR stop_time > ?)"
        " ORDER BY id",
        (now, now),
    ).fetchall()


def current_alarms(ctx) -> list[dict]:
    return [
        objs.project(
            "InfoAlarmCurrent", {**json.loads(r["info"]), "id": r["id"]}, omit_unset_optional=True
        )
        for r in _current_rows(ctx)
    ]


def report_new_alarms(ctx) -> None:
    """Push the current list if an alarm became current since the last report."""
    fresh = [r["id"] for r in _current_rows(ctx) if not r["reported"]]
    if not fresh:
        return
    ctx.db.executemany("UPDATE alarm SET reported = 1 WHERE id = ?", [(i,) for i in fresh])
    ctx.push("AlarmCurrentReport", {"infoAlarmCurrents": current_alarms(ctx)})


def raise_alarm(ctx, given: dict) -> int:
    """Store an alarm (InfoAlarmCurrent fields; type and startTime default) and report it."""
    fields = {f.name: f for f in objs.union_fields("InfoAlarmCurrent", "CreateAlarm")}
    alarm = {name: given[name] for name in fields if given.get(name) is not None}
    alarm.setdefault("startTime", ctx.now_ms())
    alarm.setdefault("value", objs.default_for(fields["value"]))
    alarm.setdefault("type", _type_for(alarm["name"]))
    if str(alarm["type"]) not in fields["type"].enum:
        raise SimError(codes.INPUT_ERROR, f"type {alarm['type']} is not an alarm type.")
    if alarm.get("stopTime") and alarm["stopTime"] <= alarm["startTime"]:
        raise SimError(codes.INPUT_ERROR, "stopTime must be after startTime.")
    alarm_id = ctx.db.execute(
        "INSERT INTO alarm (start_time, stop_time, info) VALUES (?, ?, ?)",
        (alarm["startTime"], alarm.get("stopTime") or 0, json.dumps(alarm, ensure_ascii=False)),
    ).lastrowid
    report_new_alarms(ctx)
    return alarm_id


@handler("CreateAlarm")
def create_alarm(ctx, req: dict) -> dict:
    raise_alarm(ctx, {**req, "memo": req.get("alarmInfo")})
    return {}


@handler("GetAlarmCurrent")
def get_alarm_current(ctx, req: dict) -> dict:
    return {"infoAlarmCurrents": current_alarms(ctx)}


@control("raise_alarm")
def raise_alarm_control(sim, params: dict) -> dict:
    """A system alarm: name, type, level, value, memo, startTime, stopTime, upper, lower."""
    with sim.transaction() as ctx:
        return {"id": raise_alarm(ctx, params)}


@control("clear_alarm")
def clear_alarm(sim, params: dict) -> dict:
    """Stop a current alarm now: id."""
    with sim.transaction() as ctx:
        row = ctx.db.execute("SELECT * FROM alarm WHERE id = ?", (params["id"],)).fetchone()
        if row is None:
            raise SimError(codes.NOT_FOUND)
        now = ctx.now_ms()
        alarm = {**json.loads(row["info"]), "stopTime": now}
        ctx.db.execute(
            "UPDATE alarm SET stop_time = ?, info = ? WHERE id = ?",
            (now, json.dumps(alarm, ensure_ascii=False), row["id"]),
        )
        return {"id": row["id"], "stopTime": now}


def _report_after_advance(sim) -> None:
    with sim.transaction() as ctx:
        report_new_alarms(ctx)


registry.ADVANCE_HOOKS.append(_report_after_advance)
