"""The key pages (Settings > API keys: list, create, revoke) and the API's offline
documentation (Swagger UI, vendored)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api import selectors, services
from api.forms import ApiKeyForm
from web.htmx import client_redirect, is_htmx


@login_required
@never_cache
def api_key_list(request):
    scope = request.scope
    keys = selectors.api_keys(scope)
    roles = scope.grantable_roles(scope.tenant)
    form = ApiKeyForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        key, token = services.create_key(scope, **form.key_fields)
        # The token is shown on this answer only: it is stored hashed.
        return render(request, "api/key_created.html", {"key": key, "token": token})
    return render(request, "api/key_list.html", {"keys": keys, "form": form})


@login_required
@require_POST
def api_key_revoke(request, key_id: int):
    key = selectors.api_key_or_404(request.scope, key_id)
    services.revoke_key(request.scope, key)
    messages.success(request, _("The key %(name)s was revoked.") % {"name": key.name})
    return redirect("api_key_list")


def api_docs(request):
    """The OpenAPI document in Swagger UI, served from our own static files. A page of
    its own (not the portal's layout): htmx asking for it navigates there instead."""
    if is_htmx(request):
        return client_redirect(request.path)
    return render(request, "api/docs.html")
