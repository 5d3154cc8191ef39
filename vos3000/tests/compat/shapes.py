"""What a replayed request is, the small world the shapes refer to, and raw HTTP to send
them (``requests``, not our client: the bytes and headers are the field clients')."""

from __future__ import annotations

import json
from dataclasses import dataclass

import requests

from vos3000.tests.simhttp import ok

# Names the replayed shapes use; ``world`` creates them with the manual's own shapes.
ACCOUNT = "acme"
MAPPING = "gw-in"
ROUTING = "gw-out"
LIMIT_GROUP = "DNC"
LIMITED_NUMBER = "0912345678"
CARD_PIN = "2118565370974"
BINDED = "318565370974"


@dataclass(frozen=True)
class Shape:
    """One request as a field client sends it.

    body          a dict (sent as the client serialises it) or the raw text it sends
    content_type  the Content-Type header the client sets (None: whatever its library sets)
    where         the file (and what the code does there) the shape comes from
    strict        the retCode the strict simulator answers (None: it accepts the shape too)
    """

    client: str
    endpoint: str
    body: dict | str
    content_type: str | None
    where: str
    strict: int | None = None

    @property
    def id(self) -> str:
        return f"{self.client}:{self.endpoint}:{self.where.split()[0]}"

    def data(self) -> bytes:
        text = (
            self.body if isinstance(self.body, str) else json.dumps(self.body, ensure_ascii=False)
        )
        return text.encode("utf-8")


def send(sim, shape: Shape, *, path: str | None = None) -> requests.Response:
    """POST a shape to the simulator as its client would; ``path`` replaces the endpoint
    part of the URL (a context path, a ``.jsp`` name)."""
    url = sim.root_url.rstrip("/") + (path or f"/external/server/{shape.endpoint}")
    headers = {} if shape.content_type is None else {"Content-Type": shape.content_type}
    return requests.post(url, data=shape.data(), headers=headers, timeout=(1, 5))


def answer(sim, shape: Shape, **kwargs) -> dict:
    response = send(sim, shape, **kwargs)
    assert response.status_code == 200, response.text  # VOS answers errors with HTTP 200
    return response.json()


def build_world(sim) -> None:
    """The objects the shapes name, made with the manual's shapes (so strict takes them)."""
    ok(sim, "CreateFeeRateGroup", {"name": "standard"})
    ok(sim, "CreateCustomer", {"account": ACCOUNT, "name": "Acme", "money": 100.0})
    ok(sim, "CreateGatewayMapping", {"name": MAPPING, "account": ACCOUNT, "capacity": 10})
    ok(sim, "CreateGatewayRouting", {"name": ROUTING, "prefix": "44", "capacity": 30})
    ok(
        sim,
        "CreateLimitedE164",
        {
            "limitE164GroupName": LIMIT_GROUP,
            "infoLimitE164s": [{"e164": LIMITED_NUMBER, "memo": "2025.01.02"}],
        },
    )
    ok(sim, "CreateActivePhoneCard", {"pin": CARD_PIN, "account": ACCOUNT, "password": "123456"})
    ok(sim, "CreateBindedE164", {"e164": BINDED, "pin": CARD_PIN})
