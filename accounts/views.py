from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.forms import LanguageForm, PreferencesForm


@login_required
def dashboard(request):
    """The home page of each family: a customer's own account, a reseller's subtree
    (``customer_selectors.subtree_summary``, cached a minute: tens of VOS calls for a
    big subtree), an admin's platform totals. Every panel shows its own VOS failure in
    words; none is a 500."""
    from accounts import customer_selectors as selectors
    from accounts.models import Tenant
    from accounts.roles import ADMIN, role_of

    scope = request.scope
    context: dict = {"family": role_of(scope.user)}
    tenant = scope.tenant
    if tenant is not None and tenant.kind == Tenant.Kind.CUSTOMER:
        context["home"] = selectors.customer_home(scope, tenant)
        context["tenant"] = tenant
    elif tenant is not None and tenant.kind == Tenant.Kind.RESELLER:
        context["summary"] = selectors.subtree_summary(scope)
        context["topups"] = selectors.recent_topups(scope)
        context["linked"] = tenant.is_linked
    elif context["family"] == ADMIN:
        context["platform"] = selectors.platform_summary(scope)
        context["topups"] = selectors.recent_topups(scope)
    if tenant is not None:
        # The live panel (refreshed by htmx from telephony.live_views.live_dashboard).
        from telephony import live_selectors

        context["live"] = live_selectors.dashboard(scope)
        context["refresh_seconds"] = settings.LIVE_REFRESH_SECONDS
    return render(request, "accounts/dashboard.html", context)


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
