"""A customer's active phone cards, the numbers bound to them and its E164 converts
(pages for the customer's provider, resellers and the platform; customers get 404), and
the limited-number groups of the scope's resellers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.models import Tenant
from accounts.roles import Action
from accounts.scope import OutOfScope
from switch import vos
from switch.models import VosServer
from switch.shortcuts import (
    customer,
    not_linked,
    require_provider,
    run_delete,
    unavailable,
)
from telephony.numbers import selectors, services
from telephony.numbers.forms import (
    BindingCreateForm,
    BindingEditForm,
    CardCreateForm,
    CardEditForm,
    ConvertCreateForm,
    ConvertEditForm,
    LimitedGroupForm,
    LimitedNumbersForm,
    masked_pin,
)
from telephony.phones import selectors as phone_selectors
from vos3000.errors import VosError, VosValidationError
from web.htmx import redirect_after


def _provider_page(request, tenant_id: int):
    """The customer, for its provider: 404 for customers; POSTs need CHANGE."""
    scope = request.scope
    tenant = customer(request, tenant_id)
    require_provider(scope, Action.CHANGE if request.method == "POST" else Action.VIEW)
    return scope, tenant


def _provider_object(request, tenant_id: int, find, title):
    """The customer (provider pages only, through the scope) and one of its objects,
    looked up by ``find`` through the scope; or, as the last item, the page to answer
    instead (not linked to VOS, or VOS unavailable)."""
    scope, tenant = _provider_page(request, tenant_id)
    if not tenant.is_linked:
        return scope, tenant, None, not_linked(request, tenant)
    try:
        return scope, tenant, find(scope, tenant), None
    except VosError as exc:
        return scope, tenant, None, unavailable(request, tenant, exc, title=title)


def _edit_page(request, scope, tenant, form, save, *, saved, back, template, section, context):
    """The edit page of one card, binding or convert the view has read through the scope.
    A valid POST is written by `save()`: done, the `saved` news and back to the list
    `back`; refused, VOS's reasons on the form and the page again."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except VosValidationError as exc:
            form.add_vos_error(exc)
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc, write=True))
        else:
            messages.success(request, saved)
            return redirect(back, tenant_id=tenant.pk)
    return render(
        request,
        template,
        {
            "tenant": tenant,
            **context,
            "form": form,
            "may_change": scope.can(Action.CHANGE),
            "section": section,
        },
    )


def _delete_page(request, tenant, delete, *, deleted, back, section, what, note=None):
    """The confirmation for deleting `what`, one card, binding or convert the view has read
    through the scope; a POST deletes it by `delete()`. From an htmx row button both
    outcomes are a toast; otherwise done goes back to the list `back`, refused shows the
    confirmation again with the reason."""
    error = ""
    if request.method == "POST":
        done_url = reverse(back, kwargs={"tenant_id": tenant.pk})
        answer, error = run_delete(request, delete, deleted=deleted, done_url=done_url)
        if answer is not None:
            return answer
    context = {"tenant": tenant, "what": what, "error": error, "back": back, "section": section}
    if note is not None:
        context["note"] = note
    return render(request, "numbers/confirm_delete.html", context)


# --- Active phone cards ------------------------------------------------------------------
@login_required
@never_cache
def card_list(request, tenant_id: int):
    scope, tenant = _provider_page(request, tenant_id)
    if not tenant.is_linked:
        return not_linked(request, tenant)
    form = CardCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password = services.create_card(scope, tenant, form.to_payload())
        except VosValidationError as exc:
            form.add_vos_error(exc)
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc, write=True))
        else:
            pin = form.cleaned_data["pin"]
            messages.success(request, _("Card %(pin)s added.") % {"pin": masked_pin(pin)})
            if password:
                response = render(
                    request,
                    "numbers/card_password.html",
                    {"tenant": tenant, "pin": pin, "password": password},
                )
                response["Cache-Control"] = "no-store"
                return response
            return redirect("card_list", tenant_id=tenant.pk)
    try:
        cards = selectors.active_cards(scope, tenant)
        bound = selectors.bindings(scope, tenant)
    except VosError as exc:
        return unavailable(request, tenant, exc, title=_("Cards & numbers"))
    counts: dict[str, int] = {}
    for row in bound:
        counts[row["card_ref"]] = counts.get(row["card_ref"], 0) + 1
    return render(
        request,
        "numbers/cards.html",
        {
            "tenant": tenant,
            "cards": [
                (card, masked_pin(card["pin"]), counts.get(card["ref"], 0)) for card in cards
            ],
            "form": form,
            "may_change": scope.can(Action.CHANGE),
            "section": "cards",
        },
    )


