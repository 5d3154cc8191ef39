"""The CDR pull pages, for the platform: recent pulls with their counts and errors, each
server's watermark and owed days, and "Pull now" / "Retry failed days" (queued for the
worker, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import audit
from accounts.roles import Action
from accounts.sessions import redirect_to
from billing import cdr_pull
from billing.models import CdrPullJob
from telephony.models import VosServer

RECENT_JOBS = 50


@login_required
def pulls(request):
    scope = request.scope
    scope.require_platform(Action.VIEW)
    servers = list(VosServer.objects.all())
    jobs = list(CdrPullJob.objects.select_related("server", "requested_by")[:RECENT_JOBS])
    states = cdr_pull.server_states(servers)
    context = {
        "jobs": jobs,
        "states": states,
        "busy": any(job.status in ("pending", "running") for job in jobs),
        "may_run": scope.can(Action.RUN_PLATFORM),
    }
    template = "pulls/pulls.html#pull-board" if request.htmx else "pulls/pulls.html"
    return render(request, template, context)


def _server_for_action(request, server_id: int):
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM)  # before the method check
    if request.method != "POST":
        return scope, None, HttpResponseNotAllowed(["POST"])
    return scope, get_object_or_404(VosServer, pk=server_id), None


def _queue_pull(server, reason: str, user_id: int) -> None:
    from billing import cdr_tasks
    from vosportal.tasks import enqueue

    enqueue(cdr_tasks.pull_server, server.pk, reason, user_id)


@login_required
def pull_now(request, server_id: int):
    scope, server, refused = _server_for_action(request, server_id)
    if refused:
        return refused
    if not server.enabled:
        messages.error(request, _("This server is disabled: enable it before pulling."))
        return redirect_to(request, reverse("cdr_pulls"))
    _queue_pull(server, CdrPullJob.Reason.MANUAL, (scope.acting_user or scope.user).pk)
    audit.record("cdr.pull.start", scope=scope, target=server, vos_server=server)
    messages.info(request, _("A pull of %(server)s has been queued.") % {"server": server.name})
    return redirect_to(request, reverse("cdr_pulls"))


@login_required
def retry_failed(request, server_id: int):
    scope, server, refused = _server_for_action(request, server_id)
    if refused:
        return refused
    due = cdr_pull.make_failed_days_due(server)
    if due and server.enabled:
        _queue_pull(server, CdrPullJob.Reason.RETRY, (scope.acting_user or scope.user).pk)
    audit.record(
        "cdr.pull.retry", scope=scope, target=server, vos_server=server, after={"days": due}
    )
    if not due:
        messages.info(request, _("No day of %(server)s has failed.") % {"server": server.name})
    elif not server.enabled:
        messages.info(request, _("The failed days are due again; the server is disabled."))
    else:
        messages.info(
            request,
            _("%(count)s failed days of %(server)s are being pulled again.")
            % {"count": due, "server": server.name},
        )
    return redirect_to(request, reverse("cdr_pulls"))
