import pytest
from django.urls import reverse

from accounts.tests.factories import DEFAULT_PASSWORD, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_redirects_anonymous_users_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_logs_in_with_email_and_password(client):
    user = UserFactory(email="alice@example.test")
    response = client.post(
        reverse("account_login"), {"login": "alice@example.test", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert user.get_short_name() in page.text


def test_it_rejects_a_wrong_password(client):
    UserFactory(email="alice@example.test")
    response = client.post(
        reverse("account_login"), {"login": "alice@example.test", "password": "wrong-password-1"}
    )
    assert response.status_code == 200
    assert client.get(reverse("dashboard")).status_code == 302


def test_it_has_no_open_signup(client):
    assert "sign up" not in client.get(reverse("account_login")).text.lower()
    response = client.get(reverse("account_signup"))
    assert "closed" in response.text.lower()
    client.post(
        reverse("account_signup"),
        {
            "email": "mallory@example.test",
            "password1": "a-long-password-9",
            "password2": "a-long-password-9",
        },
    )
    from accounts.models import User

    assert not User.objects.filter(email="mallory@example.test").exists()


def test_it_logs_out_with_post(client):
    client.force_login(UserFactory())
    client.post(reverse("account_logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_it_changes_the_password(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "a-brand-new-secret",
            "password2": "a-brand-new-secret",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-secret")


def test_it_refuses_short_and_common_passwords(client):
    user = UserFactory()
    client.force_login(user)
    for weak in ("short1", "password123"):
        response = client.post(
            reverse("account_change_password"),
            {"oldpassword": DEFAULT_PASSWORD, "password1": weak, "password2": weak},
        )
        assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_it_sends_the_admin_login_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_lets_a_superuser_into_the_admin(client):
    client.force_login(AdminFactory())
    assert client.get("/admin/").status_code == 200


def test_it_shows_the_admin_navigation_only_to_admins(client):
    client.force_login(UserFactory())
    assert "/admin/" not in client.get(reverse("dashboard")).text
    client.force_login(AdminFactory())
    assert "/admin/" in client.get(reverse("dashboard")).text
