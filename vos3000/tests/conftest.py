"""Shared fixtures: one simulator per test session, reset before each test.

    sim       function-scoped: a running simulator with EMPTY state (reset first);
              .base_url ("http://127.0.0.1:PORT/external/server/"), .root_url,
              .control(action, **params) -> dict, .sim (the in-process Simulator).
              Lenient, as the simulator is by default (vos3000/simulator/lenient.py)
    strict_sim  like ``sim``, started with ``strict=True``: the manual's checking to the
              letter (unknown fields, numbers in strings and partial Modifies refused)
    sim_demo  session-scoped: a second simulator loaded with demo data; READ-ONLY
    vos       a vos3000.client.VosClient on sim.base_url, timeout=(1, 2)

Servers listen on 127.0.0.1 on a free port and keep their state in memory.
"""

from __future__ import annotations

import pytest

from vos3000.simulator.app import start_simulator


@pytest.fixture(scope="session")
def _sim_server():
    handle = start_simulator(host="127.0.0.1", port=0, allow="127.0.0.1|::1")
    yield handle
    handle.stop()


@pytest.fixture
def sim(_sim_server):
    _sim_server.control("reset")
    return _sim_server


@pytest.fixture(scope="session")
def _strict_sim_server():
    handle = start_simulator(host="127.0.0.1", port=0, allow="127.0.0.1|::1", strict=True)
    yield handle
    handle.stop()


@pytest.fixture
def strict_sim(_strict_sim_server):
    _strict_sim_server.control("reset")
    return _strict_sim_server


@pytest.fixture(scope="session")
def sim_demo():
    try:
        import vos3000.simulator.demo  # noqa: F401
    except ImportError:
        pytest.skip("demo data (vos3000.simulator.demo) not written yet")
    handle = start_simulator(host="127.0.0.1", port=0, allow="127.0.0.1|::1", demo=True)
    yield handle
    handle.stop()


@pytest.fixture
def vos(sim):
    client_module = pytest.importorskip("vos3000.client")
    return client_module.VosClient(sim.base_url, timeout=(1, 2))
