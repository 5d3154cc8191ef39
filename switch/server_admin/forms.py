"""The server form of the platform's server pages: the connection settings of one VOS
server. The address (scheme, host, port) and the push token are write-only: the form
never renders them back, an empty field keeps what is stored. The push source addresses
(often the switch's own IP) are write-only too."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from switch.models import (
    EndpointSuffix,
    SipTransport,
    VosServer,
    validate_context_path,
    validate_sip_host,
    validate_vos_base_url,
)

DEFAULT_CONTEXT_PATH = "/external/server/"


def _networks(text: str) -> list[str]:
    """The push source addresses as typed (spaces or commas between), each checked."""
    entries = [part for part in text.replace(",", " ").split() if part]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValidationError(
                _("Enter IP addresses or networks (CIDR), separated by spaces or commas."),
                code="push_source_ips",
            ) from None
    return entries


class ServerForm(forms.Form):
    """Create (``instance=None``) or edit one VosServer. ``save()`` is not here: the
    services write (``switch.server_admin.services``); ``changes()`` gives them the new
    values of the fields, the stored secrets kept where nothing was typed."""

    name = forms.SlugField(
        label=_("Name"),
        max_length=50,
        help_text=_(
            "How the portal names this server. Pushes come to an address with this name: "
            "renaming it changes where VOS must push."
        ),
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=400,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Scheme, host and port, e.g. http://host:7391 for Tomcat deployments. Never "
            "shown again once saved; leave empty to keep the stored address."
        ),
    )
    context_path = forms.CharField(
        label=_("Context path"),
        max_length=100,
        initial=DEFAULT_CONTEXT_PATH,
        help_text=_("Where the interface is on the server, e.g. /external/server/."),
    )
    endpoint_suffix = forms.ChoiceField(
        label=_("Endpoint names"),
        choices=EndpointSuffix.choices,
        required=False,
        help_text=_("As in the manual, or with .jsp as some Tomcat deployments expect."),
    )
    connect_timeout = forms.FloatField(
        label=_("Connect timeout (s)"), min_value=0.1, max_value=60, initial=3.0
    )
    read_timeout = forms.FloatField(
        label=_("Read timeout (s)"), min_value=0.5, max_value=600, initial=15.0
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    push_token = forms.CharField(
        label=_("Push token"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Secret part of this server's push address. Never shown again; leave empty to "
            "keep the stored token (with none, VOS_PUSH_TOKEN is used)."
        ),
    )
    push_source_ips = forms.CharField(
        label=_("Push source addresses"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "IP addresses or networks VOS pushes come from, separated by spaces or commas. "
            "Never shown again; leave empty to keep the stored ones."
        ),
    )
    clear_push_source_ips = forms.BooleanField(
        label=_("Forget the push source addresses (accept pushes from the server's address)"),
        required=False,
    )
    sip_host = forms.CharField(
        label=_("SIP server for phones"),
        required=False,
        max_length=255,
        validators=[validate_sip_host],
        help_text=_(
            "The public host name or IP address phones register at. Customers see it with "
            "their phones' settings (it is not secret, unlike the interface address). "
            "Empty: no connection settings are shown."
        ),
    )
    sip_port = forms.IntegerField(
        label=_("SIP port"), min_value=1, max_value=65535, initial=5060, required=False
    )
    sip_transport = forms.ChoiceField(
        label=_("SIP transport"),
        choices=SipTransport.choices,
        initial=SipTransport.UDP,
        required=False,
    )

    def __init__(self, *args, instance: VosServer | None = None, **kwargs):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "context_path": instance.context_path,
                "endpoint_suffix": instance.endpoint_suffix,
                "connect_timeout": instance.connect_timeout,
                "read_timeout": instance.read_timeout,
                "enabled": instance.enabled,
                "sip_host": instance.sip_host,
                "sip_port": instance.sip_port,
                "sip_transport": instance.sip_transport,
            }
        super().__init__(*args, **kwargs)
        if instance is None:
            self.fields["address"].required = True
            self.fields["address"].help_text = _(
                "Scheme, host and port, e.g. http://host:7391 for Tomcat deployments. "
                "Never shown again once saved."
            )
            del self.fields["clear_push_source_ips"]
        elif instance.push_source_ips.strip():
            count = len(instance.push_source_ips.replace(",", " ").split())
            self.fields["push_source_ips"].help_text = _(
                "%(count)s stored, never shown again. Type new ones to replace them; leave "
                "empty to keep them."
            ) % {"count": count}
        else:
            del self.fields["clear_push_source_ips"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        taken = VosServer.objects.filter(name=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("Another server has this name."), code="unique")
        return name

    def clean_address(self):
        value = self.cleaned_data["address"]
        if not value:
            return ""
        # The messages never quote the value: it is the secret.
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 (raises ValueError on a port out of range)
        except ValueError:
            raise ValidationError(
                _("Enter an http(s) address with a host."), code="address"
            ) from None
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValidationError(_("Enter an http(s) address with a host."), code="address")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValidationError(
                _("Enter only the scheme, host and port here: the context path has its own field."),
                code="address",
            )
        if parts.username or parts.password:
            raise ValidationError(_("Enter the address without a user name."), code="address")
        return f"{parts.scheme}://{parts.netloc}"

    def clean_context_path(self):
        value = self.cleaned_data["context_path"].strip()
        if not value.startswith("/"):
            value = "/" + value
        if not value.endswith("/"):
            value += "/"
        validate_context_path(value)
        return value

    def clean_push_source_ips(self):
        return " ".join(_networks(self.cleaned_data["push_source_ips"]))

    def clean(self):
        cleaned = super().clean()
        address, path = cleaned.get("address"), cleaned.get("context_path")
        if path and (address or self.instance is not None):
            stored = self.instance.address if self.instance is not None else ""
            base_url = (address or stored) + path
            try:
                validate_vos_base_url(base_url)
            except ValidationError:
                self.add_error("context_path", _("This address and context path do not fit."))
            else:
                cleaned["base_url"] = base_url
        return cleaned

    def changes(self) -> dict:
        """The server's fields as they are to be stored (secrets kept when left empty)."""
        data = self.cleaned_data
        stored = self.instance
        source_ips = data.get("push_source_ips", "")
        if not source_ips and stored is not None and not data.get("clear_push_source_ips"):
            source_ips = stored.push_source_ips
        return {
            "name": data["name"],
            "base_url": data["base_url"],
            "endpoint_suffix": data.get("endpoint_suffix") or "",
            "connect_timeout": data["connect_timeout"],
            "read_timeout": data["read_timeout"],
            "enabled": data["enabled"],
            "push_token": data.get("push_token") or (stored.push_token if stored else ""),
            "push_source_ips": source_ips,
            "sip_host": data.get("sip_host", "").strip(),
            "sip_port": data.get("sip_port") or 5060,
            "sip_transport": data.get("sip_transport") or SipTransport.UDP,
        }

    def address_typed(self) -> bool:
        return bool(self.cleaned_data.get("address"))
