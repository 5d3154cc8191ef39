"""URLs of this area (policies in alerts.pages)."""

from django.urls import path

from alerts import views

urlpatterns: list = [
    path("notifications/", views.notification_list, name="notification_list"),
    path(
        "notifications/<int:notification_id>/read/",
        views.notification_read,
        name="notification_read",
    ),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("alerts/settings/", views.alert_settings, name="alert_settings"),
    path("customers/<int:tenant_id>/alerts/", views.customer_alerts, name="customer_alerts"),
    path("ops/health/", views.ops_health, name="ops_health"),
    path("ops/health/probe/", views.ops_health_probe, name="ops_health_probe"),
    path("ops/alarms/", views.ops_alarms, name="ops_alarms"),
    path("ops/alarms/create/", views.ops_alarm_create, name="ops_alarm_create"),
    path("ops/switch/", views.ops_switch, name="ops_switch"),
]
