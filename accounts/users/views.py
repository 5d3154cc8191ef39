"""Users of the tenants in scope: list, invite, revoke an invitation, deactivate; the
public page where an invitation is accepted; each person's own preferences and
language."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.models import Invitation
from accounts.roles import MFA_REQUIRED_ROLES, Action
from accounts.scope import OutOfScope
from accounts.users import services
from accounts.users.forms import AcceptInvitationForm, InvitationForm, LanguageForm, PreferencesForm
from web import querystring


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    before = {name: getattr(request.user, name) for name in PreferencesForm.Meta.fields}
    if request.method == "POST" and form.is_valid():
        user = form.save()
        audit.record(
            "user.preferences",
            scope=request.scope,
            target=user,
            tenant=user.tenant,
            before=before,
            after={name: getattr(user, name) for name in PreferencesForm.Meta.fields},
        )
        translation.activate(form.cleaned_data["language"])
        messages.success(request, _("Your preferences were saved."))
        response = redirect("preferences")
        _set_language_cookie(response, form.cleaned_data["language"])
        return response
    return render(request, "accounts/preferences.html", {"form": form})


@require_POST
def set_language(request):
    """Switch the interface language; remembered on the user when signed in, in a
    cookie otherwise (the login page has the switch too)."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        _set_language_cookie(response, language)
    return response


def _set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


USERS_PER_PAGE = 50


def _invitation_or_404(scope, pk) -> Invitation:
    try:
        return Invitation.objects.select_related("tenant").get(
            pk=int(pk), tenant__path__startswith=scope.tenant.path
        )
    except (Invitation.DoesNotExist, TypeError, ValueError, AttributeError):
        raise OutOfScope(f"invitation {pk!r}") from None


@login_required
def user_list(request):
    scope = request.scope
    scope.require(Action.MANAGE_USERS)
    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    users = (
        scope.users()
        .select_related("tenant")
        .annotate(has_totp=Exists(totp))
        .order_by("tenant__path", "email")
    )
    page = Paginator(users, USERS_PER_PAGE).get_page(querystring.page_number(request))
    invitations = (
        services.pending_invitations()
        .filter(tenant__path__startswith=scope.tenant.path)
        .select_related("tenant", "invited_by")
    )
    return render(
        request,
        "users/user_list.html",
        {
            "page": page,
            "invitations": invitations,
            "mfa_required_roles": MFA_REQUIRED_ROLES,
            "me": scope.acting_user or scope.user,
        },
    )


@login_required
def user_invite(request):
    scope = request.scope
    scope.require(Action.MANAGE_USERS)
    form = InvitationForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_user(
                scope,
                email=form.cleaned_data["email"],
                tenant=form.cleaned_data["tenant"],
                role=form.cleaned_data["role"],
                build_url=lambda token: request.build_absolute_uri(
                    reverse("invitation_accept", args=[token])
                ),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("user_list")
    return render(request, "users/user_invite.html", {"form": form})


@login_required
@require_POST
def invitation_revoke(request, pk):
    scope = request.scope
    scope.require(Action.MANAGE_USERS)
    invitation = _invitation_or_404(scope, pk)
    try:
        services.revoke_invitation(scope, invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The invitation for %(email)s was revoked.") % {"email": invitation.email}
        )
    return redirect("user_list")


@login_required
@require_POST
def user_deactivate(request, pk):
    scope = request.scope
    scope.require(Action.MANAGE_USERS)
    target = scope.user_or_404(pk)
    try:
        services.deactivate_user(scope, target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(email)s was deactivated and signed out everywhere.") % {"email": target.email},
        )
    return redirect("user_list")


@never_cache
def invitation_accept(request, token):
    """Public: the link from the invitation email. Sets a password, creates the user in
    the invitation's tenant with its role and signs them in."""
    invitation = (
        services.pending_invitations()
        .select_related("tenant")
        .filter(token_hash=services.hash_token(token))
        .first()
    )
    if invitation is None:
        return render(request, "users/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                token,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except services.InvitationInvalid:
            return render(request, "users/invitation_invalid.html", status=404)
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            login(request, user, backend="accounts.backends.ModelBackend")
            # They typed the new password a moment ago: it counts as a fresh password
            # check, so MFA enrolment (next, for roles that need it) does not ask again.
            record_authentication(request, user, method="password", reauthenticated=True)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("dashboard")
    return render(
        request,
        "users/invitation_accept.html",
        {"form": form, "invitation": invitation, "now": timezone.now()},
    )


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc)
