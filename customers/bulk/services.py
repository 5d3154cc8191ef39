"""Bulk writes: imports of customers (each optionally with a first phone) and of phones,
and actions on many accounts of the customer list (lock, unlock, fee rate group, a
top-up each, exports).

Every row goes through the one-at-a-time services (``customers.services``,
``telephony.phones.services``, ``billing.money.services``): the same scope checks, the
same audit, VOS only through ``switch.vos.call``. A row is checked in full before any
write (``plan_rows``, the preview); at run time it is checked again, against the scope
as it is then. What exists already is skipped, so the same file can be run again.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import audit, events
from accounts.models import Tenant
from accounts.roles import Action
from accounts.scope import OutOfScope, Scope
from billing.money import services as money
from customers import selectors as customer_selectors
from customers import services as customer_services
from customers.bulk import files
from customers.bulk import tasks as bulk_tasks
from customers.forms import CustomerCreateForm, CustomerSearchForm
from customers.models import BulkAction, BulkImport, BulkStatus
from switch import labels, vos
from switch.shortcuts import require_provider
from telephony.phones import services as phone_services
from telephony.phones.forms import PhoneCreateForm
from vos3000.errors import VosError
from web import numbers
from web.tasks import enqueue

log = logging.getLogger(__name__)

# Results and files are kept this long.
KEEP = timedelta(days=7)
# Actions on this many accounts or fewer run while the page waits; more go to a worker.
INLINE_ROWS = 5
# Progress is saved after this many rows.
SAVE_EVERY = 20
# ... and the results so far after this many (a worker that stops keeps them).
SAVE_RESULTS_EVERY = 500

FAILED_OUTCOMES = ("failed", "phone_failed")


def outcome_words(outcome: str) -> str:
    return {
        "created": _("Created"),
        "phone_added": _("Phone added"),
        "skipped": _("Already there, skipped"),
        "failed": _("Failed"),
        "phone_failed": _("Account created, phone failed"),
        "not_imported": _("Not imported: errors in the row"),
        "done": _("Done"),
        "gone": _("No longer among your accounts"),
    }.get(outcome, outcome)


# --- Checking rows -------------------------------------------------------------------------
@dataclass
class RowPlan:
    line: int
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tenant: Tenant | None = None  # the account (phones) or the one that exists already
    agent: Tenant | None = None
    payload: dict | None = None
    phone: dict | None = None
    phone_exists: bool = False
    account: str = ""
    e164: str = ""

    @property
    def state(self) -> str:
        if self.errors:
            return "error"
        if self.tenant is not None and (self.phone is None or self.phone_exists):
            return "skip"
        return "ok"

    def as_check(self) -> dict:
        return {
            "line": self.line,
            "state": self.state,
            "errors": self.errors,
            "notes": self.notes,
            "account": self.account,
            "e164": self.e164,
        }


def _form_errors(form) -> list[str]:
    words = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            words.append(f"{label}: {error}" if label else str(error))
    return words


def _coded(form, data: dict) -> dict:
    """Enum columns may hold the code or its words ("Locked"): words become the code."""
    out = dict(data)
    for name, value in data.items():
        choices = getattr(form.fields.get(name), "choices", None)
        if not value or not choices:
            continue
        codes = {str(code) for code, _label in choices}
        if value in codes:
            continue
        for code, label in choices:
            if str(label).strip().lower() == value.strip().lower():
                out[name] = str(code)
                break
    return out


def _agents(scope) -> list[Tenant]:
    agents = list(customer_selectors.agent_choices(scope))
    if not scope.is_platform:
        agents = [a for a in agents if a.path.startswith(scope.tenant.path)]
    return agents


class _Groups:
    """The fee rate groups this user may give, per server (read once per run)."""

    def __init__(self, scope):
        self.scope, self.by_server = scope, {}

    def of(self, server) -> list[str]:
        if server.pk not in self.by_server:
            try:
                self.by_server[server.pk] = customer_selectors.fee_rate_group_choices(
                    self.scope, server
                )
            except VosError:
                self.by_server[server.pk] = []
        return self.by_server[server.pk]


def _existing_in_vos(server, accounts: list[str]) -> set[str]:
    """Which of ``accounts`` VOS has already. Asked with the platform's client: these
    names are outside the scope by nature (not made yet), and the only thing learned is
    what CreateCustomer's refusal would say anyway (the account exists)."""
    found = set()
    client = vos.client_for(server)
    for chunk in customer_selectors.chunks(sorted(set(accounts))):
        answer = client.call("GetCustomer", {"accounts": chunk})
        found.update(row.get("account") for row in answer.get("infoCustomers") or [])
    return found


