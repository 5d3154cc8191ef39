"""Phone pages (policies in telephony.phones.pages)."""

from django.urls import path

from telephony.phones import views

urlpatterns: list = [
    path("phones/", views.my_phones, name="my_phones"),
    path("customers/<int:tenant_id>/phones/", views.phone_list, name="phone_list"),
    path("customers/<int:tenant_id>/phones/new/", views.phone_create, name="phone_create"),
    path("customers/<int:tenant_id>/phones/<str:e164>/", views.phone_edit, name="phone_edit"),
    path(
        "customers/<int:tenant_id>/phones/<str:e164>/password/",
        views.phone_password,
        name="phone_password",
    ),
    path(
        "customers/<int:tenant_id>/phones/<str:e164>/delete/",
        views.phone_delete,
        name="phone_delete",
    ),
]
