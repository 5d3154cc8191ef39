"""Kernel events the feature apps follow. No models here, so an ``apps`` module may
import it at the top and connect its receivers in ``ready``."""

import logging

from django.dispatch import Signal

log = logging.getLogger(__name__)

# Sent after a tenant and its subtree moved: (old_path, new_path). Tables that copy
# tenant paths for scoped queries (CDRs, ledger rows, live snapshots) follow with
# ``accounts.models.carry_paths``.
tenant_moved = Signal()

# Something a tenant's own systems may hear of (the webhooks app sends it out, webhooks.apps):
# ``event_type`` ("transfer.succeeded", see webhooks.models.EVENT_TYPES), ``tenant_path``
# (the path of the tenant the object belongs to: endpoints of that tenant and of every
# tenant above it hear of it) and ``data`` (a JSON-able dict, no VOS address, no secret).
announced = Signal()


def announce(event_type: str, *, tenant_path: str, data: dict) -> None:
    """Tell whoever listens; a listener's failure is logged, never the caller's problem
    (a top-up does not fail because a webhook could not be queued)."""
    for receiver, outcome in announced.send_robust(
        sender=event_type, event_type=event_type, tenant_path=tenant_path, data=data
    ):
        if isinstance(outcome, Exception):
            log.error("%s: %r failed", event_type, receiver, exc_info=outcome)