def _phone_owners(server, e164s: list[str]) -> dict[str, str]:
    """e164 -> its account, for the numbers VOS has already (the platform's client, as
    above: CreatePhone's refusal would tell the same)."""
    owners = {}
    client = vos.client_for(server)
    for chunk in customer_selectors.chunks(sorted(set(e164s))):
        answer = client.call("GetPhone", {"e164s": chunk})
        for row in answer.get("infoPhones") or []:
            owners[row.get("e164")] = row.get("account") or ""
    return owners


def _rebound(form, data: dict):
    """``form`` bound to ``data`` afresh. A file's rows reuse one form: building its
    catalog fields costs more than checking a row (10,000 rows: minutes), and nothing
    of one row's check stays in it for the next."""
    form.data, form.files, form.is_bound = _coded(form, data), {}, True
    form._errors = None
    form._bound_fields_cache = {}
    form.__dict__.pop("cleaned_data", None)
    return form


def _phone_form(form: PhoneCreateForm, data: dict) -> tuple[PhoneCreateForm, dict]:
    """``form``: one PhoneCreateForm per check of a file (never shared between two)."""
    form = _rebound(form, data)
    return form, (dict(form.to_payload()) if form.is_valid() else {})


def plan_rows(scope, kind: str, rows: list[dict]) -> list[RowPlan]:
    """Every row checked against the catalog (the one-at-a-time forms) and the scope
    (agent, fee rate groups, the account of a phone), with duplicates in the file and in
    VOS; nothing is written. VosError when VOS cannot be asked (the caller says so)."""
    require_provider(scope, Action.CHANGE)
    if kind == BulkImport.Kind.CUSTOMERS:
        return _plan_customers(scope, rows)
    return _plan_phones(scope, rows)


def _plan_customers(scope, rows) -> list[RowPlan]:
    agents = _agents(scope)
    by_account = {a.vos_account: a for a in agents}
    default_agent = scope.tenant if scope.tenant in agents else None
    groups = _Groups(scope)
    may_overdraft = scope.can(Action.MOVE_MONEY)
    plans, seen_accounts, seen_phones, forms = [], {}, {}, {}
    phone_form = PhoneCreateForm()
    for row in rows:
        data = dict(row["data"])
        plan = RowPlan(line=row["line"], account=data.get("account", ""))
        plan.e164 = data.pop("phone", "")
        phone_password = data.pop("phonePassword", "")
        agent_name = data.pop("agent", "")
        agent = by_account.get(agent_name) if agent_name else default_agent
        if agent_name and agent is None:
            plan.errors.append(
                _("Agent: %(agent)s is not one of your reseller accounts.") % {"agent": agent_name}
            )
        if agent is None and not agent_name:
            agent = agents[0] if len(agents) == 1 else None
            if agent is None:
                plan.errors.append(_("Agent: name the reseller account above the new one."))
        if agent is not None:
            data["agent"] = str(agent.pk)
            if agent.server_id not in forms:
                forms[agent.server_id] = CustomerCreateForm(
                    agents=agents,
                    default_agent=default_agent,
                    groups=groups.of(agent.server),
                    may_set_overdraft=may_overdraft,
                )
            form = _rebound(forms[agent.server_id], data)
            if form.is_valid():
                plan.agent, plan.payload = form.agent(), form.to_payload()
            else:
                plan.errors.extend(_form_errors(form))
        if plan.account:
            if plan.account in seen_accounts:
                plan.errors.append(
                    _("The account %(account)s is also on line %(line)s of the file.")
                    % {"account": plan.account, "line": seen_accounts[plan.account]}
                )
            seen_accounts.setdefault(plan.account, plan.line)
        if plan.e164:
            form, payload = _phone_form(phone_form, {"e164": plan.e164, "password": phone_password})
            if form.is_valid():
                plan.phone = payload
            else:
                plan.errors.extend(_("Phone: %(error)s") % {"error": e} for e in _form_errors(form))
            if plan.e164 in seen_phones:
                plan.errors.append(
                    _("The phone %(e164)s is also on line %(line)s of the file.")
                    % {"e164": plan.e164, "line": seen_phones[plan.e164]}
                )
            seen_phones.setdefault(plan.e164, plan.line)
        plans.append(plan)
    _customers_against_vos(scope, plans)
    return plans


