"""The demo tenants of telephony/conftest.py, for the gate's guard and push tests."""

import pytest

from telephony.conftest import demo, sim_pushes_to  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_push_memory(monkeypatch):
    """This process's memory of its last push wake-up (switch.push_inbox.wake) and of the
    servers it read (switch.servers) must not carry from one test into
    the next (the cache behind them is fresh)."""
    from switch import push_inbox, servers

    monkeypatch.setattr(push_inbox, "_wake_sent_at", [float("-inf")])
    monkeypatch.setattr(servers, "_local_servers", [float("-inf"), {}, {}])
