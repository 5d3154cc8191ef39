"""Customer pages: the list, create, the account's page (hub), edit, lock, valid time
and delete; the tenant tree (accounts list and detail, an admin's link of a VOS account)
and view-as. Every lookup goes through ``request.scope``; every VOS call through
``switch.vos.call``; VOS failures are shown in words, never as a 500."""

from __future__ import annotations

import secrets
from html import escape as text_escape

from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.middleware import VIEW_AS_SESSION_KEY
from accounts.models import Tenant
from accounts.roles import Action
from accounts.scope import OutOfScope
from accounts.sessions import needs_recent_auth
from billing.models import MoneySettings, MoneyTransfer
from billing.money import services as money
from customers import selectors, services
from customers.forms import (
    CustomerCreateForm,
    CustomerEditForm,
    CustomerSearchForm,
    TenantLinkForm,
    TenantSearchForm,
    ValidTimeForm,
)
from switch import vos
from vos3000.errors import VosError, VosUnavailable, VosValidationError
from web import querystring
from web.htmx import redirect_after, render_page_or_partial
from web.templatetags.portal import unknown, when


def _get_account_for_user(request, tenant_id) -> Tenant:
    """A customer or reseller account in the user's scope (404 otherwise)."""
    return request.scope.account_or_404(tenant_id)


def _get_changeable_account_for_user(request, tenant_id) -> Tenant:
    """An account the user may change: below their own tenant (404 otherwise)."""
    tenant = _get_account_for_user(request, tenant_id)
    services.require_changeable(request.scope, tenant)
    return tenant


def _may_change(scope, tenant) -> bool:
    try:
        services.require_changeable(scope, tenant)
    except OutOfScope:
        return False
    return True


def phone_create_url(tenant) -> str:
    """Where "add a first phone" goes (the phones pages are another part's)."""
    try:
        return reverse("phone_create", kwargs={"tenant_id": tenant.pk})
    except NoReverseMatch:
        return f"/customers/{tenant.pk}/phones/new/"


# --- List --------------------------------------------------------------------------------
_PK_MARK = 987654321  # a pk no URL part else contains, replaced by each row's


@login_required
def customer_list(request):
    scope = request.scope
    if scope.is_customer:
        return redirect_after(request, reverse("customer_detail", args=[scope.tenant.pk]))
    scope.require(Action.VIEW)
    form = CustomerSearchForm(request.GET or None)
    values = form.values()
    per_page = values.pop("per_page")
    tenants = selectors.customer_list(scope, **values)
    page, pending = _page_reading_soon(scope, selectors.Window(tenants), per_page, request)
    rows = page.object_list
    # One reverse() for the page, not one per row (a measurable part of a 100-row page).
    detail = reverse("customer_detail", args=[_PK_MARK])
    for tenant in rows:
        tenant.detail_url = detail.replace(str(_PK_MARK), str(tenant.pk))
    # Everything but what VOS's answer fills in is rendered while VOS answers: the page is
    # rendered with a mark where each of those goes (the balances' rows, the read time,
    # a failure in words), and the marks are replaced once the answer is in. After the
    # answer, only the rows are made (benchmarks/customer_list.py: the rest of the page,
    # rendered after the answer, was 2 ms of the page's time).
    query = request.GET.copy()
    query.pop("page", None)
    threshold = _threshold()
    marks = _Marks()
    context = {
        "form": form,
        "page": page,
        # What the answer said about each row, for whoever asks (the tests do).
        "rows": SimpleLazyObject(lambda: _rows_read(rows, pending.result())),
        "rows_html": marks.place("rows"),
        "read_at": marks.place("read_at"),
        "reading_errors": marks.place("errors"),
        "query": query.urlencode(),
        "may_create": scope.can(Action.CHANGE) and scope.is_provider,
        "threshold": threshold,
    }
    response = render_page_or_partial(request, "customers/list.html", "results", context)
    reading = pending.result()
    listed = _rows_read(rows, reading)
    return marks.fill(
        response,
        rows=customer_rows_html(listed, threshold) if listed else "",
        read_at=format_html(
            '· <span class="read-at">{} {}</span>', _("balances read"), when(reading.read_at)
        )
        if reading.read_at
        else "",
        errors=format_html_join(
            "", '<p class="form-errors" role="alert">{}</p>', ((e,) for e in reading.errors)
        ),
    )


def _rows_read(rows, reading) -> list:
    return [(tenant, reading.info(tenant)) for tenant in rows]


