import pytest
from django.core.exceptions import ValidationError

from accounts.models import Tenant
from accounts.tests.factories import ResellerFactory, TenantFactory

pytestmark = pytest.mark.django_db


def test_it_keeps_a_materialized_path_and_depth():
    reseller = ResellerFactory()
    sub = ResellerFactory(parent=reseller)
    customer = TenantFactory(parent=sub)
    root = Tenant.platform_root()
    assert customer.path == f"/{root.pk}/{reseller.pk}/{sub.pk}/{customer.pk}/"
    assert customer.depth == 3
    assert customer.is_within(reseller) and not reseller.is_within(customer)
    assert set(reseller.subtree()) == {reseller, sub, customer}
    assert list(customer.ancestors()) == [root, reseller, sub, customer]


def test_it_moves_a_whole_subtree():
    a, b = ResellerFactory(), ResellerFactory()
    sub = ResellerFactory(parent=a)
    leaf = TenantFactory(parent=sub)
    sub.parent = b
    sub.save()
    leaf.refresh_from_db()
    assert leaf.path.startswith(b.path)
    assert leaf.depth == 3
    assert not a.subtree().filter(pk=leaf.pk).exists()


def test_it_refuses_to_move_a_tenant_below_itself():
    a = ResellerFactory()
    sub = ResellerFactory(parent=a)
    a.parent = sub
    with pytest.raises(ValidationError):
        a.save()


def test_it_has_a_single_platform_root():
    assert Tenant.platform_root() == Tenant.platform_root()
    assert Tenant.objects.filter(kind=Tenant.Kind.PLATFORM).count() == 1
