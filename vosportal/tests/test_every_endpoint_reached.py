"""Every endpoint of the VOS catalog, and every section-3 push, is reached by some
portal page or task during the test suite (recorded by ``endpoint_coverage``).

This module runs last. A run of part of the suite cannot tell, so it then skips and
says why; ``make test`` and CI run the whole suite, where it is enforced.
"""

from __future__ import annotations

import pytest

from vos3000 import catalog
from vosportal.tests import endpoint_coverage as coverage


@pytest.fixture
def whole_suite(request):
    if not coverage.whole_suite_ran(request.config, len(request.session.items)):
        pytest.skip("the endpoint coverage is only known after a run of the whole suite")


def test_it_reaches_every_endpoint_through_a_page_or_task(whole_suite):
    # Endpoints seen only in the field (not in the manual) are never the portal's business.
    manual = {name for name, e in catalog.ENDPOINTS.items() if not e.from_field}
    missing = sorted(manual - set(coverage.reached_endpoints))
    assert missing == [], f"no page or task test reaches these VOS endpoints: {missing}"


def test_it_receives_every_push_message(whole_suite):
    missing = sorted(set(catalog.PUSHES) - set(coverage.received_pushes))
    assert missing == [], f"no test pushes these messages to the portal's receiver: {missing}"


def test_it_does_not_count_a_test_that_calls_vos_directly(vos_server):
    """The recorder counts calls made under a view or task, not a test's own calls."""
    from switch import vos

    before = set(coverage.reached_endpoints.get("GetPerformance", set()))
    vos.client_for(vos_server).call("GetPerformance", {})
    assert coverage.reached_endpoints.get("GetPerformance", set()) == before
