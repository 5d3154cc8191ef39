"""The platform's server pages: the VOS servers (masked address, enabled, health,
latency), creating one, editing its connection settings, and "Test connection".
Platform only: auditors read, admins change; everyone else gets a 404. The address is
write-only: no page, form or answer here ever shows the host or port."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import Action
from switch.server_admin import selectors, services
from switch.server_admin.forms import ServerForm
from web.htmx import redirect_after, render_page_or_partial, wants_fragment

READS = ("GET", "HEAD")


@login_required
def server_list(request):
    scope = request.scope
    scope.require_platform(Action.VIEW)
    context = {
        "rows": selectors.server_rows(scope),
        "may_run": scope.can(Action.RUN_PLATFORM),
    }
    return render_page_or_partial(request, "server_admin/list.html", "server-table", context)


def _save(request, form, save) -> bool:
    """Run ``save`` on a valid form; a model-level refusal becomes the form's error."""
    if not form.is_valid():
        return False
    try:
        save()
    except ValidationError as exc:
        for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
            target = field if field in form.fields else None
            # Model errors on base_url concern the address or the context path together.
            for error in errors:
                form.add_error(target, error)
        return False
    return True


def _render_form(request, form, server=None):
    context = {"form": form, "server": server}
    return render_page_or_partial(request, "server_admin/edit.html", "server-form", context)


@login_required
def server_create(request):
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM)
    if request.method not in (*READS, "POST"):
        return HttpResponseNotAllowed([*READS, "POST"])
    form = ServerForm(request.POST or None)
    created = {}
    if request.method == "POST" and _save(
        request,
        form,
        lambda: created.update(server=services.create_server(scope, form.changes())),
    ):
        messages.success(
            request, _("Server %(name)s was added.") % {"name": created["server"].name}
        )
        return redirect_after(request, reverse("server_list"))
    return _render_form(request, form)


@login_required
def server_edit(request, server_id: int):
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM)
    server = selectors.server_or_404(scope, server_id)
    if request.method not in (*READS, "POST"):
        return HttpResponseNotAllowed([*READS, "POST"])
    form = ServerForm(request.POST or None, instance=server)
    if request.method == "POST" and _save(
        request, form, lambda: services.update_server(scope, server, form.changes())
    ):
        messages.success(
            request, _("Server %(name)s was saved.") % {"name": form.changes()["name"]}
        )
        return redirect_after(request, reverse("server_list"))
    return _render_form(request, form, server)


@login_required
def server_test(request, server_id: int):
    """POST: test the connection now; htmx gets the result's fragment in place, a plain
    request the list (which shows each server's last result)."""
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM)
    server = selectors.server_or_404(scope, server_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    result = services.test_connection(scope, server)
    if wants_fragment(request):
        return render_page_or_partial(
            request,
            "server_admin/list.html",
            "test-result",
            {"row": {"server": server, "last_test": selectors.last_test(server) or result}},
        )
    if result["ok"]:
        messages.success(request, _("%(name)s answered both calls.") % {"name": server.name})
    else:
        messages.warning(request, _("%(name)s: the test found problems.") % {"name": server.name})
    return redirect_after(request, reverse("server_list"))
