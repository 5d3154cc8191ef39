from django import forms
from django.contrib import admin

from switch.models import VosServer


class VosServerForm(forms.ModelForm):
    # The stored address is never sent back to the browser: the field starts empty
    # and keeps the stored value unless a new one is typed.
    base_url = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored address.",
    )

    # The push token is a secret too: never shown back, kept unless a new one is typed.
    push_token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Secret part of this server's push address (vos/push/<token>/<name>/). "
        "Leave empty to keep the stored token; with none, VOS_PUSH_TOKEN is used.",
    )

    class Meta:
        model = VosServer
        fields = [
            "name",
            "base_url",
            "endpoint_suffix",
            "connect_timeout",
            "read_timeout",
            "enabled",
            "push_token",
            "push_source_ips",
        ]

    def clean_push_token(self):
        value = self.cleaned_data["push_token"].strip()
        return value or (self.instance.push_token if self.instance.pk else "")

    def clean_base_url(self):
        value = self.cleaned_data["base_url"].strip()
        if not value:
            if self.instance.pk:
                return self.instance.base_url
            raise forms.ValidationError("Enter the server's base URL.")
        return value


@admin.register(VosServer)
class VosServerAdmin(admin.ModelAdmin):
    form = VosServerForm
    list_display = (
        "name",
        "masked_url",
        "endpoint_suffix",
        "enabled",
        "connect_timeout",
        "read_timeout",
    )
