"""IVR audio (2.67 Create, 2.68 Modify, 2.69 Delete, 2.70 Get, 2.71 ModifyIvrAudioData).

An audio is described by Create/Modify and gets its sound from ModifyIvrAudioData:
a WAV file as a hexadecimal string, in the one format the manual allows (PCM signed,
8000 Hz, 16 bit, mono). Anything else -- not hex, not a WAV, another format -- is an
input error, so a portal bug shows here rather than as silence on a real switch.
InfoIvrAudio.size is the file's size in bytes; its duration is kept too and shown by
the control action ``ivr_audio`` (the manual's Info has no field for it). Names are
unique within an audio type.

Table:

    ivr_audio(id INTEGER PRIMARY KEY, type INTEGER, name TEXT, info TEXT,
              data BLOB, duration_ms INTEGER, UNIQUE (type, name))
"""

from __future__ import annotations

import binascii
import io
import json
import wave

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects as objs
from vos3000.simulator.registry import control, handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS ivr_audio (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type INTEGER NOT NULL,
    name TEXT NOT NULL,
    info TEXT NOT NULL,
    data BLOB NOT NULL DEFAULT x'',
    duration_ms INTEGER NOT NULL DEFAULT 0,
    UNIQUE (type, name)
);
"""

SAMPLE_RATE = 8000
SAMPLE_BYTES = 2
CHANNELS = 1
_FIELDS = ("InfoIvrAudio", "CreateIvrAudio", "ModifyIvrAudio")


def _existing(ctx, audio_id: int):
    row = ctx.db.execute("SELECT * FROM ivr_audio WHERE id = ?", (audio_id,)).fetchone()
    if row is None:
        raise SimError(codes.NOT_FOUND, f"IVR audio {audio_id} not found, operation failed.")
    return row


def wav_duration_ms(data: bytes) -> int:
    """Duration of a WAV file in the manual's format; SimError INPUT_ERROR otherwise."""
    try:
        with wave.open(io.BytesIO(data)) as sound:
            shape = (sound.getframerate(), sound.getsampwidth(), sound.getnchannels())
            frames = sound.getnframes()
    except (wave.Error, EOFError) as exc:
        raise SimError(codes.INPUT_ERROR, f"data is not a PCM WAV file: {exc}") from exc
    if shape != (SAMPLE_RATE, SAMPLE_BYTES, CHANNELS):
        rate, width, channels = shape
        raise SimError(
            codes.INPUT_ERROR,
            "data must be PCM signed 8000 Hz, 16 bit, mono; "
            f"got {rate} Hz, {width * 8} bit, {channels} channel(s)",
        )
    return frames * 1000 // SAMPLE_RATE


@handler("CreateIvrAudio")
def create_ivr_audio(ctx, req: dict) -> dict:
    if ctx.db.execute(
        "SELECT 1 FROM ivr_audio WHERE type = ? AND name = ?", (req["type"], req["name"])
    ).fetchone():
        raise SimError(codes.ALREADY_EXISTS)
    audio = objs.complete(objs.union_fields(*_FIELDS), {**req, "size": 0})
    audio_id = ctx.db.execute(
        "INSERT INTO ivr_audio (type, name, info) VALUES (?, ?, ?)",
        (req["type"], req["name"], json.dumps(audio, ensure_ascii=False)),
    ).lastrowid
    return {"id": audio_id}


@handler("ModifyIvrAudio")
def modify_ivr_audio(ctx, req: dict) -> dict:
    row = _existing(ctx, req["id"])
    changes = {k: v for k, v in req.items() if k != "id"}
    audio = objs.merged(objs.union_fields(*_FIELDS), json.loads(row["info"]), changes)
    ctx.db.execute(
        "UPDATE ivr_audio SET info = ? WHERE id = ?",
        (json.dumps(audio, ensure_ascii=False), req["id"]),
    )
    return {}


@handler("ModifyIvrAudioData")
def modify_ivr_audio_data(ctx, req: dict) -> dict:
    row = _existing(ctx, req["id"])
    try:
        data = binascii.unhexlify(req["data"].strip())
    except (binascii.Error, ValueError) as exc:
        raise SimError(codes.INPUT_ERROR, "data is not a hexadecimal string.") from exc
    duration = wav_duration_ms(data)
    audio = {**json.loads(row["info"]), "size": len(data)}
    ctx.db.execute(
        "UPDATE ivr_audio SET info = ?, data = ?, duration_ms = ? WHERE id = ?",
        (json.dumps(audio, ensure_ascii=False), data, duration, req["id"]),
    )
    return {}


@handler("DeleteIvrAudio")
def delete_ivr_audio(ctx, req: dict) -> dict:
    _existing(ctx, req["id"])
    ctx.db.execute("DELETE FROM ivr_audio WHERE id = ?", (req["id"],))
    return {}


@handler("GetIvrAudio")
def get_ivr_audio(ctx, req: dict) -> dict:
    # The manual types ``ids`` as a single Integer yet calls it a list: take either.
    ids = req.get("ids")
    ids = [ids] if isinstance(ids, int) else ids or []
    rows = ctx.db.execute(
        "SELECT id, info FROM ivr_audio WHERE type = ? ORDER BY id", (req["type"],)
    ).fetchall()
    return {
        "infoIvrAudios": [
            objs.project("InfoIvrAudio", {**json.loads(r["info"]), "id": r["id"]})
            for r in rows
            if not ids or r["id"] in ids
        ]
    }


@control("ivr_audio")
def ivr_audio(sim, params: dict) -> dict:
    """Size, duration and data (hex) of one IVR audio: id."""
    with sim.transaction(write=False) as ctx:
        row = _existing(ctx, int(params["id"]))
        return {
            "id": row["id"],
            "size": len(row["data"]),
            "durationMs": row["duration_ms"],
            "data": bytes(row["data"]).hex(),
        }
