from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from switch import labels
from switch.models import VosServer


class LimitedE164Group(models.Model):
    """Who owns a limited-E164 group (2.66 CreateLimitedE164).

    VOS keeps these groups in one global namespace and the manual has no Get for them,
    so the portal records each group it creates, the tenant that owns it (a reseller,
    or the platform) and the numbers it put in it. A reseller's groups are named
    ``<its VOS account>:<name>`` so that no two resellers can ever name the same group;
    the scope decides who sees a group through its owner.
    """

    SEPARATOR = ":"

    server = models.ForeignKey(VosServer, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        "accounts.Tenant", on_delete=models.PROTECT, related_name="limited_e164_groups"
    )
    name = models.CharField(_("group name in VOS"), max_length=255)
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["server", "name"], name="limited_group_unique_name")
        ]
        verbose_name = _("limited-number group")
        verbose_name_plural = _("limited-number groups")

    def __str__(self) -> str:
        return self.name


class LimitedE164Number(models.Model):
    """A number the portal put in a limited-E164 group (VOS cannot be asked for them)."""

    group = models.ForeignKey(LimitedE164Group, on_delete=models.CASCADE, related_name="numbers")
    e164 = models.CharField(_("number"), max_length=64)
    memo = models.CharField(_("memo"), max_length=255, blank=True)

    class Meta:
        ordering = ["e164"]
        constraints = [
            models.UniqueConstraint(fields=["group", "e164"], name="limited_number_unique")
        ]

    def __str__(self) -> str:
        return self.e164


# --- IVR & media console (issue 7): DTMF rules and media block IPs -------------------------
class DtmfRule(models.Model):
    """One answer of the IVR hook (PushDtmfInfo / PushDtmfInfos, manual 3.1, 3.2): when
    the caller keys ``digits`` in the switch's menu ``menu_name``, the portal answers
    ``ret_code`` (the switch runs the menu defined for that code) and ``audio_names``.

    ``digits`` empty is the menu's default rule: it answers any digits no exact rule of
    that menu matches. ``server`` empty makes a rule global; a server's own rule wins
    over a global one (see ``telephony.ivr_media.dtmf.answer``).
    """

    server = models.ForeignKey(
        VosServer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("VOS server"),
    )
    menu_name = models.CharField(_("menu name"), max_length=64)
    digits = models.CharField(_("digits"), max_length=64, blank=True)
    ret_code = models.IntegerField(_("answer code (retCode)"))
    audio_names = models.JSONField(_("audio names"), default=list, blank=True)
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["menu_name", "digits", "server__name"]
        indexes = [models.Index(fields=["menu_name", "digits"], name="dtmf_rule_lookup")]
        constraints = [
            models.UniqueConstraint(
                fields=["server", "menu_name", "digits"],
                condition=models.Q(server__isnull=False),
                name="dtmf_rule_unique_per_server",
                violation_error_message=_("A rule for this menu and digits exists already."),
            ),
            models.UniqueConstraint(
                fields=["menu_name", "digits"],
                condition=models.Q(server__isnull=True),
                name="dtmf_rule_unique_global",
                violation_error_message=_("A rule for this menu and digits exists already."),
            ),
        ]
        verbose_name = _("DTMF rule")
        verbose_name_plural = _("DTMF rules")

    def __str__(self) -> str:
        return f"{self.menu_name}/{self.digits or '…'}"

    def as_audit(self) -> dict:
        # The push's own names: the audit redacts keys ending in "code", bar retCode.
        return {
            "server": self.server.name if self.server_id else None,
            "menuName": self.menu_name,
            "digits": self.digits,
            "retCode": self.ret_code,
            "audioNames": list(self.audio_names),
            "memo": self.memo,
        }


class MediaBlockIp(models.Model):
    """An address the portal told a VOS server to drop media from (2.80
    CreateMediaBlockIp). VOS has no Get for these, so the portal keeps its own record
    of what it blocked, by whom and when; a row exists only after VOS accepted it."""

    server = models.ForeignKey(VosServer, on_delete=models.PROTECT, related_name="+")
    ip = models.CharField(_("IP address"), max_length=255)
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    blocked_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    blocked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["server__name", "ip"]
        constraints = [
            models.UniqueConstraint(
                fields=["server", "ip"],
                name="media_block_ip_unique",
                violation_error_message=_("The portal blocked this address already."),
            )
        ]
        verbose_name = _("media block IP")
        verbose_name_plural = _("media block IPs")

    def __str__(self) -> str:
        return self.ip

    def as_audit(self) -> dict:
        return {"server": self.server.name, "ip": self.ip, "memo": self.memo}


