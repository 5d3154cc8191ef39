"""The portal's htmx contract, in one place.

- An htmx request gets a fragment, never a page: ``render_page_or_partial`` renders the
  named partial (django-template-partials, ``"template#partial"``) for htmx and the
  whole page otherwise. A page rendered for htmx all the same (a URL only ever opened
  as a page) comes without its layout: ``base.html`` asks ``wants_fragment`` (the
  ``fragment_only`` filter) and leaves out everything but the content.
- After a form is done, ``redirect_after`` moves the browser on: htmx navigates the whole
  page (``HX-Redirect``), a plain request gets a 302.
- ``keep_in_place`` answers "change nothing here" (``HX-Reswap: none``, empty body);
  the toast says why.
- A redirect to a page of its own that an htmx request would follow inside the page
  (the login after the session ended, the password asked again before money moves)
  becomes a whole-page navigation: ``as_htmx_navigation``.
"""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django_htmx.http import reswap


def is_htmx(request) -> bool:
    """Whether htmx made this request (django-htmx's ``request.htmx`` once its middleware
    ran, the header itself before)."""
    details = getattr(request, "htmx", None)
    if details is not None:
        return bool(details)
    return request.headers.get("HX-Request") == "true"


def wants_fragment(request) -> bool:
    """Whether the answer must be a fragment: an htmx request, except htmx's history
    restore (after Back, with nothing cached, htmx asks for the whole page)."""
    if not is_htmx(request):
        return False
    details = getattr(request, "htmx", None)
    if details is not None:
        return not details.history_restore_request
    return request.headers.get("HX-History-Restore-Request") != "true"


def page_or_partial(request, template: str, partial: str) -> str:
    """The template name to render: ``"template#partial"`` for htmx, else the page."""
    return f"{template}#{partial}" if wants_fragment(request) else template


def render_page_or_partial(request, template: str, partial: str, context=None, status=200):
    """Render the partial ``partial`` of ``template`` for htmx, the whole page otherwise."""
    return render(request, page_or_partial(request, template, partial), context, status=status)


def client_redirect(url: str) -> HttpResponse:
    """The htmx answer that loads ``url`` as a whole page (``HX-Redirect``). 204, no body:
    unlike django-htmx's HttpResponseClientRedirect (200), nothing could be swapped in."""
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response


def redirect_after(request, url: str) -> HttpResponse:
    """Where to go once a form is done: htmx loads ``url`` as a whole page
    (``HX-Redirect``), a plain request gets a 302."""
    if is_htmx(request):
        return client_redirect(url)
    return HttpResponseRedirect(url)


def keep_in_place() -> HttpResponse:
    """An htmx answer that swaps nothing (``HX-Reswap: none``, empty body): what was on
    the page stays; a toast (out of band) says why."""
    return reswap(HttpResponse(""), "none")


def as_htmx_navigation(request, response, prefixes) -> HttpResponse:
    """A redirect answering an htmx request to a URL starting with one of ``prefixes``
    (pages that stand on their own: the login, the password asked again) becomes a
    whole-page navigation; anything else is returned unchanged."""
    if (
        is_htmx(request)
        and response.status_code in (301, 302, 303, 307, 308)
        and response.get("Location", "").startswith(tuple(prefixes))
    ):
        return client_redirect(response["Location"])
    return response
