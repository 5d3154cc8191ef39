"""The demo tenants of telephony/conftest.py, for the gate's guard and push tests."""

import pytest

from telephony.conftest import demo, sim_pushes_to  # noqa: F401


@pytest.fixture(autouse=True)
def _no_wake_up_sent_yet(monkeypatch):
    """This process's memory of its last push wake-up (switch.push_inbox.wake) must not
    carry from one test into the next (the cache, which holds the shared key, is fresh)."""
    from switch import push_inbox

    monkeypatch.setattr(push_inbox, "_wake_sent_at", [float("-inf")])
