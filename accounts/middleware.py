"""Attach the request's Scope (``request.scope``), honouring "view as"."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from accounts.models import User
from accounts.scope import Scope

VIEW_AS_SESSION_KEY = "view_as_user_id"


def build_scope(request) -> Scope | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    real = Scope(user=user)
    target_id = request.session.get(VIEW_AS_SESSION_KEY)
    if target_id:
        target = User.objects.select_related("tenant").filter(pk=target_id).first()
        # Re-checked on every request: a target moved out of reach, or deactivated,
        # ends the view-as at once.
        if target is not None and real.may_view_as(target):
            return Scope(user=target, acting_user=user)
        request.session.pop(VIEW_AS_SESSION_KEY, None)
    return real


class ScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: build_scope(request))
        return self.get_response(request)
