"""Bad input never reaches arithmetic: NaN, Infinity, exponents, too many decimals,
negatives, "-0", "1,5", 20 digits, other scripts' digits and over-limit amounts are form
errors on every money form, never a 500, with nothing saved and no VOS write.

``MONEY_FORMS`` below lists every form with a number field that holds money; ``NOT_MONEY``
the number fields that do not. ``test_every_number_field_is_listed`` walks every forms
module of the portal and fails when a new DecimalField/FloatField (or a catalog double)
appears in neither list."""

from __future__ import annotations

import importlib
import inspect
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from alerts.models import AlertSettings
from billing.models import MoneySettings, MoneyTransfer, PaymentAccount
from switch.forms import CatalogForm, catalog_field
from vos3000.catalog.model import DOUBLE_TYPES

# Hostile for every money field, whatever its range.
HOSTILE = [
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e999",
    "1E2",
    "1e-2",
    "0.001",
    "-5",
    "-0",
    "1,5",
    "1 000",
    "0x10",
    "1_000",
    "12345678901234567890",
    "٣",  # an Arabic-Indic three: Decimal() would take it
    "5..5",
    "+-1",
]

# Hostile where the amount moves money (or bounds what may move): nothing.
ZERO = ["0", "0.00"]

# Over the platform's largest single amount (5000 by default): refused by the service.
OVER_LIMIT = ["5000.01", "9999999999.99"]

# Fields where zero means nothing at all and is refused too.
NOT_ZERO = {"amount", "max_per_transaction", "max_per_day"}


# The phone-card page has no amount (the card's value comes from VOS): its PIN is
# digits (spaces and dashes between them allowed), so every value that is not is refused
# before the switch is asked about the card.
def _card_number(value: str) -> bool:
    digits = value.replace("-", "").replace(" ", "")
    return digits.isascii() and digits.isdigit()


PIN_HOSTILE = [v for v in HOSTILE if not _card_number(v)]


def hostile_for(field: str) -> list[str]:
    if field == "pin":
        return PIN_HOSTILE
    return [*HOSTILE, *ZERO] if field in NOT_ZERO else HOSTILE


# (module, form class, init kwargs, money fields): every form holding an amount.
MONEY_FORMS = [
    ("billing.money.forms", "TopupForm", {}, ["amount"]),
    ("billing.money.forms", "AdjustForm", {}, ["amount"]),
    ("billing.money.forms", "TakeBackForm", {}, ["amount"]),
    (
        "billing.money.forms",
        "MoneySettingsForm",
        {},
        ["max_per_transaction", "max_per_day", "low_balance_threshold"],
    ),
    (
        "billing.payments.forms",
        "AmountForm",
        {"account": PaymentAccount(min_amount=Decimal("1"), max_amount=Decimal("500"))},
        ["amount"],
    ),
    (
        "billing.payments.forms",
        "PaymentAccountForm",
        {},
        ["min_amount", "max_amount", "fee_percent", "fee_fixed"],
    ),
    ("alerts.forms", "ThresholdForm", {}, ["low_balance_threshold"]),
    ("customers.forms", "CustomerCreateForm", {"may_set_overdraft": True}, ["limitMoney"]),
    ("customers.forms", "CustomerEditForm", {"may_set_overdraft": True}, ["limitMoney"]),
    ("billing.tariffs.forms", "SuiteForm", {}, ["rentFee", "giftMoney"]),
    ("customers.bulk.forms", "BulkActionForm", {}, ["amount"]),
    (
        "telephony.phones.forms",
        "PhoneSettingsForm",
        {"visible_groups": ("basic", "limits", "value_added"), "editable": None},
        ["monthlyRentFee", "monthlyMoneyMaximum", "monthlyMoneyMinimum"],
    ),
]

# Number fields that are not money (each says why).
NOT_MONEY = {
    # Seconds of a connection timeout.
    ("switch.server_admin.forms", "connect_timeout"),
    ("switch.server_admin.forms", "read_timeout"),
    # An alarm's measured value and its bounds (call counts, ratios).
    ("alerts.forms", "value"),
    ("alerts.forms", "upper"),
    ("alerts.forms", "lower"),
}


def _leaf(name: str) -> str:
    return name.split("__")[-1]


def _form(module: str, name: str, kwargs: dict, data: dict):
    cls = getattr(importlib.import_module(module), name)
    kwargs = dict(kwargs)
    if kwargs.get("editable", 0) is None:
        kwargs["editable"] = frozenset(cls.catalog_fields)
    return cls(data=data, **kwargs)


def _money_paths(form, leaves: list[str]) -> list[str]:
    return [name for name in form.fields if _leaf(name) in leaves]


# --- Every money form, at the form ----------------------------------------------------------
@pytest.mark.parametrize(("module", "name", "kwargs", "fields"), MONEY_FORMS)
def test_it_refuses_hostile_amounts_on_every_money_form(module, name, kwargs, fields):
    paths = _money_paths(_form(module, name, kwargs, {}), fields)
    assert sorted({_leaf(p) for p in paths}) == sorted(fields), f"{name} lost a money field"
    for path in paths:
        for value in hostile_for(_leaf(path)):
            form = _form(module, name, kwargs, {path: value})
            assert not form.is_valid()
            assert path in form.errors, (name, path, value, form.errors)


@pytest.mark.parametrize(("module", "name", "kwargs", "fields"), MONEY_FORMS)
def test_it_still_takes_plain_amounts(module, name, kwargs, fields):
    form = _form(module, name, kwargs, {})
    for path in _money_paths(form, fields):
        for value in ("20", "20.5", "20.50", " 7.25 "):
            bound = _form(module, name, kwargs, {path: value})
            bound.is_valid()
            assert path not in bound.errors, (name, path, value, bound.errors)
            assert bound.cleaned_data[path] == Decimal(value.strip())