class _Marks:
    """Marks in a rendered page for what is filled in afterwards: random per response,
    so nothing a tenant or VOS wrote can be taken for one."""

    def __init__(self):
        self.token = secrets.token_hex(8)

    def place(self, name: str) -> SafeString:
        return mark_safe(f"<!--{self.token}:{name}-->")  # noqa: S308 - hex and a fixed name

    def fill(self, response, **values: str):
        content = response.content
        for name, value in values.items():
            content = content.replace(f"<!--{self.token}:{name}-->".encode(), str(value).encode())
        response.content = content
        return response


def customer_rows_html(rows, threshold) -> SafeString:
    """The list's table rows, made here rather than by a template loop: a 100-row page
    spent more on the loop's variable lookups and filters than on everything else it
    renders (benchmarks/customer_list.py). Every value from VOS or the database is
    escaped; the words are translated once per page. Every value here is plain text
    (none is a SafeString), so ``html.escape`` does what Django's ``escape`` does,
    without its lazy-string wrapper, five times a row."""
    # Outside the f-strings below: makemessages does not see a _() inside an f-string.
    locked, normal = _("locked"), _("normal")
    words = {
        "sub": _("sub-reseller"),
        "types": {1: _("Phone card"), 2: _("Clearing")},
        "general": _("General"),
        "low": _("low"),
        "locked": f'<span class="badge badge-bad">{text_escape(locked)}</span>',
        "normal": f'<span class="badge badge-ok">{text_escape(normal)}</span>',
        "unlinked": text_escape(_("This account is not linked to a VOS server.")),
        "unread": text_escape(_("Not read from VOS.")),
    }
    missing = str(unknown(None))
    sub_badge = f' <span class="badge">{text_escape(words["sub"])}</span>'
    low_badge = f' <span class="badge badge-warn">{text_escape(words["low"])}</span>'

    def shown(value) -> str:
        return missing if value is None or value == "" else text_escape(str(value))

    out = []
    for tenant, info in rows:
        pk = tenant.pk
        reseller = tenant.kind == Tenant.Kind.RESELLER
        customer = tenant.kind == Tenant.Kind.CUSTOMER
        out.append(
            f'<tr><td><label class="bulk-pick"><input type="checkbox" name="ids" value="{pk}"'
            f' form="bulk-form" aria-labelledby="account-{pk}"></label></td>'
            f'<td><a href="{text_escape(tenant.detail_url)}"><code id="account-{pk}">'
            f"{text_escape(tenant.vos_account or '—')}</code></a></td>"
            f"<td>{text_escape(tenant.name)}{sub_badge if reseller else ''}</td>"
        )
        if info:
            kind = words["types"].get(info.get("type"), words["general"])
            money = info.get("money")
            low = money is not None and money < threshold and customer
            out.append(
                f"<td>{text_escape(kind)}</td>"
                f'<td class="money"><span data-balance>{shown(info.get("moneyShown"))}</span>'
                f"{low_badge if low else ''}</td>"
                f'<td class="money">{shown(info.get("limitMoneyShown"))}</td>'
                f'<td class="money">{shown(info.get("todayConsumptionShown"))}</td>'
                f"<td>{words['locked'] if info.get('lockType') == 1 else words['normal']}</td>"
                f"<td>{text_escape(_memo(info.get('memo')))}</td></tr>"
            )
        elif not tenant.server_id or not tenant.vos_account:
            out.append(f'<td colspan="6"><small>{words["unlinked"]}</small></td></tr>')
        else:
            out.append(f'<td colspan="6"><small>{words["unread"]}</small></td></tr>')
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _memo(memo) -> str:
    """As the truncatechars filter shows it (40 characters), without its cost for the
    short memos most rows have."""
    memo = memo or ""
    return memo if len(memo) <= 40 else Truncator(memo).chars(40)


def _page_reading_soon(scope, window, per_page: int, request):
    """The page asked for and its balances' reading, already under way.

    The page's rows come first (from the index: the page number taken at its word) and
    VOS is asked at once; the subtree is counted while it answers. A page past the end
    is found by the count, and then the last page is read instead (the first guess was
    empty: nothing was asked of VOS for it)."""
    paginator = Paginator(window, per_page)
    number = querystring.page_number(request)
    rows = window.rows((number - 1) * per_page, number * per_page)
    pending = selectors.read_accounts_soon(scope, rows, times=False)
    pending.loaded_tenants = rows
    try:
        number = paginator.validate_number(number)  # the count
    except EmptyPage:
        page = paginator.get_page(number)
        pending = selectors.read_accounts_soon(scope, page.object_list, times=False)
        pending.loaded_tenants = page.object_list
        return page, pending
    return Page(rows, number, paginator), pending


def _threshold():
    return MoneySettings.current().low_balance_threshold


