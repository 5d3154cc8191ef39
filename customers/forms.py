"""Forms of the customer pages. The VOS fields come from the catalog
(``switch.forms``): lengths, allowed values and mandatory fields are the
manual's; the portal only narrows them (fee rate groups to the reseller's grants, no
opening balance, overdraft only for people who may move money)."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tenant
from switch import labels as enum_labels
from switch.forms import CatalogForm
from switch.models import VosServer
from vos3000.client import ms_from_datetime
from web.widgets import DateTimeInput

PAGE_SIZES = (25, 50, 100)


ADDITIONAL = [
    "infoCustomerAdditional__companyName",
    "infoCustomerAdditional__linkMan",
    "infoCustomerAdditional__telephone",
    "infoCustomerAdditional__fax",
    "infoCustomerAdditional__email",
    "infoCustomerAdditional__emailCc",
    "infoCustomerAdditional__emailBcc",
    "infoCustomerAdditional__address",
    "infoCustomerAdditional__postCode",
    "infoCustomerAdditional__cardType",
    "infoCustomerAdditional__cardNumber",
    "infoCustomerAdditional__bank",
    "infoCustomerAdditional__reportType",
]


LABELS = {
    "account": _("Account"),
    "name": _("Name"),
    "limitMoney": _("Overdraft limit"),
    "feeRateGroup": _("Fee rate group"),
    "type": _("Account type"),
    "lockType": _("Lock"),
    "phoneBookLimit": _("Phone book entries allowed"),
    "memo": _("Memo"),
    "infoCustomerAdditional__companyName": _("Company name"),
    "infoCustomerAdditional__linkMan": _("Contact person"),
    "infoCustomerAdditional__telephone": _("Telephone"),
    "infoCustomerAdditional__fax": _("Fax"),
    "infoCustomerAdditional__email": _("Email"),
    "infoCustomerAdditional__emailCc": _("Email CC"),
    "infoCustomerAdditional__emailBcc": _("Email BCC"),
    "infoCustomerAdditional__address": _("Address"),
    "infoCustomerAdditional__postCode": _("Post code"),
    "infoCustomerAdditional__cardType": _("Identity document"),
    "infoCustomerAdditional__cardNumber": _("Document number"),
    "infoCustomerAdditional__bank": _("Bank account"),
    "infoCustomerAdditional__reportType": _("Reports by email"),
}


class CustomerSearchForm(forms.Form):
    """The list's search, filters, sort and page size (a GET form; htmx submits it as
    you type)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Account, name or memo"), "type": "search"}),
    )
    locked = forms.BooleanField(label=_("Locked only"), required=False)
    low = forms.BooleanField(label=_("Low balance"), required=False)
    type = forms.TypedChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *enum_labels.choices("InfoCustomer", "type")],
        coerce=int,
        empty_value=None,
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("account", _("Account A to Z")),
            ("-account", _("Account Z to A")),
            ("name", _("Name A to Z")),
            ("-name", _("Name Z to A")),
            ("balance", _("Balance, lowest first")),
            ("-balance", _("Balance, highest first")),
        ],
    )
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        choices=[(n, n) for n in PAGE_SIZES],
        coerce=int,
        empty_value=PAGE_SIZES[0],
    )

    def values(self) -> dict:
        """Cleaned values with defaults (an invalid value falls back to its default)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "q": (data.get("q") or "").strip(),
            "locked": bool(data.get("locked")),
            "low": bool(data.get("low")),
            "account_type": data.get("type"),
            "sort": data.get("sort") or "account",
            "per_page": data.get("per_page") or PAGE_SIZES[0],
        }


class _CustomerFields(CatalogForm):
    """What create and edit share: fee rate groups limited to ``groups``, overdraft only
    with ``may_set_overdraft``."""

    labels = LABELS

    def __init__(self, *args, groups=(), may_set_overdraft=False, current_group="", **kwargs):
        super().__init__(*args, **kwargs)
        if "feeRateGroup" in self.fields:
            allowed = list(groups)
            if current_group and current_group not in allowed:
                # Set by someone above: kept as it is, not offered for others.
                allowed.append(current_group)
            self.fields["feeRateGroup"] = forms.ChoiceField(
                label=LABELS["feeRateGroup"],
                required=False,
                choices=[("", _("— none —")), *[(g, g) for g in allowed]],
                help_text=_("Only the fee rate groups granted to you are offered."),
            )
        if "limitMoney" in self.fields:
            field = self.fields["limitMoney"]
            field.min_value = 0
            field.widget.attrs["min"] = "0"
            if not may_set_overdraft:
                field.disabled = True
                field.help_text = _("Only people who may move money set the overdraft.")
            else:
                field.help_text = _("How far below zero this account may spend.")

    def clean_limitMoney(self):
        value = self.cleaned_data.get("limitMoney")
        if value is not None and value < 0:
            raise forms.ValidationError(_("The overdraft cannot be negative."))
        return value


def _datetime_field(label, required=False, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=DateTimeInput(),
        help_text=help_text,
    )


class CustomerCreateForm(_CustomerFields):
    endpoint = "CreateCustomer"
    catalog_fields = [
        "account",
        "name",
        "type",
        "feeRateGroup",
        "limitMoney",
        "lockType",
        "phoneBookLimit",
        "memo",
        *ADDITIONAL,
    ]
    required_fields = {"name"}

    def __init__(self, *args, agents=None, default_agent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].validators.append(
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9._@-]*$",
                _("Use letters, digits and . _ @ - only, starting with a letter or digit."),
            )
        )
        self.fields["account"].help_text = _(
            "The account's name in VOS; it cannot be changed later. The new account "
            "starts with a zero balance: money is added with a top-up, which the "
            "ledger records."
        )
        self.fields["valid_until"] = _datetime_field(
            _("Valid until"),
            help_text=_("Leave empty for the switch's default. In your time zone."),
        )
        self.fields["is_reseller"] = forms.BooleanField(
            label=_("This is a sub-reseller (it will have accounts of its own)"),
            required=False,
        )
        agents = list(agents or [])
        self.agents = {str(agent.pk): agent for agent in agents}
        self.fields["agent"] = forms.ChoiceField(
            label=_("Agent (reseller above the new account)"),
            choices=[(str(a.pk), f"{a.name} ({a.vos_account})") for a in agents],
        )
        if len(agents) == 1:
            default_agent = agents[0]
            self.fields["agent"].widget = forms.HiddenInput()
        if default_agent is not None and str(default_agent.pk) in self.agents:
            # Left out of a post: the user's own reseller account.
            self.default_agent = default_agent
            self.fields["agent"].initial = str(default_agent.pk)
            self.fields["agent"].required = False
        else:
            self.default_agent = None
        # The agent first: it decides the server the account is made on.
        self.order_fields(["agent", *self.catalog_fields, "valid_until", "is_reseller"])

    def clean_valid_until(self):
        value = self.cleaned_data.get("valid_until")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return value

    def agent(self) -> Tenant:
        chosen = self.cleaned_data.get("agent")
        return self.agents[chosen] if chosen else self.default_agent

    def to_payload(self) -> dict:
        payload = super().to_payload()
        payload.pop("money", None)
        if self.cleaned_data.get("valid_until"):
            payload["validTime"] = ms_from_datetime(self.cleaned_data["valid_until"])
        if self.fields["limitMoney"].disabled:
            payload.pop("limitMoney", None)
        return payload


class CustomerEditForm(_CustomerFields):
    endpoint = "ModifyCustomer"
    catalog_fields = [
        "name",
        "type",
        "feeRateGroup",
        "limitMoney",
        "phoneBookLimit",
        "memo",
        *ADDITIONAL,
    ]
    required_fields = {"name"}
    # Edit sends every field, blank ones as "": clearing a memo clears it in VOS.
    omit_blank = False

    def to_payload(self) -> dict:
        payload = super().to_payload()
        if self.fields["limitMoney"].disabled:
            payload.pop("limitMoney", None)
        return payload


class ValidTimeForm(forms.Form):
    valid_until = _datetime_field(
        _("Valid until"), required=True, help_text=_("In your time zone.")
    )


class TenantSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=64)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("", _("All")),
            *[(k, label) for k, label in Tenant.Kind.choices if k != "platform"],
        ],
    )


class TenantLinkForm(forms.Form):
    """Bind an existing VOS account to a new reseller or customer tenant."""

    server = forms.ModelChoiceField(
        label=_("VOS server"), queryset=VosServer.objects.filter(enabled=True)
    )
    vos_account = forms.CharField(label=_("VOS account"), max_length=64)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k, label) for k, label in Tenant.Kind.choices if k != Tenant.Kind.PLATFORM],
    )
