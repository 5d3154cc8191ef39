"""Money pages (policies in billing.money.pages)."""

from django.urls import path

from billing.money import views
from switch import push_receiver

urlpatterns = [
    path("customers/<int:tenant_id>/money/", views.account_money, name="money_account"),
    path("customers/<int:tenant_id>/top-up/", views.topup, name="money_topup"),
    path("customers/<int:tenant_id>/take-back/", views.take_back, name="money_take_back"),
    path("customers/<int:tenant_id>/adjust/", views.adjust, name="money_adjust"),
    path("customers/<int:tenant_id>/phone-card/", views.pin_topup, name="money_pin_topup"),
    path("top-up/", views.my_pin_topup, name="money_my_pin_topup"),
    path("ledger/", views.ledger, name="money_ledger"),
    path("ledger/review/", views.review_queue, name="money_review_queue"),
    path("ledger/reconcile/", views.reconcile_all, name="money_reconcile_all"),
    path("ledger/settings/", views.money_settings, name="money_settings"),
    path("ledger/<int:transfer_id>/", views.transfer_detail, name="money_transfer"),
    path("ledger/<int:transfer_id>/status/", views.transfer_status, name="money_transfer_status"),
    path("ledger/<int:transfer_id>/receipt/", views.receipt, name="money_receipt"),
    path("ledger/<int:transfer_id>/reconcile/", views.reconcile_now, name="money_reconcile"),
    path("ledger/<int:transfer_id>/resolve/", views.resolve, name="money_resolve"),
    # The old name of this push address: served by the general receiver (issue 7).
    path(
        "vos/push/<str:token>/<slug:server_name>/CustomerMoneyChange",
        push_receiver.receive,
        {"name": "CustomerMoneyChange"},
        name="vos_push_customer_money_change",
    ),
]
