"""URLs of this area (policies in telephony.gateways.pages). A gateway's name comes
last, after edit/ or delete/, so that any name VOS holds ("new", "a/b") has its own URL."""

from django.urls import path

from telephony.gateways import views

urlpatterns: list = [
    path("gateways/", views.gateway_index, name="gateway_index"),
    path("gateways/<int:server_id>/<slug:kind>/", views.gateway_list, name="gateway_list"),
    path("gateways/<int:server_id>/<slug:kind>/new/", views.gateway_create, name="gateway_create"),
    path(
        "gateways/<int:server_id>/<slug:kind>/edit/<path:name>/",
        views.gateway_edit,
        name="gateway_edit",
    ),
    path(
        "gateways/<int:server_id>/<slug:kind>/delete/<path:name>/",
        views.gateway_delete,
        name="gateway_delete",
    ),
]