def _customers_against_vos(scope, plans: list[RowPlan]) -> None:
    by_server: dict = {}
    for plan in plans:
        if plan.agent is not None and plan.payload is not None:
            by_server.setdefault(plan.agent.server, []).append(plan)
    for server, group in by_server.items():
        accounts = [p.account for p in group]
        tenants = {}
        for chunk in customer_selectors.chunks(accounts):
            for tenant in Tenant.objects.filter(server=server, vos_account__in=chunk):
                tenants[tenant.vos_account] = tenant
        unknown = [a for a in accounts if a not in tenants]
        in_vos = _existing_in_vos(server, unknown) if unknown else set()
        owners = (
            _phone_owners(server, [p.e164 for p in group if p.phone])
            if any(p.phone for p in group)
            else {}
        )
        for plan in group:
            tenant = tenants.get(plan.account)
            if tenant is not None:
                if tenant.status == Tenant.Status.ACTIVE and scope.contains(tenant):
                    plan.tenant = tenant
                    plan.notes.append(_("The account exists already: it is skipped."))
                else:
                    plan.errors.append(
                        _("The account %(account)s exists already.") % {"account": plan.account}
                    )
            elif plan.account in in_vos:
                plan.errors.append(
                    _("The account %(account)s exists in the switch already.")
                    % {"account": plan.account}
                )
            if plan.phone:
                owner = owners.get(plan.e164)
                if owner is not None and owner == plan.account and plan.tenant is not None:
                    plan.phone_exists = True
                    plan.notes.append(_("The phone exists already: it is skipped."))
                elif owner is not None:
                    plan.errors.append(
                        _("The phone %(e164)s exists in the switch already.") % {"e164": plan.e164}
                    )
                elif plan.tenant is not None:
                    plan.notes.append(_("Only the phone is added."))


def _plan_phones(scope, rows) -> list[RowPlan]:
    accounts = sorted({row["data"].get("account", "") for row in rows} - {""})
    customers = {}
    visible = scope.tenants().filter(
        kind=Tenant.Kind.CUSTOMER, status=Tenant.Status.ACTIVE, server__isnull=False
    )
    for chunk in customer_selectors.chunks(accounts):
        for tenant in visible.filter(vos_account__in=chunk).select_related("server"):
            if scope.manages(tenant):
                customers.setdefault(tenant.vos_account, tenant)
    plans, seen = [], {}
    phone_form = PhoneCreateForm()
    for row in rows:
        data = dict(row["data"])
        account = data.pop("account", "")
        plan = RowPlan(line=row["line"], account=account, e164=data.get("e164", ""))
        plan.tenant = customers.get(account)
        if plan.tenant is None:
            plan.errors.append(
                _("Account: %(account)s is not one of your customer accounts.")
                % {"account": account or "—"}
            )
        form, payload = _phone_form(phone_form, data)
        if form.is_valid():
            plan.phone = payload
        else:
            plan.errors.extend(_form_errors(form))
        if plan.e164:
            if plan.e164 in seen:
                plan.errors.append(
                    _("The phone %(e164)s is also on line %(line)s of the file.")
                    % {"e164": plan.e164, "line": seen[plan.e164]}
                )
            seen.setdefault(plan.e164, plan.line)
        plans.append(plan)
    by_server: dict = {}
    for plan in plans:
        if plan.tenant is not None and plan.phone:
            by_server.setdefault(plan.tenant.server, []).append(plan)
    for server, group in by_server.items():
        owners = _phone_owners(server, [p.e164 for p in group])
        for plan in group:
            owner = owners.get(plan.e164)
            if owner is not None and owner == plan.account:
                plan.phone_exists = True
                plan.notes.append(_("The phone exists already: it is skipped."))
            elif owner is not None:
                plan.errors.append(
                    _("The phone %(e164)s exists in the switch already.") % {"e164": plan.e164}
                )
    return plans


