"""Forms for active phone cards, numbers bound to them, E164 converts and limited-E164
groups, generated from the catalog where VOS has a request for them."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import MinValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from switch.forms import CatalogForm
from telephony.phones.forms import e164_validator


def masked_pin(pin) -> str:
    """A card number as lists show it: the last four digits only."""
    pin = str(pin or "")
    return f"••••{pin[-4:]}" if len(pin) > 4 else "••••"


def card_choices(cards: list[dict]) -> list[tuple[str, str]]:
    return [
        (
            card["ref"],
            f"{masked_pin(card['pin'])}{' · ' + card['memo'] if card.get('memo') else ''}",
        )
        for card in cards
    ]


# --- Active phone cards ------------------------------------------------------------------
class CardCreateForm(CatalogForm):
    endpoint = "CreateActivePhoneCard"
    catalog_fields = ["pin", "password", "displayE164", "bindLimit", "memo"]
    labels = {
        "pin": _("Card number (PIN)"),
        "password": _("Card password"),
        "displayE164": _("Display number"),
        "bindLimit": _("Numbers that may be bound at most (0: no limit)"),
        "memo": _("Memo"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pin"].validators.append(e164_validator)
        self.fields["bindLimit"].validators.append(MinValueValidator(0))
        self.fields["bindLimit"].widget.attrs["min"] = 0
        password = self.fields["password"]
        password.widget = forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password"}
        )
        password.help_text = _("Leave blank to have VOS make one; it is shown once.")


class CardEditForm(CatalogForm):
    endpoint = "ModifyActivePhoneCard"
    catalog_fields = ["displayE164", "bindLimit", "memo", "password"]
    labels = {
        "displayE164": _("Display number"),
        "bindLimit": _("Numbers that may be bound at most (0: no limit)"),
        "memo": _("Memo"),
        "password": _("New card password"),
    }
    omit_blank = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bindLimit"].validators.append(MinValueValidator(0))
        self.fields["bindLimit"].widget.attrs["min"] = 0
        password = self.fields["password"]
        password.widget = forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password"}
        )
        password.help_text = _("Leave blank to keep the current one.")

    def to_payload(self) -> dict:
        payload = super().to_payload()
        if not payload.get("password"):
            payload.pop("password", None)
        return payload


# --- Numbers bound to cards --------------------------------------------------------------
class BindingCreateForm(CatalogForm):
    endpoint = "CreateBindedE164"
    catalog_fields = ["e164", "displayE164", "rewriteRulesOutCallee", "language", "memo"]
    labels = {
        "e164": _("Number to bind (the caller's number)"),
        "displayE164": _("Display number"),
        "rewriteRulesOutCallee": _("Rewrite the callee of outgoing calls"),
        "language": _("Language of the prompts"),
        "memo": _("Memo"),
    }

    def __init__(self, *args, cards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["e164"].validators.append(e164_validator)
        self.fields = {
            "card": forms.ChoiceField(label=_("Card"), choices=card_choices(list(cards))),
            **self.fields,
        }


class BindingEditForm(CatalogForm):
    endpoint = "ModifyBindedE164"
    catalog_fields = ["displayE164", "rewriteRulesOutCallee", "language", "memo"]
    labels = BindingCreateForm.labels
    omit_blank = False

    def __init__(self, *args, cards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "card": forms.ChoiceField(label=_("Bound to card"), choices=card_choices(list(cards))),
            **self.fields,
        }


# --- E164 converts -----------------------------------------------------------------------
_CONVERT_LABELS = {
    "mappingGatewayCallerE164": _("Caller arriving from a mapping gateway"),
    "routingGatewayCalleeE164": _("Number sent out through routing gateways"),
    "memo": _("Memo"),
}


class ConvertCreateForm(CatalogForm):
    endpoint = "CreateE164Convert"
    catalog_fields = ["mappingGatewayCallerE164", "routingGatewayCalleeE164", "memo"]
    labels = _CONVERT_LABELS

    def __init__(self, *args, phones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["memo"].required = False
        for name in ("mappingGatewayCallerE164", "routingGatewayCalleeE164"):
            self.fields[name].max_length = 64
            self.fields[name].validators.append(e164_validator)
        self.fields = {
            "phone": forms.ChoiceField(
                label=_("Phone"), choices=[(p["e164"], p["e164"]) for p in phones]
            ),
            **self.fields,
        }

    def to_payload(self) -> dict:
        payload = super().to_payload()
        payload.setdefault("memo", "")  # mandatory in the manual, may be blank
        return payload


class ConvertEditForm(CatalogForm):
    endpoint = "ModifyE164Convert"
    catalog_fields = ["mappingGatewayCallerE164", "routingGatewayCalleeE164", "memo"]
    labels = _CONVERT_LABELS
    required_fields = {"mappingGatewayCallerE164", "routingGatewayCalleeE164"}
    omit_blank = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("mappingGatewayCallerE164", "routingGatewayCalleeE164"):
            self.fields[name].max_length = 64
            self.fields[name].validators.append(e164_validator)


# --- Limited-E164 groups -----------------------------------------------------------------
GROUP_NAME_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"


MAX_NUMBERS = 500


_LINE = re.compile(r"^\s*([0-9+*#]{1,64})\s*(?:[,;\t]\s*(.*?))?\s*$")


def parse_numbers(text: str) -> list[tuple[str, str]]:
    """Lines of "number" or "number, memo" -> [(number, memo)]; ValidationError naming
    the first bad line."""
    numbers: dict[str, str] = {}
    for index, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if not match or len(match.group(2) or "") > 255:
            raise forms.ValidationError(
                _("Line %(line)d is not a number (with an optional memo after a comma)."),
                params={"line": index},
            )
        numbers[match.group(1)] = match.group(2) or ""
    if len(numbers) > MAX_NUMBERS:
        raise forms.ValidationError(
            _("At most %(max)d numbers at a time."), params={"max": MAX_NUMBERS}
        )
    return list(numbers.items())


class NumbersField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 6})

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", _("One number per line; a memo may follow a comma: 4420712345, office.")
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        numbers = parse_numbers(value or "")
        if self.required and not numbers:
            raise forms.ValidationError(_("Enter at least one number."))
        return numbers


class LimitedGroupForm(forms.Form):
    owner = forms.ChoiceField(label=_("Owner"))
    name = forms.CharField(
        label=_("Group name"),
        max_length=64,
        validators=[
            RegexValidator(
                GROUP_NAME_PATTERN, _("Use letters, digits, '.', '_' and '-' (at most 64).")
            )
        ],
        help_text=_(
            "A reseller's groups are named in VOS with its account first (account:name), "
            "so they never clash with another reseller's."
        ),
    )
    memo = forms.CharField(label=_("Memo"), max_length=255, required=False)
    numbers = NumbersField(label=_("Numbers"))

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = list(owners)
        if len(self.fields["owner"].choices) == 1:
            self.fields["owner"].initial = self.fields["owner"].choices[0][0]


class LimitedNumbersForm(forms.Form):
    numbers = NumbersField(label=_("Add numbers"))
