"""Writes to users: invitations (made, accepted, revoked) and deactivation. Views and
tasks call these; nothing else writes."""

from __future__ import annotations

import hashlib
import logging
import secrets
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

log = logging.getLogger(__name__)


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
