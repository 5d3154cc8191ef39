"""The demo (`make run`): an enabled offline platform account, so a demo customer pays
by card at once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import Tenant
from accounts.tests.factories import TenantFactory
from billing.models import PaymentAccount
from billing.payments import keys

pytestmark = pytest.mark.django_db


def test_it_gives_the_demo_an_offline_platform_account(settings):
    settings.VOS_SERVERS = {}
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    account = PaymentAccount.objects.get(owner=Tenant.platform_root())
    assert account.enabled and account.kind == "offline" and account.has_keys
    assert keys.config_for(account).secret_key.startswith("sk_test_")
    assert PaymentAccount.serving(TenantFactory(name="Demo customer")) == account
    # Again: kept, not replaced.
    tokens = account.secret_key_token
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert PaymentAccount.objects.get().secret_key_token == tokens


def test_it_keeps_one_dev_fernet_key_per_checkout_under_make_run(tmp_path):
    from cryptography.fernet import Fernet

    from vosportal.tests.test_newcomer import devrun

    path = devrun.ensure_dev_payment_keys_key(tmp_path / "var")
    key = path.read_text().strip()
    Fernet(key.encode())  # a valid Fernet key
    assert devrun.ensure_dev_payment_keys_key(tmp_path / "var").read_text().strip() == key
    assert oct(path.stat().st_mode & 0o777) == "0o600"
