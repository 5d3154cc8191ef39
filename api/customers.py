"""Customers, their balances and their phones, through the areas' selectors and
services and the key's Scope (a foreign id is 404, a role without the right 403)."""

from __future__ import annotations

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from accounts.models import Tenant
from accounts.roles import Action
from accounts.scope import OutOfScope
from api.problems import ApiProblem, forbidden
from api.schemas import (
    MAX_ID,
    Balance,
    Customer,
    CustomerCreate,
    CustomerPage,
    CustomerUpdate,
    Id,
    Phone,
    PhoneCreate,
    PhoneNumber,
    PhonePassword,
    PhoneUpdate,
    Problem,
)
from billing.money import services as money_services
from customers import selectors as customer_selectors
from customers import services as customer_services
from telephony.phones import selectors as phone_selectors
from telephony.phones import services as phone_services

router = Router(tags=["customers"])

READ_ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
WRITE_ERRORS = {**READ_ERRORS, 409: Problem, 502: Problem}
PAGE_MAX = 200


def need(scope, action: str) -> None:
    """A role without the right gets 403 (the object's existence is not in question)."""
    if not scope.can(action):
        raise forbidden(f"This key's role may not {action.replace('_', ' ')}.")


def as_customer(tenant: Tenant) -> dict:
    return {
        "id": tenant.pk,
        "account": tenant.vos_account,
        "name": tenant.name,
        "kind": tenant.kind,
        "parent_id": tenant.parent_id,
        "locked": bool(tenant.vos_locked),
        "account_type": int(tenant.vos_type or 0),
        "memo": tenant.vos_memo or "",
    }


def _account(request, customer_id: Id) -> Tenant:
    return request.scope.account_or_404(customer_id)


def _changeable(request, customer_id: Id) -> Tenant:
    scope = request.scope
    need(scope, Action.CHANGE)
    tenant = _account(request, customer_id)
    if not scope.manages(tenant):
        raise OutOfScope(f"tenant {tenant.pk}: not below the key's tenant")
    return tenant


class ListFilters(Schema):
    q: str = Field(
        "", max_length=100, pattern=r"^[^\x00]*$", description="Account, name or memo contains"
    )
    after: int | None = Field(
        None, ge=0, le=MAX_ID, description="The next_after of the previous page"
    )
    limit: int = Field(50, ge=1, le=PAGE_MAX)