# --- Imports -------------------------------------------------------------------------------
def upload(scope, requested_by, kind: str, name: str, data: bytes) -> BulkImport:
    """Read the file, check every row (the preview) and keep both. Raises
    files.FileRefused or VosError (VOS could not be asked) with nothing kept."""
    require_provider(scope, Action.CHANGE)
    rows = files.read_rows(kind, name, data)
    plans = plan_rows(scope, kind, rows)
    with transaction.atomic():
        job = BulkImport.objects.create(
            requested_by=requested_by,
            scope_user=scope.user,
            kind=kind,
            source_name=name[:255],
            digest=hashlib.sha256(data).hexdigest(),
            rows=rows,
            checks=[plan.as_check() for plan in plans],
            status=BulkStatus.PREVIEW,
            rows_total=sum(1 for plan in plans if plan.state != "error"),
            time_zone=getattr(requested_by, "time_zone", "") or "UTC",
            language=translation.get_language() or "",
            expires_at=timezone.now() + KEEP,
        )
        audit.record(
            "customers.bulk_import.upload",
            scope=scope,
            target=job,
            tenant=scope.tenant,
            payload={"kind": kind, "file": job.source_name, "rows": len(rows)},
        )
    return job


def confirm(scope, job: BulkImport) -> bool:
    """Queue the run of a checked file; False when it is not waiting for that."""
    require_provider(scope, Action.CHANGE)
    with transaction.atomic():
        if not BulkImport.objects.filter(pk=job.pk, status=BulkStatus.PREVIEW).update(
            status=BulkStatus.PENDING
        ):
            return False
        audit.record("customers.bulk_import.run", scope=scope, target=job, tenant=scope.tenant)
        enqueue(bulk_tasks.run_import, job.pk)
    return True


def retry_failed(scope, job: BulkImport) -> bool:
    """Queue the failed rows again (a phone whose account was made, an account VOS
    refused); False when there are none or the import is not finished."""
    require_provider(scope, Action.CHANGE)
    if job.status != BulkStatus.DONE or not job.count(*FAILED_OUTCOMES):
        return False
    with transaction.atomic():
        if not BulkImport.objects.filter(pk=job.pk, status=BulkStatus.DONE).update(
            status=BulkStatus.PENDING, rows_done=0, rows_total=job.count(*FAILED_OUTCOMES)
        ):
            return False
        audit.record("customers.bulk_import.retry", scope=scope, target=job, tenant=scope.tenant)
        enqueue(bulk_tasks.run_import, job.pk, True)
    return True


def _scope_of(job) -> Scope:
    acting = job.requested_by_id if job.requested_by_id != job.scope_user_id else None
    return Scope.for_user_id(job.scope_user_id, acting)


def _error_words(exc) -> str:
    if isinstance(exc, VosError):
        return vos.describe_error(exc, write=True)
    if isinstance(exc, OutOfScope):
        return _("Not allowed for this account.")
    if isinstance(exc, customer_services.TenantNotSaved):
        return _(
            "The switch made the account but the portal could not record it; it appears "
            "after the next sync. Do not create it again."
        )
    return str(exc)


