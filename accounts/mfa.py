"""Second factor: required for the roles in ``MFA_REQUIRED_ROLES``, optional for others.

One middleware: a signed-in user whose role requires MFA and who has no active TOTP
authenticator reaches only the enrolment pages (and logout, the language switch,
and the health check; static files never reach it); every other request is sent to
enrolment.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import MFA_REQUIRED_ROLES
from web.htmx import is_htmx, redirect_after

# What a user who must enrol may still reach. Reauthentication is allauth's "enter your
# password again" step in front of TOTP activation.
ENROLMENT_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "account_logout",
        "set_language",
        "healthz",
    }
)


def requires_mfa(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in MFA_REQUIRED_ROLES


def has_totp(user) -> bool:
    # A request's user comes with the answer (accounts.backends): no query per request.
    known = getattr(user, "has_totp_authenticator", None)
    if known is not None:
        return known
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


class MfaRequiredMiddleware:
    """Checked in ``process_view``, once the URL is resolved (Django resolves it anyway:
    resolving it here too was a measurable part of every page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if (
            user is not None
            and requires_mfa(user)
            and request.resolver_match.url_name not in ENROLMENT_URL_NAMES
            and not has_totp(user)
        ):
            if request.method == "GET" and not is_htmx(request):
                messages.warning(
                    request,
                    _(
                        "Your role requires two-factor authentication. "
                        "Set up an authenticator app to continue."
                    ),
                )
            return redirect_after(request, reverse("mfa_activate_totp"))
        return None
