"""URLs of the platform's server pages (policies in switch.server_admin.pages)."""

from django.urls import path

from switch.server_admin import views

urlpatterns = [
    path("ops/servers/", views.server_list, name="server_list"),
    path("ops/servers/new/", views.server_create, name="server_create"),
    path("ops/servers/<int:server_id>/", views.server_edit, name="server_edit"),
    path("ops/servers/<int:server_id>/test/", views.server_test, name="server_test"),
]
