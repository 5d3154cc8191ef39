"""Bulk imports and bulk actions on the customer list (policies in customers.bulk.pages)."""

from django.urls import path

from customers.bulk import views

urlpatterns = [
    path("customers/import/", views.import_start, name="bulk_import_start"),
    path(
        "customers/import/template-<slug:kind>.csv",
        views.import_template,
        name="bulk_import_template",
    ),
    path("customers/import/<int:pk>/", views.import_detail, name="bulk_import_detail"),
    path("customers/import/<int:pk>/run/", views.import_confirm, name="bulk_import_confirm"),
    path("customers/import/<int:pk>/retry/", views.import_retry, name="bulk_import_retry"),
    path(
        "customers/import/<int:pk>/results/",
        views.import_download,
        name="bulk_import_download",
    ),
    path("customers/bulk/", views.action_start, name="bulk_action_start"),
    path("customers/bulk/<int:pk>/", views.action_detail, name="bulk_action_detail"),
    path(
        "customers/bulk/<int:pk>/download/",
        views.action_download,
        name="bulk_action_download",
    ),
]
