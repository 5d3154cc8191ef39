"""switch.labels: every value of every enum the catalog holds has words, translated into
Simplified Chinese; forms and pages get them from there."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.functional import Promise

from switch import labels
from switch.forms import CatalogForm
from vos3000 import catalog


def test_it_has_words_for_every_value_the_catalog_holds():
    missing = [
        f"{owner}.{spec.name}={key} ({meaning!r})"
        for owner, spec in labels.enums()
        for key, meaning in spec.enum.items()
        if labels.words_of(spec, key, owner) is None
    ]
    assert missing == []
    assert len(labels.enums()) > 400  # types, endpoints and pushes all counted


def test_it_fails_on_a_value_without_words():
    spec = labels.enum_field("InfoPayHistory", "payType")
    novel = type(spec)(name="payType", mo="O", type="Integer", enum={"9": "Voucher"})
    assert labels.words_of(novel, "9") is None


def test_it_words_no_value_the_catalog_does_not_hold():
    """FIELD_WORDS and the meaning tables name only what the catalog has (no stale rows)."""
    meanings = {m for _owner, spec in labels.enums() for m in spec.enum.values()}
    assert set(labels.WORDS) - meanings == set()
    assert set(labels.PROPER_NAMES) - meanings == set()
    for (owner, field), words in labels.FIELD_WORDS.items():
        assert set(words) <= set(labels.enum_field(owner, field).enum), (owner, field)


def _every_translated_label():
    yield from labels.WORDS.values()
    for words in labels.FIELD_WORDS.values():
        yield from words.values()


def test_it_translates_every_label_into_chinese():
    for words in _every_translated_label():
        assert isinstance(words, Promise), words  # translated when shown, not at import
    untranslated = []
    for words in _every_translated_label():
        with translation.override("en"):
            english = str(words)
        with translation.override("zh-hans"):
            chinese = str(words)
        if chinese == english:
            untranslated.append(english)
    assert untranslated == []


def test_it_shows_proper_names_as_they_are():
    with translation.override("zh-hans"):
        assert labels.label("InfoPhoneAdditional", "protocol", 1) == "SIP"
        assert labels.label("InfoPhoneAdditional", "sipCodecs", "audio/PCMA") == "audio/PCMA"
        # The manual's "d183+SDP" is a slip for 183+SDP.
        assert labels.label("InfoPhoneAdditional", "sipRemoteAlertingMethod", 1) == "183 + SDP"


def test_it_words_a_value_in_the_active_language():
    assert labels.label("InfoPayHistory", "payType", 2) == "Phone card"
    assert labels.label("InfoPayHistory", "type", 2) == "Account opened"
    assert labels.label("InfoAlarmCurrent", "level", 3) == "Critical"  # manual: "Critica"
    assert labels.label("InfoCdr", "endDirection", 1) == "Callee"  # manual: "Caller" twice
    assert labels.label("InfoGatewayRouting", "sipTimer", False) == "Disable SIP timer"
    with translation.override("zh-hans"):
        assert labels.label("InfoPayHistory", "payType", 2) == "电话卡"
        assert labels.label("InfoFeeRate", "type", 1) == "网内"


def test_it_shows_an_unknown_value_as_it_is():
    assert labels.label("InfoPayHistory", "payType", 7) == "7"
    assert labels.label("InfoPayHistory", "payType", 7, default="other") == "other"
    assert labels.label("InfoPayHistory", "payType", None) == ""
    with pytest.raises(KeyError):
        labels.label("InfoPayHistory", "noSuchField", 1)


def test_it_gives_form_choices_as_the_values_vos_sends():
    assert [value for value, _words in labels.choices("InfoCustomer", "type")] == [0, 1, 2]
    assert [str(w) for _v, w in labels.choices("InfoCustomer", "type")] == [
        "General",
        "Phone card",
        "Clearing",
    ]
    assert labels.choices("PhoneOnline", "online")[0][0] is True


def test_it_names_a_value_by_its_meaning():
    assert labels.value("Pay", "ownerType", "Account") == 2
    assert labels.value("InfoPayHistory", "payType", "Phone Card") == 2
    with pytest.raises(KeyError):
        labels.value("Pay", "ownerType", "Nobody")
    with pytest.raises(KeyError):  # the manual gives two values this meaning
        labels.value("InfoCdr", "endDirection", "Caller")


def test_it_puts_catalog_choices_on_forms_in_words():
    class PhoneForm(CatalogForm):
        endpoint = "CreatePhone"
        catalog_fields = ["lockType", "infoPhoneAdditional__protocol"]

    with translation.override("zh-hans"):
        form = PhoneForm()
        lock = {value: str(words) for value, words in form.fields["lockType"].choices}
        protocol = dict(form.fields["infoPhoneAdditional__protocol"].choices)
    spec = next(f for f in catalog.endpoint("CreatePhone").request if f.name == "lockType")
    assert set(lock) - {""} == {int(k) for k in spec.enum}
    assert lock[3] == "全部锁定"
    assert protocol[1] == "SIP"
