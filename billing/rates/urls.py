"""URLs of this part of the portal; their policies live in the matching *pages module."""

from django.urls import path

from billing.rates import views

urlpatterns = [
    path("rates/", views.rate_list, name="rate_list"),
    path("rates/grants/<int:tenant_id>/", views.rate_grants, name="rate_grants"),
    path("rates/<str:group>/", views.rate_detail, name="rate_detail"),
    path("rates/<str:group>/export.csv", views.rate_export, name="rate_export"),
    path("suites/", views.suite_list, name="suite_list"),
    path("customers/<int:tenant_id>/suites/", views.customer_suites, name="customer_suites"),
    path(
        "customers/<int:tenant_id>/suites/end/",
        views.customer_suite_end,
        name="customer_suite_end",
    ),
    path(
        "customers/<int:tenant_id>/suites/change-end/",
        views.customer_suite_order_change,
        name="customer_suite_order_change",
    ),
    path(
        "customers/<int:tenant_id>/phonebook/",
        views.customer_phonebook,
        name="customer_phonebook",
    ),
    path(
        "customers/<int:tenant_id>/phonebook/<str:e164>/edit/",
        views.customer_phonebook_edit,
        name="customer_phonebook_edit",
    ),
    path(
        "customers/<int:tenant_id>/phonebook/<str:e164>/delete/",
        views.customer_phonebook_delete,
        name="customer_phonebook_delete",
    ),
    path("customers/<int:tenant_id>/tools/", views.customer_tools, name="customer_tools"),
    path(
        "customers/<int:tenant_id>/tools/call/",
        views.customer_click_to_call,
        name="customer_click_to_call",
    ),
    path(
        "customers/<int:tenant_id>/payments/",
        views.customer_payments,
        name="customer_payments",
    ),
    path(
        "customers/<int:tenant_id>/consumption/",
        views.customer_consumption,
        name="customer_consumption",
    ),
]
