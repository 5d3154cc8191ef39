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
