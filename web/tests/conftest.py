"""What the web package's browser tests share: the demo as ``make run`` seeds it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from billing.cdrs.tasks import pull_server
from switch import vos
from switch.models import VosServer


@pytest.fixture
def demo(portal_sim, settings):
    """The demo platform as ``make run`` seeds it, on the simulator, its calls pulled."""
    portal_sim.control("reset", demo=True)
    vos.forget_clients()
    settings.VOS_SERVERS = [{"name": "main", "base_url": portal_sim.base_url}]
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    pull_server(VosServer.objects.get(name="main").pk)
    yield
    vos.forget_clients()
