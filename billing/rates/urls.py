"""Rates, grants and suites (policies in billing.rates.pages)."""

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
]
