"""The gateway forms are the catalog's Create/Modify requests, every field in exactly one
section: a field the catalog gains cannot drop off the page unnoticed."""

from __future__ import annotations

import pytest

from telephony.gateways import forms as gateway_forms
from telephony.gateways.forms import (
    FIELD_LABELS,
    FIELD_SECTIONS,
    SECTIONS,
    SPECIAL_WORDS,
    form_class,
)
from telephony.gateways.selectors import KINDS
from vos3000 import catalog

ENDPOINTS = [
    "CreateGatewayMapping",
    "ModifyGatewayMapping",
    "CreateGatewayRouting",
    "ModifyGatewayRouting",
]


def request_field_names(endpoint):
    return [f.name for f in catalog.endpoint(endpoint).request]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_puts_every_request_field_in_exactly_one_known_section(endpoint):
    names = request_field_names(endpoint)
    assert len(names) == len(set(names))
    missing = [name for name in names if name not in FIELD_SECTIONS]
    assert not missing, f"{endpoint}: fields without a section: {missing}"
    known = {key for key, _label in SECTIONS}
    assert {FIELD_SECTIONS[name] for name in names} <= known


def test_it_names_no_field_the_catalog_does_not_have():
    everything = {name for endpoint in ENDPOINTS for name in request_field_names(endpoint)}
    assert set(FIELD_SECTIONS) == everything


def test_it_puts_every_field_in_the_portals_words():
    """The manual's descriptions are English (or only the field's name): every field has
    a translated label, and every special value's meaning has words."""
    everything = {name for endpoint in ENDPOINTS for name in request_field_names(endpoint)}
    assert set(FIELD_LABELS) == everything
    meanings = {
        meaning
        for endpoint in ENDPOINTS
        for spec in catalog.endpoint(endpoint).request
        for meaning in (spec.special or {}).values()
    }
    assert meanings <= set(SPECIAL_WORDS)


def test_it_needs_no_other_section():
    assert [key for key, _label in SECTIONS] == [
        "basic",
        "capacity",
        "numbers",
        "media",
        "sip",
        "h323",
        "codecs",
        "lrn",
    ]


@pytest.mark.parametrize("kind", KINDS.values(), ids=lambda k: k.key)
@pytest.mark.parametrize("edit", [False, True])
def test_it_shows_every_field_of_the_request_once_in_the_sections(kind, edit):
    endpoint = kind.modify if edit else kind.create
    form = form_class(kind, edit=edit)(accounts=[("acme", "Acme (acme)")])
    shown = [bound.name for section in form.sections() for bound in section["fields"]]
    assert sorted(shown) == sorted(request_field_names(endpoint))
    assert len(shown) == len(set(shown))


def test_it_refuses_to_build_a_form_for_a_field_without_a_section(monkeypatch):
    monkeypatch.delitem(FIELD_SECTIONS, "sipTimer")
    with pytest.raises(KeyError):
        gateway_forms._form_class(KINDS["routing"], "CreateGatewayRouting", edit=False)


def test_it_hides_passwords_and_keeps_them_when_left_blank_on_an_edit():
    kind = KINDS["routing"]
    cls = form_class(kind, edit=True)
    initial = cls.initial_from({"name": "gw", "password": "s3cret", "capacity": 5})
    assert "password" not in initial
    form = cls({"capacity": "7", "password": ""}, initial=initial)
    assert form.is_valid(), form.errors
    payload = form.to_payload()
    assert payload["name"] == "gw" and payload["capacity"] == 7 and "password" not in payload
    assert "s3cret" not in form.as_div()
