from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Tenant
from telephony.models import VosServer


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
