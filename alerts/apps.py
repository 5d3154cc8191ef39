from django.apps import AppConfig

from billing.events import balances_read
from switch import push_handlers
from web.lazy import lazy


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts"

    def ready(self):
        # Every balance VOS tells the portal is checked against the low-balance threshold.
        balances_read.connect(
            lazy("alerts.services.on_balances_read"), weak=False, dispatch_uid="alerts-balances"
        )
        # After telephony's handler (INSTALLED_APPS order): the live alarm list first.
        push_handlers.on_push("AlarmCurrentReport", "alerts.services.alarm_list_pushed")
