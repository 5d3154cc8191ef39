"""The API's typed shapes (pydantic, through django-ninja): they make the OpenAPI 3.1
document. Amounts are decimal strings (never floats); times are ISO 8601 in UTC."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

Account = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\w.@+-]+$")]
E164 = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z*#+]+$")]
Amount = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=4)]


class Problem(Schema):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


class FieldError(Schema):
    field: str
    message: str


Problem.model_rebuild()


class Customer(Schema):
    id: int
    account: str
    name: str
    kind: str = Field(description="customer, or reseller for a sub-reseller")
    parent_id: int | None
    locked: bool
    account_type: int
    memo: str


class CustomerPage(Schema):
    items: list[Customer]
    next_after: int | None = Field(
        description="Pass as ?after= for the next page; null on the last page"
    )


class CustomerCreate(Schema):
    account: Account
    name: Annotated[str, StringConstraints(max_length=64)] = ""
    agent_id: int | None = Field(
        None, description="The reseller to create it under; default: the key's own tenant"
    )
    fee_rate_group: Annotated[str, StringConstraints(max_length=64)] = ""
    memo: Annotated[str, StringConstraints(max_length=255)] = ""
    as_reseller: bool = False


class CustomerUpdate(Schema):
    name: Annotated[str, StringConstraints(max_length=64)] | None = None
    fee_rate_group: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    memo: Annotated[str, StringConstraints(max_length=255)] | None = None


class Balance(Schema):
    account: str
    money: str | None = Field(description="The balance VOS stated; null when it did not say")
    limit_money: str | None
    available: str | None
    read_at: datetime = Field(description="When VOS was read")


class TopUp(Schema):
    amount: Amount
    memo: Annotated[str, StringConstraints(max_length=200)] = ""


class Transfer(Schema):
    id: int
    kind: str
    state: str
    amount: str
    customer_id: int
    memo: str
    created_at: datetime


class Phone(Schema):
    e164: str
    display_number: str
    locked: bool
    memo: str


class PhoneCreate(Schema):
    e164: E164
    password: Annotated[str, StringConstraints(min_length=8, max_length=32)] | None = None
    display_number: Annotated[str, StringConstraints(max_length=64)] = ""
    memo: Annotated[str, StringConstraints(max_length=255)] = ""


class PhoneUpdate(Schema):
    display_number: Annotated[str, StringConstraints(max_length=64)] | None = None
    locked: bool | None = None
    memo: Annotated[str, StringConstraints(max_length=255)] | None = None


class PhonePassword(Schema):
    e164: str
    password: str = Field(description="Shown once")
