"""Webhooks out: the endpoints tenants register, the events the portal announced to
them, and each delivery of an event to an endpoint (the delivery log)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tenant

# Every event an endpoint may subscribe to, and its words.
EVENT_TYPES: dict[str, object] = {
    "transfer.succeeded": _("A money transfer succeeded"),
    "transfer.failed": _("A money transfer failed"),
    "transfer.review": _("A money transfer needs review"),
    "balance.low": _("A balance fell below its alert threshold"),
    "customer.created": _("A customer account was created"),
    "customer.locked": _("A customer account was locked"),
    "phone.registered": _("A phone registered (came online)"),
    "export.ready": _("An export is ready (calls, accounts or phones)"),
    "alarm.raised": _("The switch raised an alarm"),
}
# Events only the platform's endpoints receive.
PLATFORM_ONLY = frozenset({"alarm.raised"})
# The event "Send test event" sends (to one endpoint, whatever it subscribed to).
TEST_EVENT = "webhook.test"


class WebhookEndpoint(models.Model):
    """An HTTPS address of a tenant's own system, the events it hears of, and the secret
    its deliveries are signed with (Fernet-encrypted at rest, shown once)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("address"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret_token = models.TextField(editable=False)
    # The secret's last characters, so people can tell which one they kept.
    secret_hint = models.CharField(max_length=8, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook endpoint")

    def __str__(self) -> str:
        return self.url

    def event_words(self) -> list:
        return [EVENT_TYPES.get(name, name) for name in self.events]


class WebhookEvent(models.Model):
    """Something announced (``accounts.events.announce``) that at least one endpoint
    subscribed to. Its ``event_id`` is the same in every delivery and replay, so a
    receiver can drop duplicates."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40)
    # The path of the tenant the object belongs to (follows tenant moves).
    tenant_path = models.CharField(max_length=512, db_index=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class WebhookDelivery(models.Model):
    """One event to one endpoint: tried at once, then again with a growing wait for up to
    24 hours (``webhooks.services.RETRY_DELAYS``) until the endpoint answers 2xx."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("delivered")
        FAILED = "failed", _("failed")

    class Problem(models.TextChoices):
        REFUSED_ADDRESS = "refused_address", _("refused: the address is not public")
        BAD_ADDRESS = "bad_address", _("the address cannot be used")
        UNRESOLVED = "unresolved", _("the host name does not resolve")
        TIMEOUT = "timeout", _("no answer in time")
        CONNECTION = "connection", _("could not connect")
        REDIRECT = "redirect", _("answered with a redirect (not followed)")
        ANSWER = "answer", _("answered with an error status")
        DISABLED = "disabled", _("the endpoint is disabled")
        SECRET = "secret", _("its secret cannot be read: make a new one")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    answer_code = models.PositiveIntegerField(null=True, blank=True)
    problem = models.CharField(max_length=20, choices=Problem.choices, blank=True)
    # What the problem was about: an address refused, a status code, an exception's name.
    problem_detail = models.CharField(max_length=200, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event.type} → {self.endpoint.url}"
