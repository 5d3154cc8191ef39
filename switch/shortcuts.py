"""What the telephony views share: finding the customer through the scope, the page for
a tenant without a VOS account, who counts as a provider, showing VOS errors."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from accounts.roles import Action
from accounts.scope import OutOfScope
from switch import vos
from vos3000.errors import VosError, VosValidationError
from web.htmx import is_htmx, keep_in_place


def require_provider(scope, action: str = Action.VIEW) -> None:
    """Pages for the customer's provider only: customers get the same 404 as anyone
    asking for something that is not theirs."""
    scope.require(action)
    if not scope.is_provider:
        raise OutOfScope("for resellers and the platform only")


def customer(request, tenant_id: int):
    return request.scope.customer_or_404(tenant_id)


def not_linked(request, tenant):
    """The page of a customer without a VOS account: said in words, status 200."""
    return render(request, "phones/not_linked.html", {"tenant": tenant})


def unavailable(request, tenant, exc, *, title: str = ""):
    """A page that could not be shown because VOS failed: the reason in words."""
    return render(
        request,
        "phones/unavailable.html",
        {"tenant": tenant, "error": vos.describe_error(exc), "title": title},
    )


def write_on_form(form, write) -> bool:
    """Make a VOS write for a valid form: True when it was made; otherwise its refusal is
    put on the form (next to its field when the catalog names one, else at the top, in
    words) and the page is shown again."""
    try:
        write()
    except VosValidationError as exc:
        if hasattr(form, "add_vos_error"):  # a CatalogForm: next to the field VOS named
            form.add_vos_error(exc)
        else:
            form.add_error(None, vos.describe_error(exc))
    except VosError as exc:
        form.add_error(None, vos.describe_error(exc, write=True))
    else:
        return True
    return False


def run_delete(request, delete, *, deleted: str, done_url: str):
    """The POST of a delete confirmation: ``delete()``, then (answer, error). Done: a
    toast and the list (from an htmx row button an empty answer: the row goes). Refused:
    from htmx a toast and the row stays; otherwise no answer and the reason in words, for
    the confirmation page to show again."""
    try:
        delete()
    except VosError as exc:
        error = vos.describe_error(exc, write=True)
        if not is_htmx(request):
            return None, error
        messages.error(request, error)
        return keep_in_place(), error  # the row stays; the toast says why
    messages.success(request, deleted)
    if is_htmx(request):
        return HttpResponse(""), ""  # the row goes; the toast comes out of band
    return redirect(done_url), ""


# The customer tab pages that only read from VOS (phone book, tools, history).
READS = ("GET", "HEAD")


def not_allowed():
    return HttpResponseNotAllowed(list(READS))


def customer_page(request, tenant, template: str, context: dict):
    context.setdefault("tenant", tenant)
    context.setdefault("not_linked", not tenant.is_linked)
    return render(request, template, context)


def vos_error_message(request, exc: VosError) -> str:
    """A failed read in words, as a toast; returned for the page too."""
    words = vos.describe_error(exc)
    messages.error(request, words)
    return words
