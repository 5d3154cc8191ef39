"""URLs of this part of the portal; their policies live in the matching *pages module."""

from django.urls import path

from telephony import views_limited, views_numbers, views_phones

urlpatterns: list = [
    path("phones/", views_phones.my_phones, name="my_phones"),
    path("customers/<int:tenant_id>/phones/", views_phones.phone_list, name="phone_list"),
    path("customers/<int:tenant_id>/phones/new/", views_phones.phone_create, name="phone_create"),
    path(
        "customers/<int:tenant_id>/phones/<str:e164>/", views_phones.phone_edit, name="phone_edit"
    ),
    path(
        "customers/<int:tenant_id>/phones/<str:e164>/password/",
        views_phones.phone_password,
        name="phone_password",
    ),
    path(
        "customers/<int:tenant_id>/phones/<str:e164>/delete/",
        views_phones.phone_delete,
        name="phone_delete",
    ),
    path("customers/<int:tenant_id>/cards/", views_numbers.card_list, name="card_list"),
    path(
        "customers/<int:tenant_id>/cards/<slug:card_ref>/",
        views_numbers.card_edit,
        name="card_edit",
    ),
    path(
        "customers/<int:tenant_id>/cards/<slug:card_ref>/delete/",
        views_numbers.card_delete,
        name="card_delete",
    ),
    path("customers/<int:tenant_id>/numbers/", views_numbers.number_list, name="number_list"),
    path(
        "customers/<int:tenant_id>/numbers/<str:e164>/",
        views_numbers.binding_edit,
        name="binding_edit",
    ),
    path(
        "customers/<int:tenant_id>/numbers/<str:e164>/delete/",
        views_numbers.binding_delete,
        name="binding_delete",
    ),
    path("customers/<int:tenant_id>/converts/", views_numbers.convert_list, name="convert_list"),
    path(
        "customers/<int:tenant_id>/converts/<int:convert_id>/",
        views_numbers.convert_edit,
        name="convert_edit",
    ),
    path(
        "customers/<int:tenant_id>/converts/<int:convert_id>/delete/",
        views_numbers.convert_delete,
        name="convert_delete",
    ),
    path("limited-groups/", views_limited.limited_group_list, name="limited_group_list"),
    path(
        "limited-groups/<int:group_id>/",
        views_limited.limited_group_detail,
        name="limited_group_detail",
    ),
]