# --- Create ------------------------------------------------------------------------------
@login_required
def customer_create(request):
    scope = request.scope
    if scope.is_customer:
        return redirect_after(request, reverse("customer_detail", args=[scope.tenant.pk]))
    scope.require(Action.CHANGE)
    agents = list(selectors.agent_choices(scope))
    if not scope.is_platform:
        # A reseller creates below itself or one of its sub-resellers.
        agents = [a for a in agents if a.path.startswith(scope.tenant.path)]
    if not agents:
        messages.error(
            request,
            _("Your account is not linked to a VOS server, so no accounts can be made below it."),
        )
        return render(request, "customers/create.html", {"form": None})
    server = agents[0].server
    groups_error = ""
    try:
        groups = selectors.fee_rate_group_choices(scope, server)
    except VosError as exc:
        groups, groups_error = [], vos.describe_error(exc)
    form = CustomerCreateForm(
        request.POST or None,
        agents=agents,
        default_agent=scope.tenant,
        groups=groups,
        may_set_overdraft=scope.can(Action.MOVE_MONEY),
    )
    if groups_error:
        form.fields["feeRateGroup"].help_text = groups_error
    if request.method == "POST" and form.is_valid():
        try:
            tenant, _payload = services.create_customer(
                scope,
                agent=form.agent(),
                payload=form.to_payload(),
                as_reseller=form.cleaned_data["is_reseller"],
            )
        except VosValidationError as exc:
            form.add_vos_error(exc)
        except VosUnavailable as exc:
            if exc.may_have_been_applied:
                form.add_error(
                    None,
                    _(
                        "The switch did not confirm that it created the account. If it "
                        "did, the account appears in your list after the next sync with "
                        "the switch (within minutes); sending this form again is safe: "
                        "the switch refuses an account that exists already."
                    ),
                )
            else:
                form.add_error(None, vos.describe_error(exc))
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc))
        except services.CustomerRefused as exc:
            form.add_error(None, str(exc))
        except services.TenantNotSaved as exc:
            messages.error(
                request,
                _(
                    "The account %(account)s was created in VOS, but the portal could not "
                    "record it. It will appear here after the next sync with VOS; do not "
                    "create it again."
                )
                % {"account": exc.args[0]},
            )
            return redirect("customer_list")
        else:
            messages.success(
                request, _("The account %(account)s was created.") % {"account": tenant.vos_account}
            )
            return redirect(f"{reverse('customer_detail', args=[tenant.pk])}?created=1")
    return render(request, "customers/create.html", {"form": form})


# --- The account's page --------------------------------------------------------------------
@login_required
def customer_detail(request, tenant_id: int):
    scope = request.scope
    tenant = _get_account_for_user(request, tenant_id)
    reading = None
    if tenant.is_linked and tenant.status == Tenant.Status.ACTIVE:
        reading = selectors.read_account(scope, tenant)
    info = reading.info(tenant) if reading else None
    children = (
        tenant.children.filter(status=Tenant.Status.ACTIVE).order_by("name")
        if tenant.kind == Tenant.Kind.RESELLER
        else []
    )
    context = {
        "tenant": tenant,
        "linked": tenant.is_linked,
        "reading": reading,
        "info": info,
        "locked": bool(info and info.get("lockType") == 1),
        "may_change": _may_change(scope, tenant),
        "children": children,
        "created": querystring.flag(request, "created"),
        "phone_create_url": phone_create_url(tenant),
    }
    return render(request, "customers/detail.html", context)


def _read_or_message(request, tenant):
    """The account's VOS info for a form page, or None with the reason as an error."""
    if not tenant.is_linked:
        messages.error(request, selectors.no_link_message())
        return None
    if tenant.status != Tenant.Status.ACTIVE:
        messages.error(request, _("This account was deleted in VOS."))
        return None
    reading = selectors.read_account(request.scope, tenant)
    for error in reading.errors:
        messages.error(request, error)
    info = reading.info(tenant)
    if info is None and not reading.errors:
        messages.error(request, _("VOS has no such account any more."))
    return info


