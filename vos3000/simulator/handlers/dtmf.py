"""The IVR's DTMF pushes (manual 3.1 PushDtmfInfo, 3.2 PushDtmfInfos), on demand.

A real switch asks the external system what to do when a caller keys digits in an IVR
menu, waits for the answer and runs the menu matching its retCode. The control action
``dtmf`` does the same once, synchronously (not through the push queue): it POSTs the
message to ``<push_url>/<name>`` and answers with what the receiver said, so tests and
the demo can exercise a portal's IVR hook end to end.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from vos3000 import catalog
from vos3000.errors import VosValidationError
from vos3000.simulator.registry import control

_TIMEOUT = 5.0


def _message(sim, params: dict) -> tuple[str, dict]:
    call = {
        "flowNo": int(params.get("flow_no") or sim.clock.now_ms()),
        "callerE164": str(params.get("caller", "1001")),
        "calleeE164": str(params.get("callee", "800")),
        "accessE164": str(params.get("access", "800")),
    }
    if "entries" in params:
        entries = params["entries"]
        if not isinstance(entries, list) or not entries:
            raise ValueError("entries must be a non-empty list of [menu, digits] pairs")
        infos = [{"menuName": str(menu), "dtmf": str(digits)} for menu, digits in entries]
        return "PushDtmfInfos", {**call, "infoDtmfs": infos}
    return "PushDtmfInfo", {**call, "menuName": str(params["menu"]), "dtmf": str(params["digits"])}


@control("dtmf")
def dtmf(sim, params: dict) -> dict:
    """Send one PushDtmfInfo (menu, digits) or PushDtmfInfos (entries: [[menu, digits],
    ...]) to the push URL now; flow_no, caller, callee, access are optional. Answers
    {"name", "payload", "status" (HTTP), "answer" (the receiver's JSON, or null),
    "retCode", "audioNames"}."""
    url = sim.settings.push_url
    if not url or not str(url).startswith(("http://", "https://")):
        raise ValueError("set an http(s) push_url first (settings action)")
    name, payload = _message(sim, params)
    try:
        catalog.validate_push(name, payload)
    except VosValidationError as exc:
        raise ValueError(f"{exc.field}: {exc.message}") from exc
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        str(url).rstrip("/") + "/" + name,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "text/html;charset=UTF-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:  # noqa: S310
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    except OSError as exc:
        raise RuntimeError(f"the receiver did not answer: {exc}") from exc
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        answer = None
    answer_dict = answer if isinstance(answer, dict) else {}
    return {
        "name": name,
        "payload": payload,
        "status": status,
        "answer": answer,
        "retCode": answer_dict.get("retCode"),
        "audioNames": answer_dict.get("audioNames") or [],
    }
