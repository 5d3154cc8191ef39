"""The catalog's loosening of field-client requests and real-server answers."""

from __future__ import annotations

import math

import pytest

from vos3000 import catalog
from vos3000.catalog import coercion
from vos3000.errors import VosValidationError


def test_it_turns_numbers_in_strings_into_numbers_for_numeric_fields():
    payload, unknown = catalog.loosen_request(
        "ModifyCustomer", {"account": "1001", "limitMoney": "500", "lockType": "1"}
    )
    assert payload == {"account": "1001", "limitMoney": 500, "lockType": 1}
    assert unknown == []
    catalog.validate_request("ModifyCustomer", payload)


def test_it_turns_booleans_into_integer_flags_and_back():
    assert coercion.as_integer(True) == 1
    assert coercion.as_integer(False) == 0
    assert coercion.as_boolean(1) is True
    assert coercion.as_boolean("false") is False
    assert coercion.as_boolean(2) == 2


def test_it_drops_unknown_request_fields_and_names_them():
    payload, unknown = catalog.loosen_request("GetAllCustomers", {"type": 1, "key": 2})
    assert payload == {"type": 1}  # type is seen in the field (catalog source "field")
    assert unknown == ["key"]


def test_it_drops_nulls_instead_of_inventing_values():
    answer = catalog.loosen_answer(
        "GetCustomer",
        {
            "retCode": "0",
            "infoCustomers": [
                {"account": 1001, "money": "12.5", "limitMoney": None, "flowExtra": "x"},
                None,
            ],
        },
    )
    assert answer == {
        "retCode": 0,
        "infoCustomers": [{"account": "1001", "money": 12.5, "flowExtra": "x"}],
    }


def test_it_leaves_what_is_not_a_number_for_validation_to_refuse():
    payload, _ = catalog.loosen_request("ModifyCustomer", {"account": "1", "limitMoney": "abc"})
    assert payload["limitMoney"] == "abc"
    with pytest.raises(VosValidationError):
        catalog.validate_request("ModifyCustomer", payload)


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "1e999", "-Infinity", "0x10", "1,5", ""])
def test_it_never_makes_a_non_finite_or_odd_number(text):
    value = coercion.as_double(text)
    assert value == text or (isinstance(value, float) and math.isfinite(value))
    assert coercion.as_double("1e999") == "1e999"


def test_it_does_not_change_the_input():
    original = {"account": "1", "limitMoney": "5"}
    catalog.loosen_request("ModifyCustomer", original)
    assert original == {"account": "1", "limitMoney": "5"}


def test_it_loosens_pushes():
    name = "CustomerMoneyChange"
    fields = catalog.PUSHES[name].request
    sample = {}
    for field in fields:
        if field.type in ("double", "Double"):
            sample[field.name] = "3.5"
    payload, _ = catalog.loosen_push(name, {**sample, "brandNewField": 1})
    assert "brandNewField" not in payload
    assert sample, "CustomerMoneyChange has money fields"
    assert all(isinstance(payload[key], float) for key in sample)
