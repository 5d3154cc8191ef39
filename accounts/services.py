"""Writes to tenants and users. Views and tasks call these; nothing else writes."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import Invitation, Tenant, User
from accounts.roles import Action, Role
from accounts.scope import OutOfScope
from accounts.sessions import end_all_sessions
from telephony import vos

log = logging.getLogger(__name__)

# GetCustomer takes a list of accounts; batches keep each answer small and each call short.
SYNC_BATCH_SIZE = 200


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    seen: int = 0


def sync_tenants_from_vos(server) -> SyncResult:
    """Mirror VOS's account tree (each customer's ``agentAccount``) into tenants.

    Accounts made in VOS outside the portal appear under the right reseller; an account
    whose agent changed moves with its subtree; an account deleted in VOS is marked
    gone (and so disappears from every scope), not silently kept.
    """
    client = vos.client_for(server)
    accounts = list(client.get_all_customers().accounts or [])
    infos = {}
    for start in range(0, len(accounts), SYNC_BATCH_SIZE):
        answer = client.get_customer(accounts=accounts[start : start + SYNC_BATCH_SIZE])
        for info in answer.info_customers or []:
            infos[info.account] = info
    agent_of = {account: (info.agent_account or "") for account, info in infos.items()}
    agents = {agent for agent in agent_of.values() if agent}
    result = SyncResult(seen=len(infos))
    now = timezone.now()

    with transaction.atomic():
        root = Tenant.platform_root()
        known = {
            t.vos_account: t
            for t in Tenant.objects.select_for_update()
            .filter(server=server)
            .exclude(vos_account="")
        }
        for account in _parents_first(agent_of):
            info = infos[account]
            parent = known.get(agent_of[account]) if agent_of[account] else None
            if parent is None or parent.status == Tenant.Status.GONE:
                parent = root
            tenant = known.get(account)
            if tenant is None:
                tenant = Tenant(
                    server=server,
                    vos_account=account,
                    kind=Tenant.Kind.RESELLER if account in agents else Tenant.Kind.CUSTOMER,
                    name=info.name or account,
                    parent=parent,
                    synced_at=now,
                )
                tenant.save()
                known[account] = tenant
                result.created.append(account)
                # Its calls may have been pulled before it had a tenant (stored without one).
                from billing.cdr_store import adopt_account_cdrs

                adopt_account_cdrs(tenant)
                continue
            changed = []
            if tenant.parent_id != parent.pk:
                tenant.parent = parent
                result.moved.append(account)
                changed.append("parent")
            if info.name and tenant.name != info.name:
                tenant.name = info.name
                result.renamed.append(account)
                changed.append("name")
            if tenant.status != Tenant.Status.ACTIVE:
                tenant.status = Tenant.Status.ACTIVE
                changed.append("status")
            if (
                account in agents
                and tenant.kind == Tenant.Kind.CUSTOMER
                and not tenant.users.exists()
            ):
                # It became an agent in VOS: a reseller now (only while nobody holds a
                # customer role in it, which a reseller tenant could not carry).
                tenant.kind = Tenant.Kind.RESELLER
                changed.append("kind")
            tenant.synced_at = now
            tenant.save()
        for account, tenant in known.items():
            if account not in infos and tenant.status != Tenant.Status.GONE:
                tenant.status = Tenant.Status.GONE
                tenant.synced_at = now
                tenant.save(update_fields=["status", "synced_at"])
                result.gone.append(account)
        # The local copy that search and filters use (memo, lock, type) follows VOS too.
        from accounts.customer_services import remember_vos_fields

        remember_vos_fields(server, [info.to_wire() for info in infos.values()])
    log.info(
        "tenant sync %s: %d seen, %d created, %d moved, %d gone",
        server.name,
        result.seen,
        len(result.created),
        len(result.moved),
        len(result.gone),
    )
    return result


def _parents_first(agent_of: dict[str, str]) -> list[str]:
    """Accounts ordered so every agent comes before the accounts below it. A cycle
    (which VOS should refuse, but a sync must survive) is broken at the root."""
    ordered, placed = [], set()

    def place(account: str, trail: set[str]) -> None:
        if account in placed or account not in agent_of:
            return
        agent = agent_of[account]
        if agent and agent not in trail:
            place(agent, trail | {account})
        placed.add(account)
        ordered.append(account)

    for account in sorted(agent_of):
        place(account, set())
    return ordered


class LinkRefused(Exception):
    """A VOS account that cannot become a tenant; the message says why, for the form."""


def link_vos_account(server, account: str, kind: str) -> Tenant:
    """Bind an existing VOS account to a new tenant, checked against the VOS tree: the
    account must exist, and its agent must already be a tenant (or it has no agent and
    hangs under the platform)."""
    existing = Tenant.objects.filter(server=server, vos_account=account).first()
    if existing is not None:
        raise LinkRefused(
            _("This VOS account is already the tenant “%(name)s”.") % {"name": existing.name}
        )
    answer = vos.client_for(server).get_customer(accounts=[account])
    info = next((c for c in answer.info_customers if c.account == account), None)
    if info is None:
        raise LinkRefused(
            _("There is no account %(account)s on this VOS server.") % {"account": account}
        )
    parent = Tenant.platform_root()
    if info.agent_account:
        parent = Tenant.objects.filter(
            server=server, vos_account=info.agent_account, status=Tenant.Status.ACTIVE
        ).first()
        if parent is None:
            raise LinkRefused(
                _("Its agent account %(agent)s is not a tenant yet: link that first.")
                % {"agent": info.agent_account}
            )
        if parent.kind != Tenant.Kind.RESELLER:
            raise LinkRefused(
                _("Its agent account %(agent)s is a customer, not a reseller.")
                % {"agent": info.agent_account}
            )
    tenant = Tenant(
        server=server,
        vos_account=account,
        kind=kind,
        name=info.name or account,
        parent=parent,
        synced_at=timezone.now(),
    )
    tenant.save()
    # Its calls may have been pulled before it had a tenant (stored without one).
    from billing.cdr_store import adopt_account_cdrs

    adopt_account_cdrs(tenant)
    return tenant


# --- Invitations and user management -----------------------------------------------------
class InvitationInvalid(Exception):
    """The token is unknown, expired, used or revoked. One error for all four: a
    visitor holding a link learns nothing more than "it does not work"."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pending_invitations():
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def invite_user(scope, *, email: str, tenant: Tenant, role: str, build_url) -> Invitation:
    """Invite ``email`` to ``tenant`` with ``role`` and mail them the link.

    ``build_url(token)`` turns the token into the absolute accept link (the view knows
    the host). The token only ever exists in the email; the row keeps its sha256.
    Refuses a tenant outside the scope (404) and a role above the inviter's own.
    """
    scope.require(Action.MANAGE_USERS)
    if not scope.contains(tenant):
        raise OutOfScope(f"tenant {tenant.pk}")
    if role not in scope.grantable_roles(tenant):
        raise ValidationError({"role": _("You cannot give this role in this tenant.")})
    if tenant.status != Tenant.Status.ACTIVE:
        raise ValidationError({"tenant": _("This tenant was deleted in VOS.")})
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this email address already exists.")})
    token = secrets.token_urlsafe(32)
    ttl = timedelta(hours=settings.INVITATION_TTL_HOURS)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            tenant=tenant,
            role=role,
            token_hash=hash_token(token),
            invited_by=scope.acting_user or scope.user,
            expires_at=timezone.now() + ttl,
        )
        audit.record(
            "user.invite",
            scope=scope,
            target=invitation,
            tenant=tenant,
            after={"email": email, "role": role, "tenant": tenant.name},
        )
        # Inside the transaction: a mail that cannot be sent leaves no invitation behind.
        context = {
            "invitation": invitation,
            "link": build_url(token),
            "inviter": scope.acting_user or scope.user,
            "role_label": Role(role).label,
            "ttl_hours": settings.INVITATION_TTL_HOURS,
        }
        send_mail(
            subject=render_to_string("users/email/invitation_subject.txt", context).strip(),
            message=render_to_string("users/email/invitation_message.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    return invitation


def accept_invitation(token: str, *, password: str, full_name: str = "") -> User:
    """Create the invited user (the tenant and role of the invitation) with ``password``.
    Single use: the row is locked, and marked accepted in the same transaction."""
    with transaction.atomic():
        invitation = (
            pending_invitations()
            .select_for_update()
            .select_related("tenant")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if invitation is None or invitation.tenant.status != Tenant.Status.ACTIVE:
            raise InvitationInvalid
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationInvalid
        user = User(
            email=invitation.email,
            full_name=full_name,
            tenant=invitation.tenant,
            role=invitation.role,
        )
        validate_password(password, user=user)
        user.set_password(password)
        user.save()
        # The link reached this mailbox: the address is verified (allauth refuses MFA
        # enrolment while an unverified address exists).
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        audit.record(
            "user.invitation_accepted",
            actor=user,
            target=user,
            tenant=invitation.tenant,
            after={"email": user.email, "role": user.role, "invitation": invitation.pk},
        )
    return user


def revoke_invitation(scope, invitation: Invitation) -> Invitation:
    scope.require(Action.MANAGE_USERS)
    if not scope.contains(invitation.tenant):
        raise OutOfScope(f"invitation {invitation.pk}")
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.revoked_at:
            raise ValidationError(_("This invitation was already used or revoked."))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record(
            "user.invitation_revoked",
            scope=scope,
            target=invitation,
            tenant=invitation.tenant,
            before={"email": invitation.email, "role": invitation.role},
        )
    return invitation


def deactivate_user(scope, user: User) -> User:
    """Deactivate ``user`` (in the scope, not oneself, not above one's own role) and end
    every session they have."""
    scope.require(Action.MANAGE_USERS)
    if user.tenant is None or not scope.contains(user.tenant):
        raise OutOfScope(f"user {user.pk}")
    if user.pk in {scope.user.pk, getattr(scope.acting_user, "pk", None)}:
        raise ValidationError(_("You cannot deactivate yourself."))
    if not scope.may_manage(user):
        raise ValidationError(_("You cannot deactivate a user with a higher role than yours."))
    if not user.is_active:
        return user
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        ended = end_all_sessions(user)
        audit.record(
            "user.deactivate",
            scope=scope,
            target=user,
            tenant=user.tenant,
            before={"is_active": True},
            after={"is_active": False, "sessions_ended": ended},
        )
    return user
