"""Forms of the user pages: preferences, language, invitations."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from accounts.models import Tenant, User
from accounts.roles import Role


def _time_zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ["full_name", "language", "time_zone"]
        labels = {"full_name": _("Full name")}


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


# --- Invitations -------------------------------------------------------------------------
class InvitationForm(forms.Form):
    """Tenants and roles come from the inviter's scope only: a forged tenant id is "not
    a valid choice", a role above the inviter's own or unfit for the tenant is refused."""

    email = forms.EmailField(label=_("Email address"))
    tenant = forms.ModelChoiceField(label=_("Tenant"), queryset=Tenant.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=())

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        tenants = scope.tenants().filter(status=Tenant.Status.ACTIVE).order_by("path")
        self.fields["tenant"].queryset = tenants
        kinds = set(tenants.values_list("kind", flat=True).distinct())
        self.fields["role"].choices = [
            (role, Role(role).label) for role in scope.grantable_roles_in_kinds(kinds)
        ]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with this email address already exists."))
        return email

    def clean(self):
        cleaned = super().clean()
        tenant, role = cleaned.get("tenant"), cleaned.get("role")
        if tenant is not None and role and role not in self.scope.grantable_roles(tenant):
            self.add_error("role", _("This role cannot be given in this tenant."))
        return cleaned


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            candidate = User(
                email=self.invitation.email,
                full_name=cleaned.get("full_name", ""),
                tenant=self.invitation.tenant,
                role=self.invitation.role,
            )
            try:
                validate_password(password1, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
