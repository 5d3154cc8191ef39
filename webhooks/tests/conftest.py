from __future__ import annotations

import pytest

from webhooks.tests.receiver import Receiver


@pytest.fixture
def receiver():
    handle = Receiver().start()
    yield handle
    handle.stop()


@pytest.fixture
def local_delivery(settings):
    """Deliveries may reach the test's own receiver (plain http on 127.0.0.1)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5
