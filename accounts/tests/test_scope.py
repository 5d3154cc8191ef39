import pytest
from django.http import Http404

from accounts.roles import Action, Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """reseller A > sub-reseller A' > customer A1' (depth 3); A > A1; reseller B > B1."""
    a = ResellerFactory(name="A", vos_account="res-a")
    a_sub = ResellerFactory(name="A'", parent=a, vos_account="res-a-sub")
    return {
        "A": a,
        "A'": a_sub,
        "A1": TenantFactory(name="A1", parent=a, vos_account="a1"),
        "A1'": TenantFactory(name="A1'", parent=a_sub, vos_account="a1-sub"),
        "B": (b := ResellerFactory(name="B", vos_account="res-b")),
        "B1": TenantFactory(name="B1", parent=b, vos_account="b1"),
    }


def _scope(tenant, role):
    return Scope(UserFactory(tenant=tenant, role=role))


def test_it_shows_a_reseller_its_whole_subtree_and_nothing_else(tree):
    scope = _scope(tree["A"], Role.RESELLER_MANAGER)
    names = set(scope.tenants().values_list("name", flat=True))
    assert names == {"A", "A'", "A1", "A1'"}


def test_it_answers_404_for_a_foreign_or_unknown_tenant(tree):
    scope = _scope(tree["A'"], Role.RESELLER_MANAGER)
    assert scope.tenant_or_404(tree["A1'"].pk) == tree["A1'"]
    for foreign in (tree["A"].pk, tree["A1"].pk, tree["B1"].pk, 999_999, "x", None):
        with pytest.raises(Http404):
            scope.tenant_or_404(foreign)


def test_it_shows_a_customer_only_itself(tree):
    scope = _scope(tree["A1"], Role.CUSTOMER_OWNER)
    assert list(scope.tenants()) == [tree["A1"]]


def test_it_shows_the_platform_everything(tree):
    scope = Scope(AdminFactory())
    assert scope.tenants().count() == 7  # the root and the six


def test_it_limits_vos_accounts_and_rechecks_vos_answers(tree):
    scope = _scope(tree["A"], Role.RESELLER_OPERATOR)
    assert scope.vos_accounts(None) == {"res-a", "res-a-sub", "a1", "a1-sub"}
    assert scope.require_vos_accounts(None, ["a1"]) == ["a1"]
    with pytest.raises(Http404):
        scope.require_vos_accounts(None, ["a1", "b1"])
    rows = [{"account": "a1"}, {"account": "b1"}, {"account": "a1-sub"}]
    assert scope.keep_in_scope(None, rows) == [{"account": "a1"}, {"account": "a1-sub"}]


def test_it_hides_tenants_deleted_in_vos_from_vos_calls(tree):
    tree["A1"].status = "gone"
    tree["A1"].save()
    scope = _scope(tree["A"], Role.RESELLER_MANAGER)
    assert "a1" not in scope.vos_accounts(None)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (
            Role.RESELLER_MANAGER,
            {Action.VIEW, Action.CHANGE, Action.MOVE_MONEY, Action.MANAGE_USERS},
        ),
        (Role.RESELLER_OPERATOR, {Action.VIEW, Action.CHANGE}),
        (Role.CUSTOMER_VIEWER, {Action.VIEW}),
    ],
)
def test_it_gives_each_role_its_actions(tree, role, allowed):
    tenant = tree["A1"] if role.startswith("customer") else tree["A"]
    scope = _scope(tenant, role)
    for action in (Action.VIEW, Action.CHANGE, Action.MOVE_MONEY, Action.MANAGE_USERS):
        assert scope.can(action) is (action in allowed)


def test_it_caps_grantable_roles_at_the_granters_own(tree):
    operator = _scope(tree["A"], Role.RESELLER_OPERATOR)
    assert operator.grantable_roles(tree["A1"]) == []
    manager = _scope(tree["A"], Role.RESELLER_MANAGER)
    assert manager.grantable_roles(tree["A'"]) == [Role.RESELLER_MANAGER, Role.RESELLER_OPERATOR]
    assert manager.grantable_roles(tree["A1"]) == [Role.CUSTOMER_OWNER, Role.CUSTOMER_VIEWER]
    assert manager.grantable_roles(tree["B1"]) == []


def test_it_lets_resellers_view_as_users_strictly_below_them(tree):
    manager = UserFactory(tenant=tree["A"], role=Role.RESELLER_MANAGER)
    below = UserFactory(tenant=tree["A1'"], role=Role.CUSTOMER_OWNER)
    colleague = UserFactory(tenant=tree["A"], role=Role.RESELLER_OPERATOR)
    foreign = UserFactory(tenant=tree["B1"], role=Role.CUSTOMER_OWNER)
    scope = Scope(manager)
    assert scope.may_view_as(below)
    assert not scope.may_view_as(colleague)
    assert not scope.may_view_as(foreign)
    assert Scope(AdminFactory()).may_view_as(foreign)


def test_it_lets_managers_manage_only_lower_or_equal_users_in_scope(tree):
    manager = UserFactory(tenant=tree["A"], role=Role.RESELLER_MANAGER)
    scope = Scope(manager)
    assert scope.may_manage(UserFactory(tenant=tree["A1"], role=Role.CUSTOMER_OWNER))
    assert scope.may_manage(UserFactory(tenant=tree["A"], role=Role.RESELLER_OPERATOR))
    assert not scope.may_manage(manager)
    assert not scope.may_manage(UserFactory(tenant=tree["B1"], role=Role.CUSTOMER_OWNER))
    assert not scope.may_manage(AdminFactory())
    operator = Scope(UserFactory(tenant=tree["A"], role=Role.RESELLER_OPERATOR))
    assert not operator.may_manage(UserFactory(tenant=tree["A1"], role=Role.CUSTOMER_VIEWER))
    assert operator.grantable_roles_in_kinds({"customer"}) == []


def test_it_lets_accounts_be_run_only_from_above(tree):
    reseller = _scope(tree["A"], Role.RESELLER_MANAGER)
    assert reseller.is_provider and not reseller.is_customer
    assert reseller.manages(tree["A1'"]) and reseller.manages(tree["A'"])
    assert not reseller.manages(tree["A"])  # never its own account
    assert not reseller.manages(tree["B1"])  # nor a foreign one
    customer = _scope(tree["A1"], Role.CUSTOMER_OWNER)
    assert customer.is_customer and not customer.is_provider
    assert not customer.manages(tree["A1"])
    admin = Scope(AdminFactory())
    assert admin.manages(tree["B1"]) and not admin.manages(admin.tenant)
    # Top-ups are managing plus the right to move money: operators have no such right.
    operator = _scope(tree["A"], Role.RESELLER_OPERATOR)
    assert operator.manages(tree["A1"]) and not operator.may_top_up(tree["A1"])
    assert reseller.may_top_up(tree["A1"]) and not customer.may_top_up(tree["A1"])
    assert customer.may_use_phone_card(tree["A1"]) and not customer.may_use_phone_card(tree["B1"])


def test_it_keeps_platform_pages_for_the_platform_and_changes_for_its_admins(tree):
    admin = Scope(AdminFactory())
    admin.require_platform(Action.RUN_PLATFORM)
    auditor = Scope(UserFactory(tenant=admin.tenant, role=Role.PLATFORM_AUDITOR))
    auditor.require_platform()
    with pytest.raises(Http404):
        auditor.require_platform(Action.CHANGE)
    reseller = Scope(UserFactory(tenant=tree["A"], role=Role.RESELLER_MANAGER))
    with pytest.raises(Http404):
        reseller.require_platform()
