"""URLs of the webhook pages (policies in webhooks.pages)."""

from django.urls import path

from webhooks import views

urlpatterns = [
    path("settings/webhooks/", views.endpoint_list, name="webhook_list"),
    path("settings/webhooks/new/", views.endpoint_create, name="webhook_create"),
    path("settings/webhooks/<int:endpoint_id>/", views.endpoint_detail, name="webhook_detail"),
    path(
        "settings/webhooks/<int:endpoint_id>/delete/",
        views.endpoint_delete,
        name="webhook_delete",
    ),
    path("settings/webhooks/<int:endpoint_id>/test/", views.endpoint_test, name="webhook_test"),
    path(
        "settings/webhooks/<int:endpoint_id>/secret/",
        views.endpoint_secret,
        name="webhook_secret",
    ),
    path(
        "settings/webhooks/deliveries/<int:delivery_id>/replay/",
        views.delivery_replay,
        name="webhook_replay",
    ),
]
