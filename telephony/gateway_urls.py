"""URLs of this area (policies in telephony.gateway_pages)."""

from django.urls import path

from telephony import gateway_views as views

urlpatterns: list = [
    path("gateways/", views.gateway_index, name="gateway_index"),
    path("gateways/<int:server_id>/<slug:kind>/", views.gateway_list, name="gateway_list"),
    path("gateways/<int:server_id>/<slug:kind>/new/", views.gateway_create, name="gateway_create"),
    path(
        "gateways/<int:server_id>/<slug:kind>/<str:name>/",
        views.gateway_edit,
        name="gateway_edit",
    ),
    path(
        "gateways/<int:server_id>/<slug:kind>/<str:name>/delete/",
        views.gateway_delete,
        name="gateway_delete",
    ),
]