def _run_row(scope, kind: str, plan: RowPlan) -> dict:
    result = {"line": plan.line, "account": plan.account, "e164": plan.e164}
    if plan.errors:
        return {**result, "outcome": "not_imported", "message": " ".join(plan.errors)}
    tenant, outcome = plan.tenant, "skipped"
    if kind == BulkImport.Kind.CUSTOMERS and tenant is None:
        try:
            tenant, _payload = customer_services.create_customer(
                scope, agent=plan.agent, payload=plan.payload
            )
        except (
            VosError,
            OutOfScope,
            customer_services.CustomerRefused,
            customer_services.TenantNotSaved,
        ) as exc:
            return {**result, "outcome": "failed", "message": _error_words(exc)}
        outcome = "created"
    if plan.phone and not plan.phone_exists:
        try:
            phone_services.create_phone(scope, tenant, plan.phone)
        except (VosError, OutOfScope) as exc:
            failed = "phone_failed" if kind == BulkImport.Kind.CUSTOMERS else "failed"
            return {**result, "outcome": failed, "message": _error_words(exc)}
        outcome = "created" if outcome == "created" or kind == "phones" else "phone_added"
    return {**result, "outcome": outcome, "message": ""}


def run_import(job_id: int, only_failed: bool = False) -> None:
    """The worker's run of one import (``tasks.run_import``): each row checked again
    and written, progress saved as it goes, then the result file."""
    if not BulkImport.objects.filter(pk=job_id, status=BulkStatus.PENDING).update(
        status=BulkStatus.RUNNING
    ):
        return
    job = BulkImport.objects.get(pk=job_id)
    try:
        scope = _scope_of(job)
        with translation.override(job.language or None):
            previous = {row["line"]: row for row in job.results}
            wanted = None
            if only_failed:
                wanted = {line for line, r in previous.items() if r["outcome"] in FAILED_OUTCOMES}
            rows = [r for r in job.rows if wanted is None or r["line"] in wanted]
            plans = plan_rows(scope, job.kind, rows)
            checks = {c["line"]: c for c in job.checks}
            results = dict(previous) if only_failed else {}
            done = 0
            for plan in plans:
                if not only_failed and checks.get(plan.line, {}).get("state") == "error":
                    plan.errors = plan.errors or checks[plan.line]["errors"]
                results[plan.line] = _run_row(scope, job.kind, plan)
                if plan.errors:
                    continue
                done += 1
                if done % SAVE_RESULTS_EVERY == 0:
                    BulkImport.objects.filter(pk=job.pk).update(
                        rows_done=done, results=sorted(results.values(), key=_by_line)
                    )
                elif done % SAVE_EVERY == 0:
                    BulkImport.objects.filter(pk=job.pk).update(rows_done=done)
            ordered = sorted(results.values(), key=_by_line)
            name = _write_results(job, ordered)
        BulkImport.objects.filter(pk=job.pk).update(
            status=BulkStatus.DONE,
            rows_done=done,
            results=ordered,
            rows=_without_passwords(job.rows, ordered),
            file_name=name,
            finished_at=datetime.now(UTC),
            expires_at=timezone.now() + KEEP,
        )
    except Exception as exc:
        log.exception("bulk import %s failed", job_id)
        BulkImport.objects.filter(pk=job.pk).update(
            status=BulkStatus.FAILED, error=type(exc).__name__[:255], finished_at=timezone.now()
        )
        raise


def _by_line(row: dict) -> int:
    return row.get("line", 0)


def _without_passwords(rows: list[dict], results: list[dict]) -> list[dict]:
    """Passwords of rows that need no retry are not kept."""
    retry = {r["line"] for r in results if r["outcome"] in FAILED_OUTCOMES}
    out = []
    for row in rows:
        if row["line"] in retry:
            out.append(row)
            continue
        data = {k: v for k, v in row["data"].items() if k not in ("password", "phonePassword")}
        out.append({"line": row["line"], "data": data})
    return out


