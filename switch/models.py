from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_vos_base_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError(_("Enter an http(s) URL with a host."))
    if not parts.path.endswith("/server/"):
        raise ValidationError(_("The URL must end with the context path, e.g. /external/server/."))


class VosServer(models.Model):
    """A VOS3000 server the portal talks to. Its address is entered by admins, stored
    here, and never rendered back in full: pages show ``masked_url``."""

    name = models.SlugField(_("name"), max_length=50, unique=True)
    base_url = models.CharField(_("base URL"), max_length=500, validators=[validate_vos_base_url])
    connect_timeout = models.FloatField(_("connect timeout (s)"), default=3.0)
    read_timeout = models.FloatField(_("read timeout (s)"), default=15.0)
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
