"""Cards, bound numbers, converts and limited-number groups (policies in
telephony.numbers.pages)."""

from django.urls import path

from telephony.numbers import views

urlpatterns: list = [
    path("customers/<int:tenant_id>/cards/", views.card_list, name="card_list"),
    path(
        "customers/<int:tenant_id>/cards/<slug:card_ref>/",
        views.card_edit,
        name="card_edit",
    ),
    path(
        "customers/<int:tenant_id>/cards/<slug:card_ref>/delete/",
        views.card_delete,
        name="card_delete",
    ),
    path("customers/<int:tenant_id>/numbers/", views.number_list, name="number_list"),
    path(
        "customers/<int:tenant_id>/numbers/<str:e164>/",
        views.binding_edit,
        name="binding_edit",
    ),
    path(
        "customers/<int:tenant_id>/numbers/<str:e164>/delete/",
        views.binding_delete,
        name="binding_delete",
    ),
    path("customers/<int:tenant_id>/converts/", views.convert_list, name="convert_list"),
    path(
        "customers/<int:tenant_id>/converts/<int:convert_id>/",
        views.convert_edit,
        name="convert_edit",
    ),
    path(
        "customers/<int:tenant_id>/converts/<int:convert_id>/delete/",
        views.convert_delete,
        name="convert_delete",
    ),
    path("limited-groups/", views.limited_group_list, name="limited_group_list"),
    path(
        "limited-groups/<int:group_id>/",
        views.limited_group_detail,
        name="limited_group_detail",
    ),
]