@router.get("/customers", response={200: CustomerPage, **READ_ERRORS}, summary="List customers")
def list_customers(request, filters: Query[ListFilters]):
    """Accounts below the key's tenant (customers and sub-resellers), by id; keyset
    paging: pass ``next_after`` as ``after``."""
    rows = customer_selectors.customer_list(request.scope, q=filters.q.strip()).order_by("pk")
    if filters.after is not None:
        rows = rows.filter(pk__gt=filters.after)
    page = list(rows[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return {
        "items": [as_customer(tenant) for tenant in page],
        "next_after": page[-1].pk if more else None,
    }


@router.post("/customers", response={201: Customer, **WRITE_ERRORS}, summary="Create a customer")
def create_customer(request, body: CustomerCreate):
    scope = request.scope
    need(scope, Action.CHANGE)
    if not scope.is_provider:
        raise forbidden("Only resellers and the platform create accounts.")
    agent = scope.tenant if body.agent_id is None else scope.tenant_or_404(body.agent_id)
    if agent.kind != Tenant.Kind.RESELLER:
        raise ApiProblem(
            422,
            "invalid",
            "Invalid request",
            "Name the reseller to create the account under.",
            errors=[{"field": "agent_id", "message": "a reseller's id is required"}],
        )
    payload = {"account": body.account, "name": body.name or body.account}
    if body.fee_rate_group:
        payload["feeRateGroup"] = body.fee_rate_group
    if body.memo:
        payload["memo"] = body.memo
    tenant, _ = customer_services.create_customer(
        scope, agent=agent, payload=payload, as_reseller=body.as_reseller
    )
    return Status(201, as_customer(tenant))


@router.get(
    "/customers/{customer_id}", response={200: Customer, **READ_ERRORS}, summary="Read a customer"
)
def read_customer(request, customer_id: Id):
    return as_customer(_account(request, customer_id))


@router.patch(
    "/customers/{customer_id}",
    response={200: Customer, **WRITE_ERRORS},
    summary="Change a customer",
)
def update_customer(request, customer_id: Id, body: CustomerUpdate):
    tenant = _changeable(request, customer_id)
    payload = {}
    if body.name is not None:
        payload["name"] = body.name
    if body.memo is not None:
        payload["memo"] = body.memo
    if body.fee_rate_group is not None:
        payload["feeRateGroup"] = body.fee_rate_group
    if payload:
        customer_services.modify_customer(request.scope, tenant, payload)
        tenant.refresh_from_db()
    return as_customer(tenant)


@router.post(
    "/customers/{customer_id}/lock", response={200: Customer, **WRITE_ERRORS}, summary="Lock"
)
def lock_customer(request, customer_id: Id):
    tenant = _changeable(request, customer_id)
    customer_services.set_lock(request.scope, tenant, True)
    tenant.refresh_from_db()
    return as_customer(tenant)


@router.post(
    "/customers/{customer_id}/unlock", response={200: Customer, **WRITE_ERRORS}, summary="Unlock"
)
def unlock_customer(request, customer_id: Id):
    tenant = _changeable(request, customer_id)
    customer_services.set_lock(request.scope, tenant, False)
    tenant.refresh_from_db()
    return as_customer(tenant)


def _amount(value) -> str | None:
    return None if value is None else str(value)


@router.get(
    "/customers/{customer_id}/balance",
    response={200: Balance, **READ_ERRORS, 502: Problem},
    summary="Read a balance from VOS",
)
def read_balance(request, customer_id: Id):
    """Read from VOS now; ``read_at`` says when."""
    tenant = _account(request, customer_id)
    if not tenant.is_linked:
        raise OutOfScope(f"tenant {tenant.pk} has no VOS account")
    balance = money_services.read_balance(request.scope, tenant)
    return {
        "account": balance.account,
        "money": _amount(balance.money),
        "limit_money": _amount(balance.limit_money),
        "available": _amount(balance.available),
        "read_at": balance.read_at or timezone.now(),
    }


# --- Phones ------------------------------------------------------------------------------
def _customer(request, customer_id: Id) -> Tenant:
    tenant = request.scope.customer_or_404(customer_id)
    if not tenant.is_linked:
        raise OutOfScope(f"tenant {tenant.pk} has no VOS account")
    return tenant


def as_phone(row: dict) -> dict:
    return {
        "e164": str(row.get("e164", "")),
        "display_number": str(row.get("displayNumber") or ""),
        "locked": str(row.get("lockType", 0)) not in ("0", ""),
        "memo": str(row.get("memo") or ""),
    }


@router.get(
    "/customers/{customer_id}/phones",
    response={200: list[Phone], **READ_ERRORS, 502: Problem},
    summary="List a customer's phones",
    tags=["phones"],
)
def list_phones(request, customer_id: Id):
    tenant = _customer(request, customer_id)
    return [as_phone(row) for row in phone_selectors.phones(request.scope, tenant)]


@router.post(
    "/customers/{customer_id}/phones",
    response={201: PhonePassword, **WRITE_ERRORS},
    summary="Create a phone (its password is shown once)",
    tags=["phones"],
)
def create_phone(request, customer_id: Id, body: PhoneCreate):
    need(request.scope, Action.CHANGE)
    tenant = _customer(request, customer_id)
    fields = {"e164": body.e164}
    if body.password:
        fields["password"] = body.password
    if body.display_number:
        fields["displayNumber"] = body.display_number
    if body.memo:
        fields["memo"] = body.memo
    password = phone_services.create_phone(request.scope, tenant, fields)
    return Status(201, {"e164": body.e164, "password": password})


@router.patch(
    "/customers/{customer_id}/phones/{e164}",
    response={200: Phone, **WRITE_ERRORS},
    summary="Change a phone",
    tags=["phones"],
)
def update_phone(request, customer_id: Id, e164: PhoneNumber, body: PhoneUpdate):
    need(request.scope, Action.CHANGE)
    tenant = _customer(request, customer_id)
    phone = phone_selectors.phone_or_404(request.scope, tenant, e164)
    changes = {}
    if body.display_number is not None:
        changes["displayNumber"] = body.display_number
    if body.locked is not None:
        changes["lockType"] = 1 if body.locked else 0
    if body.memo is not None:
        changes["memo"] = body.memo
    if changes:
        phone_services.modify_phone(request.scope, tenant, phone, changes)
        phone = phone_selectors.phone_or_404(request.scope, tenant, e164)
    return as_phone(phone)


@router.post(
    "/customers/{customer_id}/phones/{e164}/reset-password",
    response={200: PhonePassword, **WRITE_ERRORS},
    summary="Give a phone a new password (shown once)",
    tags=["phones"],
)
def reset_phone_password(request, customer_id: Id, e164: PhoneNumber):
    need(request.scope, Action.CHANGE)
    tenant = _customer(request, customer_id)
    phone = phone_selectors.phone_or_404(request.scope, tenant, e164)
    password = phone_services.set_phone_password(request.scope, tenant, phone)
    return {"e164": phone["e164"], "password": password}