class PhoneRegistration(models.Model):
    """A phone's registration as VOS last reported it (PhoneOnline pushes and the shared
    GetAllPhoneOnline/GetPhoneOnline poll). ``tenant_path`` is the owner's tree path,
    so scopes filter with one indexed prefix."""

    server = models.ForeignKey(VosServer, on_delete=models.CASCADE, related_name="+")
    e164 = models.CharField(max_length=64)
    online = models.BooleanField(default=False)
    event_time = models.BigIntegerField(default=0)  # epoch ms of VOS's event
    registered_at = models.DateTimeField(null=True, blank=True)
    local_ip = models.CharField(max_length=64, blank=True)
    local_port = models.IntegerField(null=True, blank=True)
    remote_ip = models.CharField(max_length=64, blank=True)
    device = models.CharField(max_length=255, blank=True)
    dids = models.JSONField(default=list, blank=True)
    current_calls = models.IntegerField(default=0)
    account = models.CharField(max_length=64, blank=True)
    tenant_path = models.CharField(max_length=512, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["e164"]
        constraints = [
            models.UniqueConstraint(fields=["server", "e164"], name="phone_registration_unique")
        ]

    def __str__(self) -> str:
        return self.e164


class LiveCall(models.Model):
    """A call in progress: the shared GetCurrentCall poll replaces a server's rows, and
    CallStateReport pushes update them in between. A released call is kept a while as
    ``released`` so a late, older push cannot bring it back."""

    server = models.ForeignKey(VosServer, on_delete=models.CASCADE, related_name="+")
    call_id = models.BigIntegerField()
    state = models.IntegerField(default=0)
    released = models.BooleanField(default=False)
    event_time = models.BigIntegerField(default=0)
    connected_at = models.DateTimeField(null=True, blank=True)
    caller_e164 = models.CharField(max_length=64, blank=True)
    callee_e164 = models.CharField(max_length=64, blank=True)
    caller_gateway = models.CharField(max_length=128, blank=True)
    callee_gateway = models.CharField(max_length=128, blank=True)
    caller_ip = models.CharField(max_length=64, blank=True)
    callee_ip = models.CharField(max_length=64, blank=True)
    codec = models.CharField(max_length=32, blank=True)
    caller_path = models.CharField(max_length=512, blank=True, db_index=True)
    callee_path = models.CharField(max_length=512, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["call_id"]
        constraints = [
            models.UniqueConstraint(fields=["server", "call_id"], name="live_call_unique")
        ]

    def __str__(self) -> str:
        return f"{self.caller_e164} -> {self.callee_e164}"


class LivePoll(models.Model):
    """One shared, paced poll of a VOS server (kind "calls" or "phones"). ``due_at`` is
    claimed with one conditional UPDATE, so at most one GetCurrentCall (or
    GetAllPhoneOnline) per server per interval is made, whatever the number of viewers
    and processes; and none when nobody looks."""

    server = models.ForeignKey(VosServer, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    due_at = models.DateTimeField(null=True, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["server", "kind"], name="live_poll_unique")]

    def __str__(self) -> str:
        return f"{self.kind} poll"


class CurrentAlarm(models.Model):
    """VOS's current alarms of a server, as its last AlarmCurrentReport (or GetAlarmCurrent)
    listed them: the set is replaced each time."""

    server = models.ForeignKey(VosServer, on_delete=models.CASCADE, related_name="+")
    alarm_id = models.BigIntegerField()
    name = models.CharField(max_length=255, blank=True)
    level = models.IntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    info = models.JSONField(default=dict)
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["server", "alarm_id"], name="current_alarm_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level_words(self) -> str:
        """The level in the catalog's words ("Major"), as every page shows it."""
        return labels.alarm_level(self.level)
