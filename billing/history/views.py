"""A customer's payment and consumption history, read from VOS for a period."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required

from billing import rating
from billing.history import forms, selectors
from switch import labels, vos
from switch.shortcuts import READS, customer_page, not_allowed
from vos3000.client.dates import moment_from_ms
from vos3000.errors import VosError


# --- History -----------------------------------------------------------------------------
def _history(request, tenant_id: int, *, template: str, read, shape):
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    if request.method not in READS:
        return not_allowed()
    form = forms.PeriodForm(request.GET or None)
    context = {"form": form, "rows": [], "history_error": ""}
    if not tenant.is_linked:
        return customer_page(request, tenant, template, context)
    period = form.period()
    if period is not None:
        context["period"] = period
        try:
            context["rows"] = [shape(r) for r in read(scope, tenant, period)]
        except VosError as exc:
            context["history_error"] = vos.describe_error(exc)
    if request.htmx and request.headers.get("HX-Target") == "history-rows":
        return customer_page(request, tenant, f"{template}#history-rows", context)
    return customer_page(request, tenant, template, context)


def _payment_row(row: dict) -> dict:
    return {
        "time": moment_from_ms(row.get("payTime")),
        "amount": rating.money_or_none(row.get("fee")),
        "type": labels.label("InfoPayHistory", "type", row.get("type")),
        "method": labels.label("InfoPayHistory", "payType", row.get("payType")),
        "type_code": row.get("type"),
        "method_code": row.get("payType"),
        "balance": rating.money_or_none(row.get("customerMoney")),
        "note": row.get("portalNote", ""),
    }


def _pay_history_with_notes(scope, tenant, period) -> list[dict]:
    return selectors.with_portal_notes(tenant, selectors.pay_history(scope, tenant, period))


def _consumption_row(row: dict) -> dict:
    return {
        "time": moment_from_ms(row.get("time")),
        "amount": rating.money_or_none(row.get("money")),
        "type": labels.label("InfoConsumption", "type", row.get("type")),
        "type_code": row.get("type"),
        "source": row.get("consumptionName") or "",
        "balance": rating.money_or_none(row.get("customerMoney")),
    }


@login_required
def customer_payments(request, tenant_id: int):
    return _history(
        request,
        tenant_id,
        template="history/payments.html",
        read=_pay_history_with_notes,
        shape=_payment_row,
    )


@login_required
def customer_consumption(request, tenant_id: int):
    return _history(
        request,
        tenant_id,
        template="history/consumption.html",
        read=selectors.consumption,
        shape=_consumption_row,
    )
