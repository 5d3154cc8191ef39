"""URLs of this area (policies in billing.tariffs.pages)."""

from django.urls import path

from billing.tariffs import views

urlpatterns = [
    path("console/billing/", views.index, name="billing_console"),
    path(
        "console/billing/fee-rate-groups/",
        views.fee_rate_groups,
        name="console_fee_rate_groups",
    ),
    path(
        "console/billing/fee-rate-groups/<str:group>/edit/",
        views.fee_rate_group_edit,
        name="console_fee_rate_group_edit",
    ),
    path(
        "console/billing/fee-rate-groups/<str:group>/delete/",
        views.fee_rate_group_delete,
        name="console_fee_rate_group_delete",
    ),
    path("console/billing/suites/", views.suites, name="console_suites"),
    path(
        "console/billing/suites/<int:suite_id>/delete/",
        views.suite_delete,
        name="console_suite_delete",
    ),
    path("console/billing/phone-cards/", views.phone_card, name="console_phone_card"),
    path("console/billing/cdrs/new/", views.cdr_create, name="console_cdr_create"),
    path(
        "console/billing/reserve-callee/",
        views.reserve_callee,
        name="console_reserve_callee",
    ),
]
