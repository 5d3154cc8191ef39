"""IVR & media console (platform admins; auditors read): IVR audios and their sound
(2.67-2.71), the IVR tools PlayAudio (2.60) and GetIvrSecondAvailableTime (2.62), the
DTMF rules answering PushDtmfInfo(s) (3.1, 3.2), and media block IPs (2.80, 2.81).

Every view first refuses (404) anyone outside the platform; writes need
RUN_PLATFORM, so auditors see the pages without the buttons and get 404 on a POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import Action
from switch import vos
from switch.servers import enabled_server_or_404, enabled_servers
from switch.shortcuts import run_delete, write_on_form
from telephony.ivr_media import dtmf, selectors, services
from telephony.ivr_media.forms import (
    AudioCreateForm,
    AudioEditForm,
    AudioFilterForm,
    AudioUploadForm,
    DtmfRuleForm,
    IvrTimeForm,
    MediaBlockForm,
    PlayAudioForm,
    audio_type_choices,
)
from vos3000.errors import VosError, VosValidationError
from web import querystring
from web.htmx import keep_in_place


def _may_change(scope) -> bool:
    return scope.can(Action.RUN_PLATFORM)


def _type_label(audio_type: int) -> str:
    return dict(audio_type_choices()).get(audio_type, str(audio_type))


def _htmx_gone(request, text: str) -> HttpResponse:
    """An htmx delete that worked: the row goes, the toast comes out of band."""
    messages.success(request, text)
    return HttpResponse("")


def _htmx_failed(request, error: str) -> HttpResponse:
    messages.error(request, error)
    return keep_in_place()


def _confirmed(request) -> bool:
    """A delete goes ahead from the confirmation page's form or an htmx hx-confirm; a
    bare POST shows the confirmation page."""
    return request.method == "POST" and (request.htmx or request.POST.get("confirm") == "yes")


# --- IVR audio -----------------------------------------------------------------------------
@login_required
def ivr_audio_list(request):
    scope = request.scope
    scope.require_platform()
    servers = list(enabled_servers())
    choices = AudioFilterForm(request.GET or None)
    server, audio_type = (servers[0] if servers else None), 0
    if choices.is_valid():
        server = choices.cleaned_data["server"] or server
        audio_type = choices.cleaned_data["type"] if choices.cleaned_data["type"] else 0
    audios, error = [], ""
    if server is not None:
        try:
            audios = selectors.audios(scope, server, audio_type)
        except VosError as exc:
            error = vos.describe_error(exc)
    if server is not None:
        choices = AudioFilterForm(initial={"server": server.pk, "type": audio_type})
    return render(
        request,
        "console/audio_list.html",
        {
            "filter_form": choices,
            "server": server,
            "audio_type": audio_type,
            "type_label": _type_label(audio_type),
            "audios": audios,
            "error": error,
            "may_change": _may_change(scope),
            "tab": "audio",
        },
    )


@login_required
def ivr_audio_create(request):
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM)
    form = AudioCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        server = form.cleaned_data["server"]
        try:
            audio_id = services.create_audio(
                scope, server, form.to_payload(), sound=form.cleaned_data["sound"]
            )
        except VosValidationError as exc:
            form.add_vos_error(exc)
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc, write=True))
        else:
            messages.success(
                request, _("IVR audio %(name)s created.") % {"name": form.cleaned_data["name"]}
            )
            return redirect(
                "ivr_audio_edit",
                server_id=server.pk,
                audio_type=form.cleaned_data["type"],
                audio_id=audio_id,
            )
    return render(request, "console/audio_create.html", {"form": form, "tab": "audio"})


@login_required
def ivr_audio_edit(request, server_id: int, audio_type: int, audio_id: int):
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM if request.method == "POST" else Action.VIEW)
    server = enabled_server_or_404(server_id)
    context = {
        "server": server,
        "audio_type": audio_type,
        "type_label": _type_label(audio_type),
        "audio_id": audio_id,
        "may_change": _may_change(scope),
        "tab": "audio",
    }
    try:
        audio = selectors.audio_or_404(scope, server, audio_type, audio_id)
    except VosError as exc:
        return render(
            request, "console/audio_edit.html", {**context, "error": vos.describe_error(exc)}
        )
    form = AudioEditForm(initial=AudioEditForm.initial_from(audio))
    upload = AudioUploadForm()
    if request.method == "POST" and request.POST.get("action") == "upload":
        upload = AudioUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            sound = upload.cleaned_data["sound"]
            if write_on_form(upload, lambda: services.upload_sound(scope, server, audio_id, sound)):
                messages.success(
                    request,
                    _("Sound uploaded: %(seconds)s s at 8000 Hz, 16 bit, mono.")
                    % {"seconds": f"{sound.duration_ms / 1000:.1f}"},
                )
                return redirect(request.path)
    elif request.method == "POST":
        form = AudioEditForm(request.POST)
        payload = form.to_payload if form.is_valid() else None
        if payload and write_on_form(
            form, lambda: services.modify_audio(scope, server, audio_id, payload())
        ):
            messages.success(request, _("IVR audio saved."))
            return redirect(request.path)
    return render(
        request,
        "console/audio_edit.html",
        {**context, "audio": audio, "form": form, "upload_form": upload},
    )


@login_required
def ivr_audio_delete(request, server_id: int, audio_type: int, audio_id: int):
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM)
    server = enabled_server_or_404(server_id)
    error = ""
    if _confirmed(request):
        answer, error = run_delete(
            request,
            lambda: services.delete_audio(scope, server, audio_id),
            deleted=_("IVR audio %(id)s deleted.") % {"id": audio_id},
            done_url=reverse("ivr_audio_list") + f"?server={server.pk}&type={audio_type}",
        )
        if answer is not None:
            return answer
    return render(
        request,
        "console/confirm_delete.html",
        {
            "what": _("IVR audio %(id)s (%(type)s) on %(server)s")
            % {"id": audio_id, "type": _type_label(audio_type), "server": server.name},
            "back": reverse("ivr_audio_edit", args=[server.pk, audio_type, audio_id]),
            "error": error,
            "tab": "audio",
        },
    )


# --- IVR tools ------------------------------------------------------------------------------
@login_required
def ivr_tools(request):
    """PlayAudio (a write: admins) and GetIvrSecondAvailableTime (a read, by GET: auditors
    may ask too)."""
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM if request.method == "POST" else Action.VIEW)
    # Two forms on one page: distinct element ids (the field names stay the catalog's).
    play_form = PlayAudioForm(auto_id="play_%s")
    time_form = IvrTimeForm(auto_id="time_%s")
    time_answer = None
    time_error = ""
    if querystring.text(request, "tool") == "time":
        time_form = IvrTimeForm(request.GET, auto_id="time_%s")
        if time_form.is_valid():
            try:
                answer = vos.call(
                    scope,
                    time_form.cleaned_data["server"],
                    "GetIvrSecondAvailableTime",
                    time_form.to_payload(),
                )
            except VosValidationError as exc:
                time_form.add_vos_error(exc)
            except VosError as exc:
                time_error = vos.describe_error(exc)
            else:
                time_answer = answer.get("infoIvrSecondAvailableTime") or {}
    if request.method == "POST":
        play_form = PlayAudioForm(request.POST, auto_id="play_%s")
        if play_form.is_valid():
            try:
                server = play_form.cleaned_data["server"]
                vos.call(scope, server, "PlayAudio", play_form.to_payload())
            except VosValidationError as exc:
                play_form.add_vos_error(exc)
            except VosError as exc:
                play_form.add_error(None, vos.describe_error(exc, write=True))
            else:
                messages.success(
                    request,
                    _("The switch is calling %(callee)s to play the audio.")
                    % {"callee": play_form.cleaned_data["callee"]},
                )
                return redirect("ivr_tools")
    return render(
        request,
        "console/tools.html",
        {
            "play_form": play_form,
            "time_form": time_form,
            "time_answer": time_answer,
            "time_error": time_error,
            "may_change": _may_change(scope),
            "tab": "tools",
        },
    )


# --- DTMF rules ----------------------------------------------------------------------------
@login_required
def dtmf_rule_list(request):
    scope = request.scope
    scope.require_platform()
    return render(
        request,
        "console/dtmf_list.html",
        {
            "rules": selectors.dtmf_rules(),
            "may_change": _may_change(scope),
            "no_rule_code": dtmf.no_rule_answer()["retCode"],
            "tab": "dtmf",
        },
    )


def _dtmf_rule_form(request, rule=None):
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM if request.method == "POST" else Action.VIEW)
    form = DtmfRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        saved = services.save_dtmf_rule(scope, form)
        messages.success(request, _("DTMF rule %(rule)s saved.") % {"rule": saved})
        return redirect("dtmf_rule_list")
    return render(
        request,
        "console/dtmf_edit.html",
        {"form": form, "rule": rule, "may_change": _may_change(scope), "tab": "dtmf"},
    )


@login_required
def dtmf_rule_create(request):
    request.scope.require_platform(Action.RUN_PLATFORM)
    return _dtmf_rule_form(request)


@login_required
def dtmf_rule_edit(request, rule_id: int):
    request.scope.require_platform()
    return _dtmf_rule_form(request, selectors.dtmf_rule_or_404(rule_id))


@login_required
def dtmf_rule_delete(request, rule_id: int):
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM)
    rule = selectors.dtmf_rule_or_404(rule_id)
    if _confirmed(request):
        text = _("DTMF rule %(rule)s deleted.") % {"rule": rule}
        services.delete_dtmf_rule(scope, rule)
        if request.htmx:
            return _htmx_gone(request, text)
        messages.success(request, text)
        return redirect("dtmf_rule_list")
    return render(
        request,
        "console/confirm_delete.html",
        {
            "what": _("the DTMF rule %(rule)s") % {"rule": rule},
            "back": reverse("dtmf_rule_list"),
            "tab": "dtmf",
        },
    )


# --- Media block IPs -----------------------------------------------------------------------
@login_required
def media_block_list(request):
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM if request.method == "POST" else Action.VIEW)
    form = MediaBlockForm()
    if request.method == "POST":
        form = MediaBlockForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.block_media_ip(
                    scope, data["server"], data["ip"], data.get("memo") or ""
                )
            except services.AlreadyBlocked:
                form.add_error("ip", _("The portal blocked this address already."))
            except services.BlockUndone:
                form.add_error(
                    None,
                    _(
                        "The switch did not answer in time, so the block was undone to be "
                        "sure. Nothing is blocked; please try again."
                    ),
                )
            except VosValidationError as exc:
                form.add_vos_error(exc)
            except VosError as exc:
                form.add_error(None, vos.describe_error(exc, write=True))
            else:
                messages.success(request, _("Media from %(ip)s blocked.") % {"ip": row.ip})
                return redirect("media_block_list")
    return render(
        request,
        "console/media_list.html",
        {
            "blocks": selectors.media_blocks(),
            "form": form,
            "may_change": _may_change(scope),
            "tab": "media",
        },
    )


@login_required
def media_block_delete(request, block_id: int):
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM)
    row = selectors.media_block_or_404(block_id)
    error = ""
    if _confirmed(request):
        ip = row.ip
        try:
            was_blocked = services.unblock_media_ip(scope, row)
        except VosError as exc:
            error = vos.describe_error(exc, write=True)
            if request.htmx:
                return _htmx_failed(request, error)
        else:
            text = (
                _("Media from %(ip)s unblocked.")
                if was_blocked
                else _("The switch no longer blocked %(ip)s; the record is removed.")
            ) % {"ip": ip}
            if request.htmx:
                return _htmx_gone(request, text)
            messages.success(request, text)
            return redirect("media_block_list")
    return render(
        request,
        "console/confirm_delete.html",
        {
            "what": _("the block of %(ip)s on %(server)s")
            % {"ip": row.ip, "server": row.server.name},
            "verb": _("Unblock"),
            "back": reverse("media_block_list"),
            "error": error,
            "tab": "media",
        },
    )