@login_required
def customer_edit(request, tenant_id: int):
    scope = request.scope
    tenant = _get_changeable_account_for_user(request, tenant_id)
    info = _read_or_message(request, tenant)
    if info is None:
        return render(request, "customers/edit.html", {"tenant": tenant, "form": None})
    current_group = info.get("feeRateGroup") or ""
    groups_error = ""
    try:
        groups = selectors.fee_rate_group_choices(scope, tenant.server)
    except VosError as exc:
        groups, groups_error = [], vos.describe_error(exc)
    options = {
        "groups": groups,
        "current_group": current_group,
        "may_set_overdraft": scope.can(Action.MOVE_MONEY),
    }
    initial = CustomerEditForm.initial_from(info)
    form = CustomerEditForm(request.POST or None, initial=initial, **options)
    if groups_error:
        form.fields["feeRateGroup"].help_text = groups_error
    if request.method == "POST" and form.is_valid():
        try:
            services.modify_customer(scope, tenant, form.to_payload(), before=info)
        except VosValidationError as exc:
            form.add_vos_error(exc)
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc, write=True))
        except services.CustomerRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The account was saved."))
            return redirect_after(request, reverse("customer_detail", args=[tenant.pk]))
    return render(request, "customers/edit.html", {"tenant": tenant, "form": form})


@login_required
@require_POST
def customer_lock(request, tenant_id: int):
    scope = request.scope
    tenant = _get_changeable_account_for_user(request, tenant_id)
    locked = request.POST.get("lock") == "1"
    try:
        services.set_lock(scope, tenant, locked)
    except VosError as exc:
        messages.error(request, vos.describe_error(exc, write=True))
    except services.CustomerRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The account is locked: its phones cannot call.")
            if locked
            else _("The account is unlocked."),
        )
    if request.htmx:
        return render(
            request,
            "customers/detail.html#lock-state",
            {"tenant": tenant, "locked": tenant.vos_locked, "may_change": True},
        )
    return redirect("customer_detail", tenant_id=tenant.pk)


@login_required
def customer_valid_time(request, tenant_id: int):
    scope = request.scope
    tenant = _get_changeable_account_for_user(request, tenant_id)
    info = _read_or_message(request, tenant)
    if info is None:
        return render(request, "customers/valid_time.html", {"tenant": tenant, "form": None})
    current = info.get("validTimeAt")
    initial = {"valid_until": timezone.localtime(current)} if current else {}
    form = ValidTimeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_valid_time(
                scope, tenant, form.cleaned_data["valid_until"], before_ms=info.get("validTime")
            )
        except VosValidationError as exc:
            form.add_error("valid_until", exc.message)
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc, write=True))
        except services.CustomerRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The account's valid time was changed."))
            return redirect_after(request, reverse("customer_detail", args=[tenant.pk]))
    return render(
        request,
        "customers/valid_time.html",
        {"tenant": tenant, "form": form, "current": current},
    )


@login_required
def customer_delete(request, tenant_id: int):
    """GET: the confirmation page, with the reasons it cannot be deleted yet, if any;
    when only a positive balance stands in the way, it offers to return the balance to
    the person deleting (a take-back of all of it) and then delete. POST: delete (the
    checks run again: things change between the two)."""
    scope = request.scope
    tenant = _get_changeable_account_for_user(request, tenant_id)
    context = {"tenant": tenant, "reasons": [], "error": ""}
    if not tenant.is_linked or tenant.status != Tenant.Status.ACTIVE:
        context["error"] = (
            selectors.no_link_message()
            if not tenant.is_linked
            else _("This account was deleted in VOS.")
        )
        return render(request, "customers/delete.html", context)
    if request.method == "POST":
        go_on = True
        if request.POST.get("action") == "return_and_delete":
            go_on = _return_balance_first(request, tenant)
        if go_on:
            try:
                users = services.delete_customer(scope, tenant)
            except services.CustomerRefused as exc:
                messages.error(request, _("The account was not deleted: %(why)s") % {"why": exc})
            except VosError as exc:
                messages.error(request, vos.describe_error(exc, write=True))
            else:
                text = _("The account %(account)s was deleted.") % {"account": tenant.vos_account}
                if users:
                    text += " " + _("%(count)s user(s) who signed in to it were deactivated.") % {
                        "count": len(users)
                    }
                messages.success(request, text)
                return redirect_after(request, reverse("customer_list"))
        if request.htmx:
            return redirect_after(request, reverse("customer_delete", args=[tenant.pk]))
    try:
        check = services.deletion_check(scope, tenant)
    except VosError as exc:
        context["error"] = vos.describe_error(exc)
    else:
        context["reasons"] = services.deletion_blockers_of(check)
        context["balance_positive"] = check.money is not None and check.money > 0
        context["may_take_back"] = scope.may_top_up(tenant)
        context["offer_return"] = check.only_money_left and scope.may_top_up(tenant)
        context["money"] = check.money
        context["key"] = money.new_idempotency_key()
    return render(request, "customers/delete.html", context)


