"""A customer account's phone book: list, add, edit and delete entries."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.roles import Action
from customers.phonebook import forms, selectors, services
from switch import labels, vos
from switch.shortcuts import READS, customer_page, not_allowed, vos_error_message
from vos3000.client.dates import moment_from_ms
from vos3000.errors import VosError, VosValidationError
from web.htmx import keep_in_place


# --- Phone book --------------------------------------------------------------------------
def _entry_row(entry: dict) -> dict:
    e164 = str(entry.get("e164") or "")
    return {
        **entry,
        # Entries made elsewhere may hold a number no URL can carry: shown, not linked.
        "linkable": bool(e164) and "/" not in e164 and e164.strip() == e164,
        "short_numbers": ", ".join(str(s) for s in entry.get("shortE164s") or []),
        # "None" (0) is left blank in the list.
        "device": labels.label(
            "InfoCustomerPhoneBook", "deviceType", entry.get("deviceType") or None
        ),
        "address": labels.label(
            "InfoCustomerPhoneBook", "addressType", entry.get("addressType") or None
        ),
        "updated": moment_from_ms(entry.get("lastUpdateTime")),
    }


@login_required
def customer_phonebook(request, tenant_id: int):
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    may_change = scope.can(Action.CHANGE)
    context = {"may_change": may_change, "error": "", "entries": []}
    if not tenant.is_linked:
        return customer_page(request, tenant, "phonebook/list.html", context)
    form = forms.PhoneBookForm()
    if request.method == "POST":
        if not may_change:
            raise Http404
        form = forms.PhoneBookForm(request.POST)
        if form.is_valid():
            try:
                services.add_phone_book_entry(scope, tenant, form.to_payload())
            except VosValidationError as exc:
                form.add_vos_error(exc)
            except VosError as exc:
                form.add_error(None, vos.describe_error(exc))
            else:
                messages.success(request, _("Added to the phone book."))
                if not request.htmx:
                    return redirect("customer_phonebook", tenant_id=tenant.pk)
                form = forms.PhoneBookForm()
    elif request.method not in READS:
        return not_allowed()
    try:
        context["entries"] = [_entry_row(e) for e in selectors.phone_book(scope, tenant)]
    except VosError as exc:
        context["error"] = vos.describe_error(exc)
    context["form"] = form
    if request.htmx and request.method == "POST":
        return customer_page(request, tenant, "phonebook/list.html#phonebook-body", context)
    return customer_page(request, tenant, "phonebook/list.html", context)


def _phone_book_entry_or_404(scope, tenant, e164: str) -> dict:
    entry = selectors.phone_book_entry(scope, tenant, e164)
    if entry is None:
        raise Http404("no such phone book entry")
    return entry


def _entry_to_change(request, tenant_id: int, e164: str, template: str):
    """(tenant, entry, answer) for the edit and delete pages of one entry: the answer is
    set when the page cannot go on (no VOS account, a wrong method, VOS failed). Roles
    without the right to change get the scope's 404 once the entry is known to exist."""
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    if not tenant.is_linked:
        return tenant, None, customer_page(request, tenant, template, {})
    if request.method not in (*READS, "POST"):
        return tenant, None, not_allowed()
    try:
        entry = _phone_book_entry_or_404(scope, tenant, e164)
    except VosError as exc:
        vos_error_message(request, exc)
        return tenant, None, redirect("customer_phonebook", tenant_id=tenant.pk)
    scope.require(Action.CHANGE)
    return tenant, entry, None


@login_required
def customer_phonebook_edit(request, tenant_id: int, e164: str):
    scope = request.scope
    tenant, entry, answer = _entry_to_change(request, tenant_id, e164, "phonebook/edit.html")
    if answer is not None:
        return answer
    form = forms.PhoneBookEditForm(initial=forms.PhoneBookEditForm.initial_for(entry))
    if request.method == "POST":
        if request.POST.get("cancel"):
            return _entry_or_list(request, tenant, entry)
        form = forms.PhoneBookEditForm(request.POST)
        if form.is_valid():
            payload = form.to_payload()
            if payload.get("newE164") == e164:
                payload.pop("newE164")
            try:
                services.change_phone_book_entry(scope, tenant, e164, payload)
            except VosValidationError as exc:
                form.add_vos_error(exc)
            except VosError as exc:
                form.add_error(None, vos.describe_error(exc))
            else:
                messages.success(request, _("Phone book entry saved."))
                new = form.cleaned_data["newE164"]
                with contextlib.suppress(VosError):
                    entry = selectors.phone_book_entry(scope, tenant, new) or entry
                return _entry_or_list(request, tenant, entry)
    context = {"entry": _entry_row(entry), "form": form, "may_change": True}
    if request.htmx:
        return customer_page(request, tenant, "phonebook/list.html#entry-form", context)
    return customer_page(request, tenant, "phonebook/edit.html", context)


def _entry_or_list(request, tenant, entry):
    """After an inline edit, htmx gets the entry's row back; a plain post the list."""
    if request.htmx:
        context = {"entry": _entry_row(entry), "may_change": True}
        return customer_page(request, tenant, "phonebook/list.html#entry-row", context)
    return redirect("customer_phonebook", tenant_id=tenant.pk)


@login_required
def customer_phonebook_delete(request, tenant_id: int, e164: str):
    scope = request.scope
    tenant, entry, answer = _entry_to_change(request, tenant_id, e164, "phonebook/delete.html")
    if answer is not None:
        return answer
    if request.method == "POST":
        try:
            services.delete_phone_book_entry(scope, tenant, e164)
        except VosError as exc:
            vos_error_message(request, exc)
            if request.htmx:
                return keep_in_place()
        else:
            messages.success(request, _("Removed from the phone book."))
            if request.htmx:
                return HttpResponse("")
        return redirect("customer_phonebook", tenant_id=tenant.pk)
    return customer_page(request, tenant, "phonebook/delete.html", {"entry": _entry_row(entry)})
