"""Raw HTTP calls to the simulator for its own tests (no client in between), shared by
the simulator's test files. Fields come as a dict, as keywords, or both."""

from __future__ import annotations

import requests


def call(sim, endpoint: str, payload: dict | None = None, /, **fields) -> dict:
    body = {**(payload or {}), **fields}
    response = requests.post(sim.base_url + endpoint, json=body, timeout=(1, 5))
    assert response.status_code == 200, response.text
    return response.json()


def ok(sim, endpoint: str, payload: dict | None = None, /, **fields) -> dict:
    answer = call(sim, endpoint, payload, **fields)
    assert answer["retCode"] == 0, (endpoint, answer)
    return answer
