"""URLs of this part of the portal; their policies live in the matching *pages module."""

from django.urls import path

from customers import views

urlpatterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:tenant_id>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:tenant_id>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<int:tenant_id>/lock/", views.customer_lock, name="customer_lock"),
    path(
        "customers/<int:tenant_id>/valid-time/",
        views.customer_valid_time,
        name="customer_valid_time",
    ),
    path("customers/<int:tenant_id>/delete/", views.customer_delete, name="customer_delete"),
    path("tenants/", views.tenant_list, name="tenant_list"),
    path("tenants/link/", views.tenant_link, name="tenant_link"),
    path("tenants/<int:tenant_id>/", views.tenant_detail, name="tenant_detail"),
    path("view-as/<int:user_id>/", views.view_as_start, name="view_as_start"),
    path("view-as/stop/", views.view_as_stop, name="view_as_stop"),
]