def _write_results(job: BulkImport, results: list[dict]) -> str:
    name = f"bulk-import-{job.pk}-{secrets.token_hex(8)}.csv"
    header = [_("Line"), _("Account"), _("Phone"), _("Result"), _("Details")]
    rows = (
        [
            r["line"],
            r.get("account", ""),
            r.get("e164", ""),
            outcome_words(r["outcome"]),
            r.get("message", ""),
        ]
        for r in results
    )
    files.write_table(files.bulk_dir() / name, header, rows, xlsx=False)
    old = job.file_name
    if old:
        (files.bulk_dir() / old).unlink(missing_ok=True)
    return name


def record_download(scope, job) -> None:
    audit.record(
        "customers.bulk_file_downloaded",
        scope=scope,
        target=job,
        tenant=scope.tenant,
        payload={"file": job.file_name},
    )


def file_ready(job) -> bool:
    """An import's result file or an action's export, finished and not yet purged."""
    return job.status == BulkStatus.DONE and not job.is_expired and bool(job.file_name)


def download(scope, job, filename: str) -> FileResponse:
    """The job's file as an attachment named ``filename`` (the extension is added), its
    download audited; a file not ready, expired or gone is out of scope."""
    if not file_ready(job):
        raise OutOfScope(f"bulk file {job.pk!r} not available")
    path = files.bulk_dir() / job.file_name
    if not path.is_file():
        raise OutOfScope(f"bulk file {job.pk!r} gone")
    record_download(scope, job)
    xlsx = job.file_name.endswith(".xlsx")
    return FileResponse(
        open(path, "rb"),  # FileResponse closes it
        as_attachment=True,
        filename=f"{filename}.{'xlsx' if xlsx else 'csv'}",
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if xlsx
            else "text/csv; charset=utf-8"
        ),
    )


# --- Actions on the list -------------------------------------------------------------------
class ActionRefused(Exception):
    """The action cannot start; the message says why."""


def chosen_tenants(scope, *, ids=None, filters: dict | None = None):
    """The accounts an action is about: the ticked ones, or every one the list's filter
    matches; always within the list's own scope."""
    if filters is not None:
        form = CustomerSearchForm(filters)
        values = form.values()
        values.pop("per_page")
        return customer_selectors.customer_list(scope, **values)
    ids = [int(i) for i in ids or [] if str(i).isdigit()]
    return customer_selectors.listed_accounts(scope).filter(pk__in=ids).order_by("vos_account")


def start_action(scope, requested_by, action: str, tenants, params: dict) -> BulkAction:
    if not scope.is_provider:
        raise OutOfScope("bulk actions are for resellers and the platform")
    needed = {
        BulkAction.Action.EXPORT_CUSTOMERS: Action.VIEW,
        BulkAction.Action.EXPORT_PHONES: Action.VIEW,
        BulkAction.Action.TOPUP: Action.MOVE_MONEY,
    }.get(action, Action.CHANGE)
    if not scope.can(needed):
        raise ActionRefused(_("Your role may not do this."))
    ids = list(tenants.values_list("pk", flat=True))
    if not ids:
        raise ActionRefused(_("No account is chosen."))
    with transaction.atomic():
        job = BulkAction.objects.create(
            requested_by=requested_by,
            scope_user=scope.user,
            action=action,
            params=params,
            tenant_ids=ids,
            status=BulkStatus.PENDING,
            rows_total=len(ids),
            time_zone=getattr(requested_by, "time_zone", "") or "UTC",
            language=translation.get_language() or "",
            expires_at=timezone.now() + KEEP,
        )
        audit.record(
            "customers.bulk_action",
            scope=scope,
            target=job,
            tenant=scope.tenant,
            payload={"action": action, "accounts": len(ids), **params},
        )
    if len(ids) <= INLINE_ROWS and not job.is_export:
        run_action(job.pk)
        job.refresh_from_db()
    else:
        enqueue(bulk_tasks.run_action, job.pk)
    return job


