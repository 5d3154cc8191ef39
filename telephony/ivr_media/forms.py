"""Forms of the IVR & media console. VOS fields come from the catalog (CatalogForm);
the DTMF rule form is the portal's own model, sized by the push messages' catalog."""

from __future__ import annotations

import ipaddress
import re

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from switch import labels as enum_labels
from switch.forms import INT32_MAX, INT32_MIN, CatalogForm
from switch.models import VosServer
from telephony.ivr_media import audio
from telephony.models import DtmfRule
from vos3000 import catalog


def _server_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=VosServer.objects.filter(enabled=True),
        label=_("VOS server"),
        empty_label=None,
        **kwargs,
    )


def audio_type_choices() -> list[tuple[int, str]]:
    return enum_labels.choices("GetIvrAudio", "type")


class SoundField(forms.FileField):
    """A WAV file, converted on cleaning: the cleaned value is a ConvertedAudio."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        if not upload.name.lower().endswith(".wav"):
            raise forms.ValidationError(_("Choose a WAV file (.wav)."))
        limit = settings.IVR_AUDIO_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": f"{limit / 1024 / 1024:g}"}
            )
        try:
            return audio.convert(upload.read(), max_seconds=settings.IVR_AUDIO_MAX_SECONDS)
        except audio.AudioRefused as exc:
            raise forms.ValidationError(str(exc)) from exc


SOUND_HELP = _(
    "A WAV file (PCM, 8 to 32 bit, any rate, mono or stereo). It is converted to what "
    "the switch plays: 8000 Hz, 16 bit, mono."
)


class AudioFilterForm(forms.Form):
    server = _server_field(required=False)
    type = forms.TypedChoiceField(
        label=_("Audio type"), coerce=int, choices=audio_type_choices, required=False
    )


class AudioCreateForm(CatalogForm):
    endpoint = "CreateIvrAudio"
    catalog_fields = ["type", "name", "language", "ivrServiceName", "memo"]
    labels = {
        "type": _("Audio type"),
        "name": _("Name"),
        "language": _("Language"),
        "ivrServiceName": _("IVR service name"),
        "memo": _("Memo"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "server": _server_field(),
            **self.fields,
            "sound": SoundField(label=_("Sound (optional)"), required=False, help_text=SOUND_HELP),
        }


class AudioEditForm(CatalogForm):
    endpoint = "ModifyIvrAudio"
    catalog_fields = ["language", "ivrServiceName", "memo"]
    labels = {
        "language": _("Language"),
        "ivrServiceName": _("IVR service name"),
        "memo": _("Memo"),
    }
    omit_blank = False  # an emptied field is cleared in VOS


class AudioUploadForm(forms.Form):
    sound = SoundField(label=_("Sound"), help_text=SOUND_HELP)


class PlayAudioForm(CatalogForm):
    endpoint = "PlayAudio"
    catalog_fields = ["audioes", "language", "callee", "accessE164", "accessE164Password"]
    labels = {
        "audioes": _("Audio names (comma-separated)"),
        "language": _("Language (default: the access number's)"),
        "callee": _("Number to call"),
        "accessE164": _("Access number (the phone providing the service)"),
        "accessE164Password": _("Access number's password"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"server": _server_field(), **self.fields}
        self.fields["accessE164Password"].widget = forms.PasswordInput()


class IvrTimeForm(CatalogForm):
    endpoint = "GetIvrSecondAvailableTime"
    catalog_fields = [
        "billingName",
        "billingMode",
        "calleeE164",
        "mergeBillingType",
        "mergeE164",
        "firstE164",
        "firstConnectTime",
        "firstStopTime",
    ]
    labels = {
        "billingName": _("Billing name (phone, card or number)"),
        "billingMode": _("Billing mode"),
        "calleeE164": _("Second line's callee"),
        "mergeBillingType": _("Merge billing"),
        "mergeE164": _("Merge number"),
        "firstE164": _("First line's callee"),
        "firstConnectTime": _("First line's connect time (ms since 1970, UTC)"),
        "firstStopTime": _("First line's stop time (ms since 1970, UTC)"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"server": _server_field(), **self.fields}


# DTMF keys: digits, star, hash and the four extra keys A-D.
DTMF_KEYS = re.compile(r"^[0-9*#A-Da-d]*$")


_DTMF_LENGTH = next(f.length for f in catalog.PUSHES["PushDtmfInfo"].request if f.name == "dtmf")


class DtmfRuleForm(forms.ModelForm):
    audio_names = forms.CharField(
        label=_("Audio names"),
        required=False,
        max_length=1000,
        help_text=_("Names of IVR audios the switch plays, separated by commas."),
    )

    class Meta:
        model = DtmfRule
        # audio_names is the text field above, set in save(): a JSONField with a default
        # would keep its old value when the text is emptied.
        fields = ["server", "menu_name", "digits", "ret_code", "memo"]
        help_texts = {
            "server": _("Empty: the rule answers for every server."),
            "menu_name": _("The menu's name as the switch sends it (menuName)."),
            "digits": _(
                "The keys pressed (0-9, *, #, A-D). Empty: the menu's default rule, "
                "answering any keys no other rule of the menu matches."
            ),
            "ret_code": _("The switch runs the menu defined for this code."),
        }

    field_order = ["server", "menu_name", "digits", "ret_code", "audio_names", "memo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["server"].queryset = VosServer.objects.all()
        self.fields["server"].empty_label = _("All servers")
        self.fields["digits"].max_length = _DTMF_LENGTH
        # retCode is a Java Integer on the switch.
        self.fields["ret_code"].min_value = INT32_MIN
        self.fields["ret_code"].max_value = INT32_MAX
        self.fields["ret_code"].validators += [
            MinValueValidator(INT32_MIN),
            MaxValueValidator(INT32_MAX),
        ]
        if self.instance.pk:
            self.initial["audio_names"] = ", ".join(self.instance.audio_names)

    def clean_digits(self):
        digits = self.cleaned_data["digits"].strip()
        if not DTMF_KEYS.match(digits):
            raise forms.ValidationError(_("Use only the keys 0-9, *, # and A-D."))
        return digits.upper()

    def clean_menu_name(self):
        return self.cleaned_data["menu_name"].strip()

    def clean_audio_names(self):
        text = self.cleaned_data["audio_names"]
        return [name.strip() for name in text.split(",") if name.strip()]

    def save(self, commit=True):
        self.instance.audio_names = self.cleaned_data["audio_names"]
        return super().save(commit)


class MediaBlockForm(CatalogForm):
    endpoint = "CreateMediaBlockIp"
    catalog_fields = ["ip", "memo"]
    labels = {"ip": _("IP address or network (10.0.0.0/8)"), "memo": _("Memo")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"server": _server_field(), **self.fields}

    def clean_ip(self):
        text = self.cleaned_data["ip"].strip()
        try:
            if "/" in text:
                return str(ipaddress.ip_network(text, strict=False))
            return str(ipaddress.ip_address(text))
        except ValueError:
            raise forms.ValidationError(_("Enter an IP address or a network.")) from None
