"""The IVR (DTMF) hook: VOS's PushDtmfInfo / PushDtmfInfos (manual 3.1, 3.2) ask the
portal which menu to run next; the switch runs the menu matching the returned retCode
and plays the returned audio names.

Contract (called by the push receiver, synchronously, since VOS waits for the answer):
    answer(server, name: str, payload: dict) -> dict
        name is "PushDtmfInfo" or "PushDtmfInfos"; payload already validated against
        the catalog. Returns {"retCode": int, "audioNames": [str, ...]} (audioNames
        may be omitted).
"""

from __future__ import annotations


def answer(server, name: str, payload: dict) -> dict:
    return {"retCode": 0}