def run_action(job_id: int) -> None:
    if not BulkAction.objects.filter(pk=job_id, status=BulkStatus.PENDING).update(
        status=BulkStatus.RUNNING
    ):
        return
    job = BulkAction.objects.get(pk=job_id)
    try:
        scope = _scope_of(job)
        with translation.override(job.language or None):
            if job.is_export:
                _export(scope, job)
            else:
                _act(scope, job)
    except Exception as exc:
        log.exception("bulk action %s failed", job_id)
        BulkAction.objects.filter(pk=job.pk).update(
            status=BulkStatus.FAILED, error=type(exc).__name__[:255], finished_at=timezone.now()
        )
        raise


def _act(scope, job: BulkAction) -> None:
    tenants = {
        t.pk: t
        for t in customer_selectors.listed_accounts(scope)
        .filter(pk__in=job.tenant_ids)
        .select_related("server")
    }
    results, done = [], 0
    for pk in job.tenant_ids:
        tenant = tenants.get(pk)
        if tenant is None:
            results.append({"tenant": pk, "account": "", "outcome": "gone", "message": ""})
        else:
            results.append(_act_on(scope, job, tenant))
        done += 1
        if done % SAVE_EVERY == 0:
            BulkAction.objects.filter(pk=job.pk).update(rows_done=done, results=results)
    BulkAction.objects.filter(pk=job.pk).update(
        status=BulkStatus.DONE, rows_done=done, results=results, finished_at=timezone.now()
    )


def topup_key(job: BulkAction, tenant: Tenant) -> str:
    """One key per action and account: a second run of the same action pays nobody twice."""
    return f"bulk-{job.pk}-{tenant.pk}"


def _act_on(scope, job: BulkAction, tenant: Tenant) -> dict:
    result = {"tenant": tenant.pk, "account": tenant.vos_account, "message": ""}
    try:
        if job.action in (BulkAction.Action.LOCK, BulkAction.Action.UNLOCK):
            customer_services.set_lock(scope, tenant, job.action == BulkAction.Action.LOCK)
        elif job.action == BulkAction.Action.FEE_RATE_GROUP:
            customer_services.modify_customer(scope, tenant, {"feeRateGroup": job.params["group"]})
        elif job.action == BulkAction.Action.TOPUP:
            transfer = money.topup(
                scope,
                tenant,
                job.params["amount"],
                key=topup_key(job, tenant),
                memo=_("Bulk top-up #%(id)s") % {"id": job.pk},
            )
            result["transfer"] = transfer.pk
            result["state"] = transfer.state
            if transfer.state in ("failed", "compensated"):
                return {**result, "outcome": "failed", "message": transfer.get_state_display()}
            if transfer.state != "succeeded":
                return {**result, "outcome": "done", "message": transfer.get_state_display()}
    except (VosError, OutOfScope, customer_services.CustomerRefused, money.MoneyRefused) as exc:
        return {**result, "outcome": "failed", "message": _error_words(exc)}
    return {**result, "outcome": "done"}


