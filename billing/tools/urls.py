"""A customer's tools: rate lookup, minutes left, click-to-call (policies in
billing.tools.pages)."""

from django.urls import path

from billing.tools import views

urlpatterns = [
    path("customers/<int:tenant_id>/tools/", views.customer_tools, name="customer_tools"),
    path(
        "customers/<int:tenant_id>/tools/call/",
        views.customer_click_to_call,
        name="customer_click_to_call",
    ),
]
