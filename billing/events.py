"""Billing events other apps follow. No models here, so an ``apps`` module may import it
at the top and connect its receivers in ``ready``."""

from django.dispatch import Signal

# VOS told us accounts' balances (a page's GetCustomer, a Pay answer, a push):
# (server, balances: {account: money}). The low-balance alerts follow it (alerts.apps).
balances_read = Signal()