# --- Exports -------------------------------------------------------------------------------
def _local(ms, zone) -> str:
    if not ms:
        return ""
    return (
        datetime.fromtimestamp(int(ms) / 1000, UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    )


def _export(scope, job: BulkAction) -> None:
    zone = zoneinfo.ZoneInfo(job.time_zone)
    xlsx = job.params.get("format") == "xlsx"
    tenants = list(
        customer_selectors.listed_accounts(scope)
        .filter(pk__in=job.tenant_ids)
        .select_related("server", "parent")
        .order_by("vos_account")
    )
    name = f"{job.action}-{job.pk}-{secrets.token_hex(8)}.{'xlsx' if xlsx else 'csv'}"
    path = files.bulk_dir() / name
    counter = {"rows": 0, "accounts": 0}

    def progress(accounts: int) -> None:
        counter["accounts"] += accounts
        BulkAction.objects.filter(pk=job.pk).update(rows_done=counter["accounts"])

    if job.action == BulkAction.Action.EXPORT_CUSTOMERS:
        header, rows = _customer_rows(scope, tenants, zone, progress)
    else:
        header, rows = _phone_rows(scope, tenants, progress)

    def counted():
        for row in rows:
            counter["rows"] += 1
            yield row

    try:
        files.write_table(path, header, counted(), xlsx=xlsx, sheet="Export")
    except Exception:
        path.unlink(missing_ok=True)
        raise
    BulkAction.objects.filter(pk=job.pk).update(
        status=BulkStatus.DONE,
        rows_done=len(tenants),
        file_name=name,
        results=[{"outcome": "done", "rows": counter["rows"]}],
        finished_at=timezone.now(),
    )
    events.announce(
        "export.ready",
        tenant_path=scope.tenant.path if scope.tenant else "",
        data={
            "export_id": job.pk,
            "kind": "customers" if job.action == BulkAction.Action.EXPORT_CUSTOMERS else "phones",
            "format": "xlsx" if xlsx else "csv",
            "rows": counter["rows"],
            "download_path": reverse("bulk_action_download", args=[job.pk]),
        },
    )


def _customer_rows(scope, tenants, zone, progress):
    places = numbers.money_places()
    header = [
        _("Account"),
        _("Name"),
        _("Kind"),
        _("Agent"),
        _("Account type"),
        _("Lock"),
        _("Fee rate group"),
        _("Balance"),
        _("Overdraft limit"),
        _("Valid until (%(zone)s)") % {"zone": zone.key},
        _("Memo"),
    ]

    def rows():
        for chunk in customer_selectors.chunks(tenants):
            reading = customer_selectors.read_accounts(scope, chunk)
            for tenant in chunk:
                info = reading.info(tenant) or {}
                yield [
                    tenant.vos_account,
                    tenant.name,
                    tenant.get_kind_display(),
                    tenant.parent.vos_account if tenant.parent else "",
                    labels.label("InfoCustomer", "type", info.get("type", tenant.vos_type)),
                    labels.label(
                        "InfoCustomer", "lockType", info.get("lockType", int(tenant.vos_locked))
                    ),
                    info.get("feeRateGroup") or "",
                    numbers.plain(info.get("money"), places),
                    numbers.plain(info.get("limitMoney"), places),
                    _local(info.get("validTime"), zone),
                    info.get("memo", tenant.vos_memo) or "",
                ]
            progress(len(chunk))

    return header, rows()


def _phone_rows(scope, tenants, progress):
    header = [
        _("Account"),
        _("Phone number (E164)"),
        _("Display number"),
        _("Call level"),
        _("Lock"),
        _("Memo"),
    ]
    customers = [t for t in tenants if t.kind == Tenant.Kind.CUSTOMER and t.is_linked]

    def rows():
        by_server: dict = {}
        for tenant in customers:
            by_server.setdefault(tenant.server, []).append(tenant)
        for server, group in by_server.items():
            for chunk in customer_selectors.chunks(group):
                accounts = [t.vos_account for t in chunk]
                answer = vos.call(scope, server, "GetPhone", {"accounts": accounts})
                found = scope.keep_in_scope(server, answer.get("infoPhones") or [])
                for row in sorted(found, key=lambda r: (r.get("account", ""), r.get("e164", ""))):
                    yield [
                        row.get("account", ""),
                        row.get("e164", ""),
                        row.get("displayNumber", ""),
                        labels.label("InfoPhone", "callLevel", row.get("callLevel"), ""),
                        labels.label("InfoPhone", "lockType", row.get("lockType"), ""),
                        row.get("memo", ""),
                    ]
                progress(len(chunk))

    return header, rows()
