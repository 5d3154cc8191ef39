"""The form that makes an API key."""

from __future__ import annotations

import ipaddress

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from web.widgets import DateTimeInput

MAX_IPS = 20


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    role = forms.ChoiceField(label=_("Role"))
    access = forms.ChoiceField(
        label=_("Access"),
        choices=[("read", _("Read only")), ("write", _("Read and write"))],
        initial="read",
        help_text=_("A read-only key may read but never change anything."),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Leave blank for a key that does not expire."),
    )
    allowed_ips = forms.CharField(
        label=_("Allowed source addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address or network (CIDR) per line; blank allows any."),
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]

    @property
    def key_fields(self) -> dict:
        """The cleaned form as ``services.create_key`` takes it."""
        data = dict(self.cleaned_data)
        data["read_only"] = data.pop("access") != "write"
        return data

    def clean_expires_at(self):
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return value

    def clean_allowed_ips(self):
        lines = [line.strip() for line in self.cleaned_data.get("allowed_ips", "").splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_IPS:
            raise forms.ValidationError(
                _("At most %(count)s addresses or networks.") % {"count": MAX_IPS}
            )
        for line in lines:
            try:
                ipaddress.ip_network(line, strict=False)
            except ValueError:
                raise forms.ValidationError(
                    _("%(value)s is not an address or a network.") % {"value": line}
                ) from None
        return "\n".join(lines)
