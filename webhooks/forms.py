"""The webhook endpoint form: an HTTPS address (no user name or password in it), what it
is for, and the events it hears of."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks import delivery
from webhooks.models import WebhookEndpoint
from webhooks.selectors import event_choices


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("Address (https://…)"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Your system's HTTPS address that receives the events as JSON."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "enabled"]
        help_texts = {
            "enabled": _("A disabled endpoint receives nothing; its pending deliveries fail."),
        }

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = event_choices(tenant)
        self.fields["url"].widget.attrs.update({"autocomplete": "off", "inputmode": "url"})
        if self.instance.pk is None:
            del self.fields["enabled"]  # a new endpoint starts enabled

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if delivery.url_problem(url):
            raise forms.ValidationError(
                _("Enter an https:// address without a user name, password or #fragment.")
            )
        if delivery.literal_private(url):
            raise forms.ValidationError(
                _("This address is not on the public internet: the portal does not send there.")
            )
        return url
