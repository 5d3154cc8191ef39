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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("VOS server")
        verbose_name_plural = _("VOS servers")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_url(self) -> str:
        """The scheme only: admins know servers by name; nothing here to connect to."""
        return f"{urlsplit(self.base_url).scheme}://••••••"
