"""Kernel events the feature apps follow. No models here, so an ``apps`` module may
import it at the top and connect its receivers in ``ready``."""

from django.dispatch import Signal

# Sent after a tenant and its subtree moved: (old_path, new_path). Tables that copy
# tenant paths for scoped queries (CDRs, ledger rows, live snapshots) follow with
# ``accounts.models.carry_paths``.
tenant_moved = Signal()