@login_required
def card_edit(request, tenant_id: int, card_ref: str):
    scope, tenant, card, answer = _provider_object(
        request,
        tenant_id,
        lambda scope, tenant: selectors.card_or_404(scope, tenant, card_ref),
        _("Card"),
    )
    if answer:
        return answer
    form = CardEditForm(
        request.POST or None, initial=CardEditForm.initial_from(card) | {"password": ""}
    )
    return _edit_page(
        request,
        scope,
        tenant,
        form,
        lambda: services.modify_card(scope, tenant, card, form.to_payload()),
        saved=_("Card %(pin)s saved.") % {"pin": masked_pin(card["pin"])},
        back="card_list",
        template="numbers/card_edit.html",
        section="cards",
        context={"card": card},
    )


@login_required
def card_delete(request, tenant_id: int, card_ref: str):
    scope, tenant, card, answer = _provider_object(
        request,
        tenant_id,
        lambda scope, tenant: selectors.card_or_404(scope, tenant, card_ref),
        _("Card"),
    )
    if answer:
        return answer
    label = masked_pin(card["pin"])
    return _delete_page(
        request,
        tenant,
        lambda: services.delete_card(scope, tenant, card),
        deleted=_("Card %(pin)s deleted.") % {"pin": label},
        back="card_list",
        section="cards",
        what=_("the card %(pin)s") % {"pin": label},
        note=_("A card with bound numbers cannot be deleted: remove its numbers first."),
    )


# --- Numbers bound to cards --------------------------------------------------------------
def _card_by_ref(cards: list[dict], ref: str) -> dict | None:
    return next((card for card in cards if card["ref"] == ref), None)


@login_required
def number_list(request, tenant_id: int):
    scope, tenant = _provider_page(request, tenant_id)
    if not tenant.is_linked:
        return not_linked(request, tenant)
    try:
        cards = selectors.active_cards(scope, tenant)
    except VosError as exc:
        return unavailable(request, tenant, exc, title=_("Cards & numbers"))
    form = BindingCreateForm(request.POST or None, cards=cards)
    if request.method == "POST" and form.is_valid():
        card = _card_by_ref(cards, form.cleaned_data["card"])
        try:
            services.create_binding(scope, tenant, card, form.to_payload())
        except VosValidationError as exc:
            form.add_vos_error(exc)
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc, write=True))
        else:
            messages.success(
                request, _("%(e164)s bound to the card.") % {"e164": form.cleaned_data["e164"]}
            )
            return redirect("number_list", tenant_id=tenant.pk)
    try:
        bound = selectors.bindings(scope, tenant)
    except VosError as exc:
        return unavailable(request, tenant, exc, title=_("Cards & numbers"))
    return render(
        request,
        "numbers/numbers.html",
        {
            "tenant": tenant,
            "bindings": [(row, masked_pin(row.get("pin"))) for row in bound],
            "form": form,
            "has_cards": bool(cards),
            "may_change": scope.can(Action.CHANGE),
            "section": "numbers",
        },
    )


@login_required
def binding_edit(request, tenant_id: int, e164: str):
    scope, tenant = _provider_page(request, tenant_id)
    if not tenant.is_linked:
        return not_linked(request, tenant)
    try:
        binding = selectors.binding_or_404(scope, tenant, e164)
        cards = selectors.active_cards(scope, tenant)
    except VosError as exc:
        return unavailable(request, tenant, exc, title=e164)
    initial = BindingEditForm.initial_from(binding) | {"card": binding["card_ref"]}
    form = BindingEditForm(request.POST or None, initial=initial, cards=cards)

    def save():
        card = _card_by_ref(cards, form.cleaned_data["card"])
        services.modify_binding(scope, tenant, binding, card, form.to_payload())

    return _edit_page(
        request,
        scope,
        tenant,
        form,
        save,
        saved=_("%(e164)s saved.") % {"e164": e164},
        back="number_list",
        template="numbers/binding_edit.html",
        section="numbers",
        context={"binding": binding},
    )


