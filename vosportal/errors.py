"""The 500 page. Rendered without the request's context processors: whatever broke
(the database, a template tag) must not break the error page too. Security headers
and the CSP still apply: the middleware adds them to this response like any other."""

from __future__ import annotations

from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def server_error(request, template_name="500.html"):
    template = loader.get_template(template_name)
    body = template.render({"request_id": getattr(request, "request_id", "")})
    return HttpResponseServerError(body)
