"""Live calls and online phones against a VOS that answers sparsely
(``sparse_vos_server``): the same tests as ``test_live.py`` for the key flows, collected
here with the sparse server underneath."""

from __future__ import annotations

import pytest

from telephony.live.tests.test_live import (  # noqa: F401  (collected again here)
    calls,
    test_it_answers_htmx_disconnects_with_a_redirect,
    test_it_attributes_calls_through_phone_owners_in_batches,
    test_it_counts_the_dashboards_from_the_snapshots,
    test_it_drops_ended_calls_at_the_next_poll,
    test_it_lists_online_phones_for_admins_from_one_shared_poll,
    test_it_refuses_disconnecting_a_call_outside_the_scope,
    test_it_shows_each_viewer_the_calls_of_its_scope,
    test_it_shows_gateways_to_admins_only,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_vos_server(sparse_vos_server):
    """telephony's ``demo`` fixture, on the sparse server."""
    return sparse_vos_server
