"""Create the demo platform (idempotent): the VOS servers named in VOS_SERVERS, the tenant
tree mirrored from the first one (the simulator's demo data under `make run`), and one
login for every role, with a fixed TOTP secret for the roles that require MFA. The
passwords and secrets are documented in README; demo only."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Tenant, User
from accounts.roles import MFA_REQUIRED_ROLES, Role
from billing.cdrs.tasks import pull_server
from billing.payments.services import ensure_demo_account
from billing.rates.services import grant_demo_groups
from customers import services as customer_services
from dashboard import demo_objects
from switch.models import VosServer
from vos3000.errors import VosError

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (documented demo login)


DEMO_ADMIN_EMAIL = "admin@demo.vosportal"


# (email, full name, role, VOS account of the tenant or None for the platform)
DEMO_USERS = (
    (DEMO_ADMIN_EMAIL, "Ada Admin", Role.PLATFORM_ADMIN, None),
    ("auditor@demo.vosportal", "Otto Auditor", Role.PLATFORM_AUDITOR, None),
    ("globaltel@demo.vosportal", "Grace GlobalTel", Role.RESELLER_MANAGER, "globaltel"),
    ("operator@demo.vosportal", "Oscar Operator", Role.RESELLER_OPERATOR, "globaltel"),
    ("citylink@demo.vosportal", "Carl CityLink", Role.RESELLER_MANAGER, "citylink"),
    ("skyvoice@demo.vosportal", "Sky Manager", Role.RESELLER_MANAGER, "skyvoice"),
    ("manila@demo.vosportal", "Maria Manila", Role.CUSTOMER_OWNER, "manila-bpo"),
    ("cafe@demo.vosportal", "Chiara Cafe", Role.CUSTOMER_OWNER, "cafe-roma"),
    ("acme@demo.vosportal", "Alan Acme", Role.CUSTOMER_VIEWER, "acme"),
)


# Fixed TOTP secrets (base32) for the demo logins whose role requires MFA, so the codes
# can be computed by `manage.py demo_totp <email>` or added to an authenticator app.
# Demo only, like the password.
DEMO_TOTP_SECRETS = {
    DEMO_ADMIN_EMAIL: "DEMOADMINTOTPSECRETAAAAAAAAAAAAA",
    "auditor@demo.vosportal": "DEMOAUDITORTOTPSECRETAAAAAAAAAAA",
    "globaltel@demo.vosportal": "DEMOGLOBALTELTOTPSECRETAAAAAAAAA",
    "operator@demo.vosportal": "DEMOOPERATORTOTPSECRETAAAAAAAAAA",
    "citylink@demo.vosportal": "DEMOCITYLINKTOTPSECRETAAAAAAAAAA",
    "skyvoice@demo.vosportal": "DEMOSKYVOICETOTPSECRETAAAAAAAAAA",
}


def demo_logins() -> list[str]:
    """The lines `make run` prints so a newcomer can sign in straight away."""
    lines = []
    for email, _, role, _ in DEMO_USERS:
        secret = DEMO_TOTP_SECRETS.get(email)
        mfa = f" TOTP secret {secret}" if secret else ""
        lines.append(f"{email:28} {DEMO_PASSWORD}   {Role(role).label:18}{mfa}".rstrip())
    return lines


def enrol_demo_totp(user) -> None:
    """Give a demo user whose role needs MFA its fixed TOTP secret and recovery codes."""
    secret = DEMO_TOTP_SECRETS.get(user.email)
    if secret is None or user.role not in MFA_REQUIRED_ROLES:
        return
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)


def upsert_servers_from_settings() -> list[VosServer]:
    servers = []
    for entry in settings.VOS_SERVERS:
        server, _ = VosServer.objects.update_or_create(
            name=entry["name"],
            defaults={
                "base_url": entry["base_url"],
                "connect_timeout": settings.VOS_CONNECT_TIMEOUT,
                "read_timeout": settings.VOS_READ_TIMEOUT,
            },
        )
        if not server.sip_host:
            # The demo's phones register nowhere real; a name shows what phone pages say.
            server.sip_host = "sip.demo.vosportal.test"
            server.save(update_fields=["sip_host"])
        servers.append(server)
    return servers


class Command(BaseCommand):
    help = "Create the demo platform and one login per role (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")

    def handle(self, *args, **options):
        if options["logins"]:
            self.stdout.write("\n".join(demo_logins()))
            return
        servers = upsert_servers_from_settings()
        if servers:
            try:
                result = customer_services.sync_tenants_from_vos(servers[0])
                self.stdout.write(f"tenants mirrored from VOS: {result.seen} accounts")
                self._queue_first_cdr_pull(servers[0])
            except VosError as exc:
                self.stderr.write(f"VOS not reachable, tenants not mirrored: {exc}")
        with transaction.atomic():
            root = Tenant.platform_root()
            for email, name, role, account in DEMO_USERS:
                tenant = root
                if account is not None:
                    tenant = Tenant.objects.filter(vos_account=account).first()
                    if tenant is None:
                        self.stderr.write(f"skipped {email}: no tenant for VOS account {account}")
                        continue
                user, created = User.objects.get_or_create(
                    email=email,
                    defaults={"full_name": name, "role": role, "tenant": tenant},
                )
                if created:
                    user.is_staff = user.is_superuser = role == Role.PLATFORM_ADMIN
                    user.set_password(DEMO_PASSWORD)
                    user.save()
                EmailAddress.objects.update_or_create(
                    user=user, email=email, defaults={"verified": True, "primary": True}
                )
                enrol_demo_totp(user)
                self.stdout.write(f"{'created' if created else 'kept'} {email} ({role})")

        granted = grant_demo_groups()
        self.stdout.write(f"fee rate groups granted to the demo resellers: {granted} new")
        admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
        try:
            _, made = ensure_demo_account(Tenant.platform_root(), admin)
        except ImproperlyConfigured as exc:
            self.stderr.write(f"no card payment account: {exc}")
        else:
            self.stdout.write(f"{'created' if made else 'kept'} the offline card payment account")
        if servers:
            self._make_demo_objects()

    def _make_demo_objects(self) -> None:
        """One object of every kind per demo tenant (dashboard.demo_objects); a kind that
        cannot be made is a one-line warning, never a demo that does not start."""
        for make in demo_objects.ALL:
            try:
                made = make()
            except Exception as exc:  # any failure of one kind must not stop the demo
                self.stderr.write(f"demo {make.__name__} not made: {type(exc).__name__}: {exc}")
            else:
                self.stdout.write(f"demo {make.__name__}: {'made' if made else 'kept'}")

    def _queue_first_cdr_pull(self, server) -> None:
        """The demo's call pages should not wait for beat's first round: queue a pull
        now (the worker picks it up as soon as it starts)."""
        try:
            pull_server.delay(server.pk)
            self.stdout.write(f"CDR pull of {server.name} queued")
        except Exception as exc:  # a broker that is not up yet must not stop the seeding
            self.stderr.write(f"CDR pull not queued ({type(exc).__name__}); beat will run it")