def _project_form_modules():
    root = Path(django_settings.BASE_DIR)
    for path in sorted(root.rglob("forms.py")):
        relative = path.relative_to(root)
        if relative.parts[0].startswith(".") or "tests" in relative.parts:
            continue
        if relative.parts[0] in {"var", "node_modules", "static"}:
            continue
        yield ".".join(relative.with_suffix("").parts)


def test_every_number_field_is_listed():
    listed = {
        (module, _leaf(field)) for module, _name, _kwargs, fields in MONEY_FORMS for field in fields
    }
    unlisted = []
    for module_name in _project_form_modules():
        module = importlib.import_module(module_name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module_name:
                continue
            numbers = [
                name
                for name, field in cls.base_fields.items()
                if isinstance(field, forms.DecimalField | forms.FloatField)
            ]
            if issubclass(cls, CatalogForm) and cls.endpoint:
                numbers += [
                    path
                    for path in cls.catalog_fields
                    if catalog_field(cls.endpoint, path).type in DOUBLE_TYPES
                ]
            for name in numbers:
                key = (module_name, _leaf(name))
                if key not in listed and key not in NOT_MONEY:
                    unlisted.append(f"{module_name}.{cls.__name__}.{name}")
    assert not unlisted, (
        "New number fields: add them to MONEY_FORMS (and the money pages below) or to "
        f"NOT_MONEY: {sorted(set(unlisted))}"
    )


# --- Over HTTP: form errors, 0 5xx, nothing saved, no VOS write -----------------------------
WRITES = ("Pay", "PayByPhoneCard", "ModifyCustomer", "CreateCustomer", "GetPhoneCard")


def _writes(sim) -> int:
    counts = sim.control("stats")["requests"]
    return sum(counts.get(name, 0) for name in WRITES)


@pytest.fixture
def people(demo_vos_server):
    server = demo_vos_server
    globaltel = ResellerFactory(name="GlobalTel", server=server, vos_account="globaltel")
    manila = TenantFactory(
        name="Manila BPO", parent=globaltel, server=server, vos_account="manila-bpo"
    )
    return {
        "server": server,
        "manila": manila,
        "reseller": UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER),
        "customer": UserFactory(tenant=manila, role=Role.CUSTOMER_OWNER),
        "admin": AdminFactory(),
    }


def _pages(people):
    manila = people["manila"].pk
    return [
        # (who, url name, args, field, other fields, over-limit values)
        ("reseller", "money_topup", [manila], "amount", {"key": "k" * 20}, OVER_LIMIT),
        ("reseller", "money_take_back", [manila], "amount", {"key": "k" * 20}, OVER_LIMIT),
        (
            "admin",
            "money_adjust",
            [manila],
            "amount",
            {"key": "k" * 20, "direction": "credit", "memo": "x"},
            OVER_LIMIT,
        ),
        (
            "admin",
            "money_settings",
            [],
            "max_per_transaction",
            {"max_per_day": "100", "low_balance_threshold": "5"},
            [],
        ),
        (
            "admin",
            "money_settings",
            [],
            "max_per_day",
            {"max_per_transaction": "100", "low_balance_threshold": "5"},
            [],
        ),
        (
            "admin",
            "money_settings",
            [],
            "low_balance_threshold",
            {"max_per_transaction": "100", "max_per_day": "100"},
            [],
        ),
        ("customer", "money_pin_topup", [manila], "pin", {"password": "1", "key": "k" * 20}, []),
        ("reseller", "customer_alerts", [manila], "low_balance_threshold", {}, []),
        ("reseller", "customer_edit", [manila], "limitMoney", {"name": "Manila BPO"}, []),
    ]


def _field_refused(response, field: str) -> bool:
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            if isinstance(value, forms.BaseForm) and field in value.fields:
                return field in value.errors
    return False


def test_it_answers_hostile_amounts_with_form_errors_on_every_money_page(
    people, portal_sim, client, settings
):
    settings.REAUTH_MONEY_ABOVE = Decimal("100000000000")  # no password page here
    MoneySettings.current()
    before = MoneySettings.objects.values().get()
    writes = _writes(portal_sim)
    failures = []
    for who, url_name, args, field, extra, over_limit in _pages(people):
        client.force_login(people[who])
        url = reverse(url_name, args=args)
        for value in hostile_for(field):
            cache.clear()  # the phone-card page counts attempts
            response = client.post(url, {**extra, field: value})
            if response.status_code != 200 or not _field_refused(response, field):
                failures.append((url_name, field, value, response.status_code))
        for value in over_limit:
            response = client.post(url, {**extra, field: value})
            refused = response.status_code == 200 and "The most you can move at once" in (
                response.text
            )
            if not refused:
                failures.append((url_name, field, value, response.status_code))
    assert not failures, failures
    assert MoneyTransfer.objects.count() == 0
    assert MoneySettings.objects.values().get() == before
    assert not AlertSettings.objects.exists()
    assert _writes(portal_sim) == writes


def test_it_never_asks_the_password_again_for_an_amount_it_refuses(people, client, settings):
    """An unreadable amount moves nothing: the form says so (before, NaN asked for the
    password, and once reached arithmetic)."""
    settings.REAUTH_MONEY_ABOVE = Decimal("100")
    client.force_login(people["reseller"])
    for name in ("money_topup", "money_take_back"):
        url = reverse(name, args=[people["manila"].pk])
        for value in ("NaN", "Infinity", "1e999"):
            response = client.post(url, {"amount": value, "key": "k" * 20})
            assert response.status_code == 200 and "such as 20 or 20.50" in response.text
