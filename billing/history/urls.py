"""A customer's payment and consumption history (policies in billing.history.pages)."""

from django.urls import path

from billing.history import views

urlpatterns = [
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
