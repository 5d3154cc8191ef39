from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.events import tenant_moved
from accounts.roles import ROLES_BY_TENANT_KIND, Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        extra.setdefault("role", Role.PLATFORM_ADMIN)
        extra.setdefault("tenant", Tenant.platform_root())
        return self._create_user(email, password, **extra)


def carry_paths(rows, field: str, old_path: str, new_path: str) -> int:
    """Rows whose ``field`` copies a tenant path follow the tenant's move: every path
    under ``old_path`` is rewritten under ``new_path``, in one UPDATE."""
    return rows.filter(**{f"{field}__startswith": old_path}).update(
        **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1))}
    )


# What the customer list filters on and shows, carried by its indexes (PostgreSQL's
# INCLUDE): a page's rows, with their servers, come from the index alone, in one
# index-only scan, and its VOS read starts at once (customers.selectors.Window.rows).
LISTED = ["path", "kind", "status", "id", "server", "name", "vos_memo", "vos_locked", "vos_type"]


class Tenant(models.Model):
    """A node of the tenant tree: the platform at the root, resellers (VOS agent
    accounts, nested to any depth) and customers (VOS customer accounts) below.

    ``path`` is the materialized path of ids ("/1/4/9/"): a subtree is one indexed
    ``path LIKE '/1/4/%'`` query, so scoped queries need no recursive walk.
    """

    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Platform")
        RESELLER = "reseller", _("Reseller")
        CUSTOMER = "customer", _("Customer")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        GONE = "gone", _("Deleted in VOS")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=128)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    server = models.ForeignKey(
        "switch.VosServer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tenants",
    )
    vos_account = models.CharField(_("VOS account"), max_length=64, blank=True)
    path = models.CharField(max_length=512, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A light copy of a few VOS fields, so the customer list can search, filter and sort
    # in SQL over a whole subtree (10,000 accounts) without asking VOS for all of them.
    # Only ever a search aid: pages show the values VOS gives them, with the time read.
    # Refreshed by every page that reads the account (
    # billing.money.readings.remember_vos_fields) and by the portal's own changes.
    vos_memo = models.CharField(_("memo (as last read)"), max_length=255, blank=True)
    vos_locked = models.BooleanField(_("locked (as last read)"), default=False)
    vos_type = models.PositiveSmallIntegerField(_("account type (as last read)"), default=0)
    # The last balance read (billing.models.BalanceReading keeps it with its time; this copy
    # is refreshed from it by billing.money.readings.copy_to_tenants): the list sorts and
    # filters on it through an index, with no subquery per row.
    vos_money = models.DecimalField(
        _("balance (as last read)"), max_digits=16, decimal_places=4, null=True, blank=True
    )

    class Meta:
        # The customer list's orders, each served by an index (no sort of the subtree);
        # on PostgreSQL the index also carries what the list filters on (LISTED), so a
        # deep page's ids are found by an index-only scan (customers.selectors.Window).
        # The balance orders (NULLS LAST both ways) have PostgreSQL-only indexes made by
        # migration 0012: SQLite cannot write NULLS LAST in an index.
        indexes = [
            models.Index(fields=["vos_account"], name="tenant_by_account", include=LISTED),
            models.Index(
                fields=["name", "vos_account"],
                name="tenant_by_name",
                include=[f for f in LISTED if f != "name"],  # a key column already
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["server", "vos_account"],
                condition=~models.Q(vos_account=""),
                name="tenant_unique_vos_account_per_server",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="platform"),
                name="tenant_single_platform_root",
            ),
        ]

    def __str__(self) -> str:
        return self.shown_name

    def save(self, *args, **kwargs):
        if self.pk is None:
            # The path is made of ids: insert first, then write the path.
            self.path = "/pending/"
            super().save(*args, **kwargs)
            self._compute_path()
            super().save(update_fields=["path", "depth"])
            return
        old_path, old_depth = self.path, self.depth
        self._compute_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Moved under another parent: carry the whole subtree along in one UPDATE.
            below = Tenant.objects.filter(path__startswith=old_path).exclude(pk=self.pk)
            below.update(depth=F("depth") + (self.depth - old_depth))
            carry_paths(below, "path", old_path, self.path)
            # Tables that copy paths for scoped queries (CDRs) follow too.
            tenant_moved.send(sender=Tenant, old_path=old_path, new_path=self.path)

    @classmethod
    def platform_root(cls) -> Tenant:
        root = cls.objects.filter(kind=cls.Kind.PLATFORM).first()
        if root is None:
            root = cls(kind=cls.Kind.PLATFORM, name="Platform")
            root.save()
        return root

    @property
    def shown_name(self) -> str:
        """The name shown to people: the platform's own, stored as "Platform", in the
        reader's language."""
        if self.kind == self.Kind.PLATFORM and self.name == "Platform":
            return str(_("Platform"))
        return self.name

    def _compute_path(self) -> None:
        if self.parent_id:
            parent = Tenant.objects.only("path").get(pk=self.parent_id)
            if self.pk and parent.path.startswith(f"{self.path}") and self.path != "/pending/":
                raise ValidationError(_("A tenant cannot be moved below itself."))
            parent_path = parent.path
        else:
            parent_path = "/"
        self.path = f"{parent_path}{self.pk}/"
        self.depth = self.path.count("/") - 2

    @property
    def is_linked(self) -> bool:
        """Bound to an account on a VOS server (the only way its pages can ask VOS)."""
        return bool(self.server_id and self.vos_account)

    def is_within(self, other: Tenant) -> bool:
        """True when this tenant is ``other`` or below it."""
        return self.path.startswith(other.path)

    def subtree(self):
        return Tenant.objects.filter(path__startswith=self.path)

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return Tenant.objects.filter(pk__in=ids).order_by("depth")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address. No usernames: VOS accounts are
    tenants, not logins."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self):
        super().clean()
        if self.tenant_id and self.role not in ROLES_BY_TENANT_KIND[self.tenant.kind]:
            raise ValidationError({"role": _("This role does not fit this kind of tenant.")})


