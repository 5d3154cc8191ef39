"""Session lifetime: an idle timeout and an absolute lifetime, one middleware; ending a
user's sessions; and ``require_recent_auth`` for sensitive actions (moving money).

Django already rotates the session id at login (``login()`` cycles the key); this
module adds what Django lacks: sessions that die after ``SESSION_IDLE_TIMEOUT``
seconds without a request, and after ``SESSION_ABSOLUTE_LIFETIME`` seconds whatever
the activity.
"""

from __future__ import annotations

import time
from decimal import Decimal
from functools import wraps
from importlib import import_module

from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from allauth.core.exceptions import ReauthenticationRequired
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from web import after
from web.htmx import is_htmx, redirect_after

LOGIN_AT_KEY = "portal_login_at"
LAST_SEEN_KEY = "portal_last_seen"
# Writing the session on every request costs a write per page; a minute of slack on
# a thirty-minute idle timeout is harmless.
_LAST_SEEN_RESOLUTION = 60


@receiver(user_logged_in)
def _remember_login_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT_KEY] = now
        request.session[LAST_SEEN_KEY] = now


class SessionLifetimeMiddleware:
    """Sign out a session idle for too long or older than its absolute lifetime."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._check(request)
            if expired:
                return expired
        return self.get_response(request)

    def _check(self, request) -> HttpResponse | None:
        session = request.session
        now = int(time.time())
        login_at = session.get(LOGIN_AT_KEY)
        last_seen = session.get(LAST_SEEN_KEY)
        if login_at is None or last_seen is None:
            # A session made without the login signal (e.g. by an older release):
            # start counting now rather than sign everyone out at once.
            session[LOGIN_AT_KEY] = login_at or now
            session[LAST_SEEN_KEY] = now
            return None
        idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
        too_old = now - login_at > settings.SESSION_ABSOLUTE_LIFETIME
        if idle or too_old:
            logout(request)
            messages.info(
                request,
                _("You were signed out after a period of inactivity. Please sign in again.")
                if idle
                else _("Your session has ended. Please sign in again."),
            )
            login_url = reverse("account_login")
            if request.method == "GET" and not is_htmx(request):
                login_url += "?" + urlencode({"next": request.get_full_path()})
            return redirect_after(request, login_url)
        if now - last_seen >= _LAST_SEEN_RESOLUTION:
            session[LAST_SEEN_KEY] = now
        return None


class SessionActivityMiddleware:
    """allauth's session tracking (the "Sessions" page: where and when each session was
    last seen), without a write on every page: allauth's own middleware updates the row
    on every request, before the view. This one records it at most once a minute per
    session (the same resolution as the idle timeout's clock above), and after the
    response on a GET (``web.after``). The row itself is made at sign-in by allauth."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (
            session is not None
            and session.session_key
            and user is not None
            and user.is_authenticated
        ):
            # Even the once-a-minute check (a cache round trip) waits for the response.
            after.batch(_track_activity, request)
        return self.get_response(request)


def _track_activity(requests) -> None:
    for request in requests:
        key = request.session.session_key
        if (
            request.user.is_authenticated
            and key
            and cache.add(f"session-seen:{key}", 1, _LAST_SEEN_RESOLUTION)
        ):
            UserSession.objects.create_from_request(request)


def end_all_sessions(user) -> int:
    """End every session of ``user``: the tracked ones (allauth's UserSession rows) and
    their Django sessions. Returns how many were ended."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for row in UserSession.objects.filter(user_id=user.pk):
        store_class().delete(row.session_key)
        row.delete()
        ended += 1
    # Sessions opened before tracking began are refused anyway: an inactive user is
    # never loaded by the auth backend (ModelBackend.user_can_authenticate).
    return ended


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _note_deactivation(sender, instance, **kwargs):
    if instance.pk is None or instance.is_active:
        return
    was_active = sender.objects.filter(pk=instance.pk, is_active=True).exists()
    instance._portal_deactivated = was_active


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _end_sessions_of_deactivated(sender, instance, created, **kwargs):
    # Whoever deactivates (a service, the Django admin, a shell), the sessions go.
    if getattr(instance, "_portal_deactivated", False):
        instance._portal_deactivated = False
        end_all_sessions(instance)


# --- Recent authentication ---------------------------------------------------------------
def did_recently_authenticate(request) -> bool:
    """True when the user entered their password (or a second factor) again within
    ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds (allauth's reauthentication)."""
    return request.user.is_authenticated and did_recently_reauthenticate(request)


def needs_recent_auth(request, amount=None) -> bool:
    """Whether this action must first ask for the password again. With an ``amount``,
    only above ``REAUTH_MONEY_ABOVE``; without one, always."""
    if amount is not None:
        try:
            amount = Decimal(str(amount))
        except ArithmeticError:
            amount = None
    # NaN and infinities cannot be compared: like an unreadable amount, they ask (the
    # form then refuses them in words).
    small = Decimal(str(settings.REAUTH_MONEY_ABOVE))
    if amount is not None and amount.is_finite() and amount <= small:
        return False
    return not did_recently_authenticate(request)


def require_recent_auth(amount=None):
    """Decorator for views that do something sensitive (moving money).

    ``amount`` is a callable taking the request and returning the amount the request
    is about to move; when it cannot tell (None, or an unreadable value) the password
    is asked for, the safe side. GET requests pass (showing a form moves nothing).
    Without ``amount`` every request needs a recent authentication. When needed,
    allauth's AccountMiddleware sends the user to its reauthentication page and
    brings them back to the same URL afterwards (a POST's data is kept by allauth).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if amount is None:
                value = None
            elif request.method in ("GET", "HEAD"):
                return view(request, *args, **kwargs)  # showing the form moves nothing
            else:
                try:
                    value = amount(request)
                except (ArithmeticError, ValueError, TypeError):
                    value = None
            if needs_recent_auth(request, value):
                raise ReauthenticationRequired()
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
