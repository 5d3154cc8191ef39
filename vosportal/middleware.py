"""Request id and per-user preferences (language, time zone)."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.messages import get_messages
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from web.htmx import as_htmx_navigation, is_htmx

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# Accept a caller's id only when it looks like one of ours: it is echoed into logs
# and headers, so nothing that could smuggle text in.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class UserPreferencesMiddleware:
    """Activate the signed-in user's language and time zone for this request.

    Runs after authentication; LocaleMiddleware has already picked a language from
    the cookie/Accept-Language, the user's saved choice wins over both.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class HtmxLoginRedirectMiddleware:
    """An htmx request that lands on a redirect to the login, or to the page asking for
    the password again (allauth's reauthentication, before money moves), would swap that
    page into a fragment. Tell htmx to navigate the whole page instead (HX-Redirect)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code not in (301, 302, 303, 307, 308) or not is_htmx(request):
            return response
        pages = (
            resolve_url(settings.LOGIN_URL),
            reverse("account_reauthenticate"),
            reverse("mfa_reauthenticate"),
        )
        return as_htmx_navigation(request, response, pages)


class HtmxMessagesMiddleware:
    """Messages added while answering an htmx request arrive as toasts: rendered out of
    band (``hx-swap-oob``) after the fragment, so views just call ``messages.success``
    the same way for plain posts and htmx."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not is_htmx(request)
            or response.status_code != 200
            or response.has_header("HX-Redirect")
            or response.has_header("HX-Location")
            or getattr(response, "streaming", False)
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response

        pending = list(get_messages(request))
        if pending:
            toasts = render_to_string(
                "includes/toasts_oob.html", {"messages": pending}, request=request
            )
            response.content = response.content + toasts.encode()
        return response