class Invitation(models.Model):
    """An expiring invitation to join a tenant with a role. Only the token's hash is
    stored; the link carries the token itself."""

    email = models.EmailField(_("email address"))
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.tenant} ({self.role})"


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit row."""


class AuditEventQuerySet(models.QuerySet):
    # Bulk paths skip save()/delete(): refuse them too (PostgreSQL's trigger refuses
    # raw SQL as well; on SQLite these are the guard).
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be updated")


# An audit event's result (``AuditEvent.result``) in words.
AUDIT_RESULT_WORDS = {
    "ok": _("OK"),
    "error": _("Error"),
    "denied": _("Denied"),
    "unknown": _("Unknown (may have been applied)"),
}


class AuditEvent(models.Model):
    """One row of the append-only audit trail.

    Tamper evidence: ``row_hash = sha256(prev_hash + canonical row)``, rows written
    under a lock so the chain is linear (see ``accounts.audit``). On PostgreSQL a
    trigger refuses UPDATE and DELETE. Nothing here may hold a password, PIN, session
    id or the VOS address: payloads are redacted before they arrive.
    """

    created_at = models.DateTimeField(db_index=True)
    # Who typed it; "on behalf of" is the user they were viewing as, if any.
    actor = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    actor_tenant = models.ForeignKey(
        Tenant,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    on_behalf_of_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=128, blank=True)
    # The tenant the event is about, and its path then: scoped audit pages filter on it.
    tenant = models.ForeignKey(
        Tenant,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    tenant_path = models.CharField(max_length=512, blank=True, db_index=True)
    vos_server = models.CharField(max_length=50, blank=True)
    vos_endpoint = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    result = models.CharField(max_length=32, blank=True)  # ok / error / denied / unknown
    ret_code = models.IntegerField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["tenant_path", "-id"], name="audit_tenant_path_id"),
            models.Index(fields=["actor", "-id"], name="audit_actor_id"),
            models.Index(fields=["action", "-id"], name="audit_action_id"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_email} {self.action}"

    def save(self, *args, **kwargs):
        # Append-only: a row is written once, by ``accounts.audit.record``.
        if not self._state.adding or not kwargs.get("force_insert"):
            raise AppendOnlyError("audit events are written once, by accounts.audit.record")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")

    @property
    def result_words(self) -> str:
        """The result in the reader's words ("denied" -> "Denied", translated)."""
        return str(AUDIT_RESULT_WORDS.get(self.result, self.result))


class JobStatus(models.TextChoices):
    """Where a background job (an export, a report) stands."""

    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportFile(models.Model):
    """A file written by a Celery task from a filtered list, in the requester's time
    zone, downloadable by its requester only until ``expires_at`` (audit and CDR
    exports). Concrete exports add who asked and whose scope the rows follow."""

    Status = JobStatus

    filters = models.JSONField(default=dict, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    rows_written = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    # Column names and codes as the fields are named ("caller_e164", call level 5), for
    # scripts ("Column names for machines"); otherwise words in ``language``.
    raw = models.BooleanField(default=False)
    language = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True
        ordering = ["-id"]

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class AuditVerification(models.Model):
    """One check of the audit trail's hash chain, run by a worker (the command
    ``verify_audit`` does the same from a shell): its progress and what it found."""

    Status = JobStatus

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_verifications"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Rows when it started (the trail only grows: more may be added while it runs).
    total = models.PositiveIntegerField(default=0)
    checked = models.PositiveIntegerField(default=0)
    intact = models.BooleanField(null=True)
    broken_id = models.BigIntegerField(null=True, blank=True)
    problem = models.CharField(max_length=32, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"audit chain check {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING)

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if not self.is_open else 0
        return min(100, int(self.checked * 100 / self.total))


class AuditExport(ExportFile):
    """A CSV export of the audit trail."""

    # Who asked (the person at the keyboard) and whose scope the rows follow (the user
    # they were viewing as, or themselves).
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="audit_exports"
    )
    scope_user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")

    class Meta(ExportFile.Meta):
        pass

    def __str__(self) -> str:
        return f"audit export {self.pk} ({self.status})"
