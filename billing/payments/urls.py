"""Card payment pages (policies in billing.payments.pages)."""

from django.urls import path

from billing.payments import views

urlpatterns = [
    path("pay/", views.pay, name="payments_pay"),
    path("pay/test-checkout/<str:session_id>/", views.test_checkout, name="payments_test_checkout"),
    path("pay/<str:reference>/", views.status, name="payments_status"),
    path("payments/settings/", views.account_settings, name="payments_settings"),
    path("payments/webhook/<int:account_id>/", views.webhook, name="payments_webhook"),
]
