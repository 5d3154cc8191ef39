"""Invitations and user management: role ceiling, tenants in scope only, forged POSTs,
expiry, single use, revocation, deactivation."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Invitation, User
from accounts.roles import Role
from accounts.tests.factories import (
    AdminFactory,
    ResellerFactory,
    TenantFactory,
    UserFactory,
)
from accounts.users.services import hash_token

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fine-long-passphrase"


@pytest.fixture
def tree():
    """globaltel (reseller) > citylink (sub-reseller) > cafe (customer); skyvoice aside."""
    globaltel = ResellerFactory(name="GlobalTel")
    citylink = ResellerFactory(name="CityLink", parent=globaltel)
    cafe = TenantFactory(name="Cafe", parent=citylink)
    skyvoice = ResellerFactory(name="SkyVoice")
    manager = UserFactory(role=Role.RESELLER_MANAGER, tenant=globaltel)
    return {
        "globaltel": globaltel,
        "citylink": citylink,
        "cafe": cafe,
        "skyvoice": skyvoice,
        "manager": manager,
    }


def invite(client, tenant, role, email="new@example.test"):
    return client.post(reverse("user_invite"), {"email": email, "tenant": tenant.pk, "role": role})


def link_from(mail) -> str:
    return re.search(r"http://testserver(/invite/[^/\s]+/)", mail.body)[1]


def test_it_invites_into_a_tenant_below_and_the_link_creates_the_user(client, tree, mailoutbox):
    client.force_login(tree["manager"])
    response = invite(client, tree["cafe"], Role.CUSTOMER_OWNER)
    assert response.status_code == 302, response.text
    invitation = Invitation.objects.get()
    assert (invitation.tenant, invitation.role) == (tree["cafe"], Role.CUSTOMER_OWNER)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["new@example.test"]
    link = link_from(mailoutbox[0])
    token = link.strip("/").split("/")[-1]
    assert invitation.token_hash == hash_token(token) and token not in invitation.token_hash
    assert AuditEvent.objects.filter(action="user.invite").exists()
    assert token not in str(list(AuditEvent.objects.values()))

    visitor = client.__class__()
    page = visitor.get(link)
    assert page.status_code == 200 and "Cafe" in page.text
    response = visitor.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(email="new@example.test")
    assert (user.tenant, user.role) == (tree["cafe"], Role.CUSTOMER_OWNER)
    assert visitor.get(reverse("dashboard")).status_code == 200  # signed in
    assert AuditEvent.objects.filter(action="user.invitation_accepted").exists()
    # Single use.
    assert client.__class__().get(link).status_code == 404


def test_it_sends_an_invited_reseller_to_mfa_enrolment(client, tree, mailoutbox):
    client.force_login(tree["manager"])
    invite(client, tree["citylink"], Role.RESELLER_OPERATOR)
    visitor = client.__class__()
    visitor.post(link_from(mailoutbox[0]), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    response = visitor.get(reverse("dashboard"))
    assert response["Location"] == reverse("mfa_activate_totp")
    # Having just chosen a password, they are not asked for it again.
    page = visitor.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200 and "data:image/svg+xml" in page.text


def test_it_refuses_weak_passwords_and_saves_nothing(client, tree, mailoutbox):
    client.force_login(tree["manager"])
    invite(client, tree["cafe"], Role.CUSTOMER_VIEWER)
    link = link_from(mailoutbox[0])
    visitor = client.__class__()
    for weak in ("short1", "password123"):
        response = visitor.post(link, {"password1": weak, "password2": weak})
        assert response.status_code == 200
        assert "field-error" in response.text
    assert not User.objects.filter(email="new@example.test").exists()
    assert Invitation.objects.get().accepted_at is None


def test_it_offers_only_tenants_in_scope_and_grantable_roles(client, tree):
    client.force_login(tree["manager"])
    page = client.get(reverse("user_invite")).text
    for name in ("GlobalTel", "CityLink", "Cafe"):
        assert name in page
    assert "SkyVoice" not in page
    assert Role.PLATFORM_ADMIN.value not in page
    assert Role.PLATFORM_AUDITOR.value not in page


def test_it_refuses_forged_tenants_and_roles(client, tree):
    client.force_login(tree["manager"])
    platform = AdminFactory().tenant
    forged = [
        (tree["skyvoice"], Role.RESELLER_OPERATOR),  # a tenant outside the scope
        (platform, Role.PLATFORM_ADMIN),  # above the inviter's own role
        (tree["cafe"], Role.RESELLER_MANAGER),  # not a role of that tenant's kind
        (tree["globaltel"], "superuser"),  # not a role at all
    ]
    for tenant, role in forged:
        response = invite(client, tenant, role)
        assert response.status_code in (200, 404), (tenant, role)
    assert not Invitation.objects.exists()


def test_it_caps_the_role_a_customer_owner_can_give(client):
    tenant = TenantFactory()
    owner = UserFactory(role=Role.CUSTOMER_OWNER, tenant=tenant)
    client.force_login(owner)
    assert invite(client, tenant, Role.CUSTOMER_OWNER).status_code == 302
    assert invite(client, tenant, Role.RESELLER_MANAGER, "b@example.test").status_code == 200
    assert Invitation.objects.count() == 1


def test_it_hides_user_management_from_roles_without_it(client, tree):
    viewer = UserFactory(role=Role.CUSTOMER_VIEWER, tenant=tree["cafe"])
    client.force_login(viewer)
    assert client.get(reverse("user_list")).status_code == 404
    assert client.get(reverse("user_invite")).status_code == 404
    assert "/users/" not in client.get(reverse("dashboard")).text
    client.force_login(tree["manager"])
    assert 'href="/users/"' in client.get(reverse("dashboard")).text


def test_it_lists_users_in_scope_with_their_mfa_status(client, tree):
    UserFactory(email="inside@example.test", role=Role.CUSTOMER_OWNER, tenant=tree["cafe"])
    UserFactory(email="outside@example.test", role=Role.RESELLER_MANAGER, tenant=tree["skyvoice"])
    UserFactory(
        email="nomfa@example.test", tenant=tree["citylink"], totp=False, role=Role.RESELLER_OPERATOR
    )
    client.force_login(tree["manager"])
    page = client.get(reverse("user_list")).text
    assert "inside@example.test" in page and "outside@example.test" not in page
    assert "Required, not set up" in page


def test_it_refuses_an_expired_invitation(client, tree, mailoutbox):
    client.force_login(tree["manager"])
    invite(client, tree["cafe"], Role.CUSTOMER_OWNER)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    link = link_from(mailoutbox[0])
    visitor = client.__class__()
    assert visitor.get(link).status_code == 404
    response = visitor.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 404
    assert not User.objects.filter(email="new@example.test").exists()


def test_it_revokes_an_invitation(client, tree, mailoutbox):
    client.force_login(tree["manager"])
    invite(client, tree["cafe"], Role.CUSTOMER_OWNER)
    invitation = Invitation.objects.get()
    assert client.get(reverse("invitation_revoke", args=[invitation.pk])).status_code == 405
    response = client.post(reverse("invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.__class__().get(link_from(mailoutbox[0])).status_code == 404
    assert AuditEvent.objects.filter(action="user.invitation_revoked").exists()


def test_it_answers_404_for_a_foreign_invitation_or_user(client, tree):
    other_manager = UserFactory(role=Role.RESELLER_MANAGER, tenant=tree["skyvoice"])
    foreign_user = UserFactory(role=Role.RESELLER_OPERATOR, tenant=tree["skyvoice"])
    foreign = Invitation.objects.create(
        email="x@example.test",
        tenant=tree["skyvoice"],
        role=Role.RESELLER_OPERATOR,
        token_hash="f" * 64,
        invited_by=other_manager,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    client.force_login(tree["manager"])
    assert client.post(reverse("invitation_revoke", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("user_deactivate", args=[foreign_user.pk])).status_code == 404
    foreign.refresh_from_db()
    foreign_user.refresh_from_db()
    assert foreign.revoked_at is None and foreign_user.is_active


def test_it_deactivates_a_user_below_and_ends_their_sessions(client, tree):
    target = UserFactory(role=Role.CUSTOMER_OWNER, tenant=tree["cafe"])
    their_browser = client.__class__()
    their_browser.force_login(target)
    assert their_browser.get(reverse("dashboard")).status_code == 200
    client.force_login(tree["manager"])
    response = client.post(reverse("user_deactivate", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert their_browser.get(reverse("dashboard")).status_code == 302
    assert AuditEvent.objects.filter(action="user.deactivate", target_id=str(target.pk)).exists()


def test_it_refuses_to_deactivate_oneself(client, tree):
    client.force_login(tree["manager"])
    client.post(reverse("user_deactivate", args=[tree["manager"].pk]))
    tree["manager"].refresh_from_db()
    assert tree["manager"].is_active