@login_required
def binding_delete(request, tenant_id: int, e164: str):
    scope, tenant = _provider_page(request, tenant_id)
    if not tenant.is_linked:
        return not_linked(request, tenant)
    try:
        binding = selectors.binding_or_404(scope, tenant, e164)
    except VosError as exc:
        return unavailable(request, tenant, exc, title=e164)
    return _delete_page(
        request,
        tenant,
        lambda: services.delete_binding(scope, tenant, binding),
        deleted=_("%(e164)s is no longer bound.") % {"e164": e164},
        back="number_list",
        section="numbers",
        what=_("the bound number %(e164)s") % {"e164": e164},
    )


# --- E164 converts -----------------------------------------------------------------------
@login_required
def convert_list(request, tenant_id: int):
    scope, tenant = _provider_page(request, tenant_id)
    if not tenant.is_linked:
        return not_linked(request, tenant)
    try:
        phones = phone_selectors.phones(scope, tenant)
    except VosError as exc:
        return unavailable(request, tenant, exc, title=_("Cards & numbers"))
    form = ConvertCreateForm(request.POST or None, phones=phones)
    if request.method == "POST" and form.is_valid():
        phone = next(p for p in phones if p["e164"] == form.cleaned_data["phone"])
        try:
            services.create_convert(scope, tenant, phone, form.to_payload())
        except VosValidationError as exc:
            form.add_vos_error(exc)
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc, write=True))
        else:
            messages.success(request, _("Convert added to %(e164)s.") % {"e164": phone["e164"]})
            return redirect("convert_list", tenant_id=tenant.pk)
    try:
        rows = selectors.converts(scope, tenant)
    except VosError as exc:
        return unavailable(request, tenant, exc, title=_("Cards & numbers"))
    return render(
        request,
        "numbers/converts.html",
        {
            "tenant": tenant,
            "converts": rows,
            "form": form,
            "has_phones": bool(phones),
            "may_change": scope.can(Action.CHANGE),
            "section": "converts",
        },
    )


@login_required
def convert_edit(request, tenant_id: int, convert_id: int):
    scope, tenant, convert, answer = _provider_object(
        request,
        tenant_id,
        lambda scope, tenant: selectors.convert_or_404(scope, tenant, convert_id),
        _("Convert"),
    )
    if answer:
        return answer
    form = ConvertEditForm(request.POST or None, initial=ConvertEditForm.initial_from(convert))
    return _edit_page(
        request,
        scope,
        tenant,
        form,
        lambda: services.modify_convert(scope, tenant, convert, form.to_payload()),
        saved=_("Convert saved."),
        back="convert_list",
        template="numbers/convert_edit.html",
        section="converts",
        context={"convert": convert},
    )


@login_required
def convert_delete(request, tenant_id: int, convert_id: int):
    scope, tenant, convert, answer = _provider_object(
        request,
        tenant_id,
        lambda scope, tenant: selectors.convert_or_404(scope, tenant, convert_id),
        _("Convert"),
    )
    if answer:
        return answer
    return _delete_page(
        request,
        tenant,
        lambda: services.delete_convert(scope, tenant, convert),
        deleted=_("Convert deleted."),
        back="convert_list",
        section="converts",
        what=_("the convert of %(caller)s to %(e164)s")
        % {"caller": convert.get("mappingGatewayCallerE164"), "e164": convert.get("e164")},
    )


def _owner_choices(scope) -> list[tuple[str, str]]:
    """Who may own a new group: the resellers in the scope that have a VOS account, and
    for admins the platform itself (on each server)."""
    choices = []
    if scope.is_platform:
        choices += [
            (f"p:{server.pk}", _("Platform (%(server)s)") % {"server": server.name})
            for server in VosServer.objects.filter(enabled=True)
        ]
    resellers = (
        scope.tenants()
        .filter(kind=Tenant.Kind.RESELLER, status=Tenant.Status.ACTIVE, server__isnull=False)
        .exclude(vos_account="")
        .select_related("server")
        .order_by("path")
    )
    choices += [(f"t:{t.pk}", f"{t.name} ({t.vos_account})") for t in resellers]
    return choices


