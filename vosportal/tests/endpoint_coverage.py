"""Which VOS endpoints and pushes the portal's own pages and tasks reach during the suite.

Loaded as a pytest plugin by the root conftest. Every ``VosClient.call`` made while a
portal view or task is on the call stack is recorded (a test that calls the client
directly to set data up or to check VOS's side does not count), and so is every push
message the receiver validates. ``test_every_endpoint_reached.py`` runs last and fails,
listing them, when an endpoint of the catalog or a section-3 push was never reached
through a page or task of the portal.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict

import pytest

# A frame of one of these modules means the call was made by a page or a task: views
# (``<app>[.<area>].views``), the health endpoint, the push receiver, Celery task modules.
_PORTAL_MODULE = re.compile(
    r"^(accounts|switch|customers|billing|telephony|alerts|dashboard|vosportal)"
    r"(\.\w+)?\.(views|tasks|health|push_receiver)$"
)

reached_endpoints: dict[str, set[str]] = defaultdict(set)
received_pushes: dict[str, set[str]] = defaultdict(set)
_current_test = {"id": ""}


def _through_portal() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        if _PORTAL_MODULE.match(frame.f_globals.get("__name__", "")):
            return True
        frame = frame.f_back
    return False


@pytest.fixture(scope="session", autouse=True)
def _record_vos_calls():
    from vos3000 import catalog
    from vos3000.client.core import VosClient

    original_call = VosClient.call
    original_validate_push = catalog.validate_push

    def recording_call(self, name, payload, **kwargs):
        if _through_portal():
            reached_endpoints[name].add(_current_test["id"])
        return original_call(self, name, payload, **kwargs)

    def recording_validate_push(name, payload):
        original_validate_push(name, payload)
        if _through_portal():
            received_pushes[name].add(_current_test["id"])

    VosClient.call = recording_call
    catalog.validate_push = recording_validate_push
    try:
        yield
    finally:
        VosClient.call = original_call
        catalog.validate_push = original_validate_push


@pytest.fixture(autouse=True)
def _name_the_current_test(request):
    _current_test["id"] = request.node.nodeid
    yield


COVERAGE_TEST = "test_every_endpoint_reached.py"


def pytest_collection_modifyitems(session, config, items):
    """The coverage check runs after every other test."""
    last = [item for item in items if COVERAGE_TEST in item.nodeid]
    items[:] = [item for item in items if COVERAGE_TEST not in item.nodeid] + last


def whole_suite_ran(config, items_collected: int) -> bool:
    """Only a run of the whole portal suite can tell whether an endpoint is reached."""
    narrowed = bool(
        config.option.keyword or config.option.markexpr or getattr(config.option, "lf", False)
    )
    # With no paths given, pytest runs every testpath; naming some (or a file) is a part.
    whole = set(config.args) == set(config.getini("testpaths"))
    return not narrowed and whole and items_collected > 0


def pytest_sessionfinish(session, exitstatus):
    """ENDPOINT_COVERAGE_REPORT=path writes which tests reached which endpoint (JSON)."""
    import json
    import os

    path = os.environ.get("ENDPOINT_COVERAGE_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "endpoints": {k: sorted(v) for k, v in sorted(reached_endpoints.items())},
                    "pushes": {k: sorted(v) for k, v in sorted(received_pushes.items())},
                },
                handle,
                indent=1,
            )
