"""URLs of this area (policies in alerts.pages)."""

from django.urls import path

from alerts import views as alert_ops_views
from alerts import views as alert_views

urlpatterns: list = [
    path("notifications/", alert_views.notification_list, name="notification_list"),
    path(
        "notifications/<int:notification_id>/read/",
        alert_views.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/", alert_views.notification_read_all, name="notification_read_all"
    ),
    path("alerts/settings/", alert_views.alert_settings, name="alert_settings"),
    path("customers/<int:tenant_id>/alerts/", alert_views.customer_alerts, name="customer_alerts"),
    path("ops/health/", alert_ops_views.ops_health, name="ops_health"),
    path("ops/health/probe/", alert_ops_views.ops_health_probe, name="ops_health_probe"),
    path("ops/alarms/", alert_ops_views.ops_alarms, name="ops_alarms"),
    path("ops/alarms/create/", alert_ops_views.ops_alarm_create, name="ops_alarm_create"),
    path("ops/switch/", alert_ops_views.ops_switch, name="ops_switch"),
]