def _resolve_owner(scope, value: str):
    """(owner tenant, server) of an owner choice, checked against the scope again."""
    kind, _sep, pk = value.partition(":")
    if kind == "p" and scope.is_platform:
        return Tenant.platform_root(), VosServer.objects.get(pk=int(pk), enabled=True)
    owner = scope.tenant_or_404(pk)
    if owner.kind != Tenant.Kind.RESELLER or not owner.server_id or not owner.vos_account:
        raise OutOfScope("a group owner is a reseller with a VOS account")
    return owner, owner.server


@login_required
def limited_group_list(request):
    scope = request.scope
    may_create = scope.is_provider and scope.can(Action.CHANGE)
    form = None
    if may_create:
        form = LimitedGroupForm(request.POST or None, owners=_owner_choices(scope))
    if request.method == "POST":
        require_provider(scope, Action.CHANGE)
        if form.is_valid():
            owner, server = _resolve_owner(scope, form.cleaned_data["owner"])
            try:
                group = services.create_limited_group(
                    scope,
                    server=server,
                    owner=owner,
                    name=form.cleaned_data["name"],
                    memo=form.cleaned_data["memo"],
                    numbers=form.cleaned_data["numbers"],
                )
            except services.GroupExists as exc:
                form.add_error("name", _("A group named %(name)s exists already.") % {"name": exc})
            except VosValidationError as exc:
                form.add_error("numbers", exc.message)
            except VosError as exc:
                form.add_error(None, vos.describe_error(exc, write=True))
            else:
                messages.success(request, _("Group %(name)s created.") % {"name": group.name})
                return redirect("limited_group_detail", group_id=group.pk)
    groups = (
        selectors.limited_groups(scope).annotate(number_count=Count("numbers")).order_by("name")
    )
    return render(
        request,
        "numbers/limited_list.html",
        {"groups": groups, "form": form, "is_provider": scope.is_provider},
    )


@login_required
def limited_group_detail(request, group_id: int):
    scope = request.scope
    group = selectors.limited_group_or_404(scope, group_id)
    may_change = scope.can(Action.CHANGE)
    form = LimitedNumbersForm()
    confirm_delete = False
    error = ""
    if request.method == "POST":
        require_provider(scope, Action.CHANGE)
        action = request.POST.get("action", "")
        try:
            if action == "add":
                form = LimitedNumbersForm(request.POST)
                if form.is_valid():
                    services.add_limited_numbers(scope, group, form.cleaned_data["numbers"])
                    messages.success(request, _("Numbers added."))
                    return redirect("limited_group_detail", group_id=group.pk)
            elif action == "remove":
                chosen = request.POST.getlist("e164")
                known = set(group.numbers.filter(e164__in=chosen).values_list("e164", flat=True))
                if not known:
                    error = _("Tick the numbers to remove.")
                elif services.remove_limited_numbers(scope, group, sorted(known)):
                    messages.success(request, _("The group is gone with its last number."))
                    return redirect("limited_group_list")
                else:
                    messages.success(request, _("Numbers removed."))
                    return redirect("limited_group_detail", group_id=group.pk)
            elif action == "delete":
                if request.POST.get("confirm") != "yes" and not request.htmx:
                    confirm_delete = True
                else:
                    name = group.name
                    services.delete_limited_group(scope, group)
                    messages.success(request, _("Group %(name)s deleted.") % {"name": name})
                    return redirect_after(request, reverse("limited_group_list"))
        except VosValidationError as exc:
            error = exc.message
        except VosError as exc:
            error = vos.describe_error(exc, write=True)
    return render(
        request,
        "numbers/limited_detail.html",
        {
            "group": group,
            "numbers": group.numbers.all(),
            "form": form,
            "may_change": may_change and scope.is_provider,
            "confirm_delete": confirm_delete,
            "error": error,
        },
    )
