"""The request's user (accounts.backends): with its tenant and its TOTP flag in one
query compiled once, as the ORM would load it; nobody for an unknown, malformed or
inactive id."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import ModelBackend, load_request_user, users_as_requests_load_them
from accounts.tests.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_loads_the_user_its_tenant_and_its_totp_flag_in_one_query():
    tenant = TenantFactory(name="Acme")
    user = UserFactory(tenant=tenant)
    load_request_user(user.pk)  # compiled on this thread
    with CaptureQueriesContext(connection) as queries:
        loaded = load_request_user(str(user.pk))  # as the session keeps it
        assert loaded.tenant.name == "Acme"
        assert loaded.has_totp_authenticator is False
    assert len(queries.captured_queries) == 1
    expected = users_as_requests_load_them().get(pk=user.pk)
    for field in type(user)._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field
    assert not loaded._state.adding and loaded._state.db == "default"


def test_it_loads_a_user_without_a_tenant_and_with_a_totp_authenticator():
    from allauth.mfa.models import Authenticator

    user = UserFactory(tenant=None)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    loaded = load_request_user(user.pk)
    assert loaded.tenant is None and loaded.has_totp_authenticator is True


def test_it_loads_nobody_for_an_unknown_a_malformed_or_an_inactive_id():
    user = UserFactory(is_active=False)
    assert load_request_user(user.pk + 1000) is None
    assert load_request_user("not a number") is None
    assert load_request_user(user.pk) is not None
    assert ModelBackend().get_user(user.pk) is None  # signed out, as Django's backend does


def test_it_loads_a_session_as_djangos_database_store_does(client):
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore

    from accounts.session_store import SessionStore

    assert settings.SESSION_ENGINE == "accounts.session_store"
    assert import_module(settings.SESSION_ENGINE).SessionStore is SessionStore
    store = SessionStore()
    store["colour"] = "blue"
    store.save()
    with CaptureQueriesContext(connection) as queries:
        assert SessionStore(store.session_key).load() == {"colour": "blue"}
    assert len(queries.captured_queries) == 1
    assert DjangoStore(store.session_key).load() == {"colour": "blue"}
    # Expired, or unknown: empty, and a new key will be made (as Django's store does).
    store.set_expiry(-1)
    store.save()
    for key in (store.session_key, "nosuchsessionkey0123456789abcdef"):
        loaded = SessionStore(key)
        assert loaded.load() == {} and loaded._session_key is None
    # A signed-in client's pages load through it.
    user = UserFactory()
    client.force_login(user)
    assert client.get("/notifications/").status_code == 200
