from django import forms
from django.contrib import admin

from telephony.models import VosServer


class VosServerForm(forms.ModelForm):
    # The stored address is never sent back to the browser: the field starts empty
    # and keeps the stored value unless a new one is typed.
    base_url = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored address.",
    )

    class Meta:
        model = VosServer
        fields = ["name", "base_url", "connect_timeout", "read_timeout", "enabled"]

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
    list_display = ("name", "masked_url", "enabled", "connect_timeout", "read_timeout")