def _return_balance_first(request, tenant) -> bool:
    """Take the whole balance back to the person deleting; True once it is back (the
    delete may go on). Nothing is taken when something else stands in the way."""
    scope = request.scope
    try:
        check = services.deletion_check(scope, tenant)
    except VosError as exc:
        messages.error(request, vos.describe_error(exc))
        return False
    if check.others or not scope.may_top_up(tenant):
        messages.error(
            request,
            _("The account was not deleted: %(why)s")
            % {"why": " ".join(services.deletion_blockers_of(check))},
        )
        return False
    if check.money is None or check.money <= 0:
        return check.money is not None and check.money == 0  # nothing to return
    if needs_recent_auth(request, check.money):
        raise ReauthenticationRequired()
    try:
        transfer = money.return_balance(
            scope,
            tenant,
            key=request.POST.get("key") or money.new_idempotency_key(),
            memo="returned before deleting the account",
        )
    except money.MoneyRefused as exc:
        messages.error(request, _("The balance was not returned: %(why)s") % {"why": exc})
        return False
    if transfer.state == MoneyTransfer.State.SUCCEEDED:
        return True
    if transfer.is_open:
        messages.warning(
            request,
            _(
                "The balance is being returned and is being confirmed with the switch "
                "(transfer #%(number)s). Delete the account once that is done."
            )
            % {"number": transfer.pk},
        )
    else:
        messages.error(
            request,
            _("The balance was not returned (transfer #%(number)s), so the account was kept.")
            % {"number": transfer.pk},
        )
    return False


PAGE_SIZE = 50


@login_required
def tenant_list(request):
    scope = request.scope
    form = TenantSearchForm(request.GET or None)
    tenants = scope.tenants().exclude(kind=Tenant.Kind.PLATFORM)
    if form.is_valid():
        if query := form.cleaned_data["q"].strip():
            tenants = tenants.filter(Q(name__icontains=query) | Q(vos_account__icontains=query))
        if kind := form.cleaned_data["kind"]:
            tenants = tenants.filter(kind=kind)
    # Ordered by path, the list reads as the tree; keyset on path keeps paging cheap.
    tenants = tenants.order_by("path")
    after = querystring.text(request, "after")
    if after:
        tenants = tenants.filter(path__gt=after)
    page = list(tenants[: PAGE_SIZE + 1])
    context = {
        "form": form,
        "tenants": page[:PAGE_SIZE],
        "next_after": page[PAGE_SIZE - 1].path if len(page) > PAGE_SIZE else "",
        "base_depth": scope.tenant.depth if scope.tenant else 0,
    }
    return render_page_or_partial(request, "tenants/list.html", "tenant-rows", context)


@login_required
def tenant_detail(request, tenant_id: int):
    scope = request.scope
    tenant = scope.tenant_or_404(tenant_id)
    users = scope.users().filter(tenant=tenant).select_related("tenant").order_by("email")
    return render(
        request,
        "tenants/detail.html",
        {
            "tenant": tenant,
            "ancestors": tenant.ancestors().filter(path__startswith=scope.tenant.path),
            "children": tenant.children.order_by("name"),
            "users": [(user, scope.may_view_as(user)) for user in users],
        },
    )


@login_required
@require_POST
def view_as_start(request, user_id: int):
    scope = request.scope
    target = scope.user_or_404(user_id)
    if not scope.may_view_as(target):
        raise OutOfScope("view-as not allowed")
    request.session[VIEW_AS_SESSION_KEY] = target.pk
    audit.record("user.view_as.start", scope=scope, target=target, tenant=target.tenant)
    messages.info(
        request, _("You are now viewing the portal as %(email)s.") % {"email": target.email}
    )
    return redirect("dashboard")


@login_required
@require_POST
def view_as_stop(request):
    scope = request.scope
    if scope.acting_user is not None:
        audit.record("user.view_as.stop", scope=scope, target=scope.user, tenant=scope.user.tenant)
    request.session.pop(VIEW_AS_SESSION_KEY, None)
    return redirect("dashboard")


@login_required
def tenant_link(request):
    scope = request.scope
    scope.require(Action.RUN_PLATFORM)
    form = TenantLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tenant = services.link_vos_account(
                data["server"], data["vos_account"].strip(), data["kind"]
            )
        except services.LinkRefused as exc:
            form.add_error("vos_account", str(exc))
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc))
        else:
            audit.record(
                "tenant.link",
                scope=scope,
                target=tenant,
                vos_server=data["server"],
                after={
                    "vos_account": tenant.vos_account,
                    "kind": tenant.kind,
                    "parent": tenant.parent_id,
                },
            )
            messages.success(request, _("%(name)s is now a tenant.") % {"name": tenant.name})
            return redirect("tenant_detail", tenant_id=tenant.pk)
    return render(request, "tenants/link.html", {"form": form})
