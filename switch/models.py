from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# A context path: segments of letters, digits, "_", "-", "." between slashes, never ".."
# (``/external/server/``, ``/external_new/server/``).
_CONTEXT_PATH = re.compile(r"/(?:[A-Za-z0-9_\-.~]+/)+")


def _is_context_path(value: str) -> bool:
    return bool(_CONTEXT_PATH.fullmatch(value or "")) and not re.search(r"/\.{1,2}/", value)


def validate_context_path(value: str) -> None:
    if not _is_context_path(value):
        raise ValidationError(
            _("Enter a context path between slashes, e.g. /external/server/."),
            code="context_path",
        )


def validate_vos_base_url(value: str) -> None:
    """The stored base URL: an http(s) address with a host, then the context path.
    Deployments differ in the context path (``/external/server/``,
    ``/external_new/server/``...): any path of plain segments ending with a slash."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError on a port that is not one)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError(_("Enter an http(s) URL with a host."))
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError(_("Enter the address without user, query or fragment."))
    if not _is_context_path(parts.path):
        raise ValidationError(_("The URL must end with the context path, e.g. /external/server/."))


def split_base_url(base_url: str) -> tuple[str, str]:
    """``http://host:port/external/server/`` -> (``http://host:port``, ``/external/server/``)."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}", parts.path or "/"


class EndpointSuffix(models.TextChoices):
    """How endpoint names appear in the URL: as in the manual, or with ``.jsp`` (Tomcat
    deployments seen in the field, often on port 7391)."""

    PLAIN = "", _("plain (…/server/GetCustomer)")
    JSP = ".jsp", _(".jsp (…/server/GetCustomer.jsp)")


class SipTransport(models.TextChoices):
    UDP = "udp", "UDP"
    TCP = "tcp", "TCP"
    TLS = "tls", "TLS"


SIP_HOST_NAME = re.compile(r"^(?=.{1,255}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


def validate_sip_host(value: str) -> None:
    """A host name or an IP address: no scheme, port, path or user."""
    if value and not (SIP_HOST_NAME.match(value) or _is_ip(value)):
        raise ValidationError(
            _("Enter a host name or an IP address only, e.g. sip.example.com."), code="sip_host"
        )


class VosServer(models.Model):
    """A VOS3000 server the portal talks to. Its address is entered by admins, stored
    here, and never rendered back in full: pages show ``masked_url``."""

    name = models.SlugField(_("name"), max_length=50, unique=True)
    # The address and the context path together; admins enter them apart (the address
    # write-only) in the server pages (switch.server_admin), see ``address`` and
    # ``context_path``.
    base_url = models.CharField(_("base URL"), max_length=500, validators=[validate_vos_base_url])
    endpoint_suffix = models.CharField(
        _("endpoint names"),
        max_length=8,
        blank=True,
        default=EndpointSuffix.PLAIN,
        choices=EndpointSuffix.choices,
    )
    connect_timeout = models.FloatField(
        _("connect timeout (s)"),
        default=3.0,
        validators=[MinValueValidator(0.1), MaxValueValidator(60)],
    )
    read_timeout = models.FloatField(
        _("read timeout (s)"),
        default=15.0,
        validators=[MinValueValidator(0.5), MaxValueValidator(600)],
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # Section-3 pushes: VOS cannot authenticate itself, so its pushes are accepted only
    # from these source addresses and on a secret path (telephony.push_receiver).
    push_token = models.CharField(
        _("push token"),
        max_length=128,
        blank=True,
        help_text=_("Secret part of this server's push address; empty: VOS_PUSH_TOKEN."),
    )
    push_source_ips = models.CharField(
        _("push source addresses"),
        max_length=500,
        blank=True,
        help_text=_(
            "IP addresses or networks (CIDR), separated by spaces or commas, that VOS "
            "pushes come from; empty: the address of the base URL when it is an IP."
        ),
    )
    # Where phones register (SIP signalling), shown to customers with each phone's
    # settings. Not the interface address above, which no page ever shows: admins enter
    # the public name the phones use.
    sip_host = models.CharField(
        _("SIP server for phones"),
        max_length=255,
        blank=True,
        validators=[validate_sip_host],
        help_text=_(
            "The public host name or IP address phones register at, shown to customers "
            "with their phones' settings. Empty: phone pages show no connection settings."
        ),
    )
    sip_port = models.PositiveIntegerField(
        _("SIP port"), default=5060, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    sip_transport = models.CharField(
        _("SIP transport"), max_length=3, choices=SipTransport.choices, default=SipTransport.UDP
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "telephony_vosserver"  # kept from before the move (docs/architecture.md)
        ordering = ["name"]
        verbose_name = _("VOS server")
        verbose_name_plural = _("VOS servers")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_url(self) -> str:
        """The scheme only: admins know servers by name; nothing here to connect to."""
        return f"{urlsplit(self.base_url).scheme}://••••••"

    @property
    def address(self) -> str:
        """Scheme, host and port (secret: never rendered)."""
        return split_base_url(self.base_url)[0]

    @property
    def context_path(self) -> str:
        """The path of the interface on the server (``/external/server/``)."""
        return split_base_url(self.base_url)[1]

    def connection_settings(self) -> tuple:
        """Everything a client is built from: ``switch.vos.client_for`` builds a new one
        when any of it changes."""
        return (self.base_url, self.endpoint_suffix, self.connect_timeout, self.read_timeout)


# --- Live state: VOS pushes, live calls, online phones, alarms (issue 7) -------------------
class PushInbox(models.Model):
    """A section-3 message as VOS pushed it, written before the receiver answers so that
    none is lost if the broker hiccups; processed by a task (or the beat sweep).

    ``dedupe_key`` (events: name + canonical payload) is unique among messages still
    waiting: a duplicate of a waiting event is dropped; a replay of a processed one is
    processed again, harmlessly (processing is idempotent and guarded by eventTime).
    See switch.push_inbox for balances and alarm lists (the latest wins)."""

    server = models.ForeignKey(VosServer, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=40)
    payload = models.JSONField()
    dedupe_key = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)
    # What the portal answered (PushDtmfInfo/PushDtmfInfos are answered synchronously).
    answer = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "telephony_pushinbox"  # kept from before the move (docs/architecture.md)
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["server", "dedupe_key"],
                condition=models.Q(processed_at__isnull=True),
                name="push_inbox_pending_unique",
            )
        ]
        indexes = [models.Index(fields=["processed_at", "id"], name="push_inbox_pending")]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"
