import factory

from accounts.models import Tenant, User
from accounts.roles import Role

DEFAULT_PASSWORD = "correct-horse-battery"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    kind = Tenant.Kind.CUSTOMER
    name = factory.Sequence(lambda n: f"Tenant {n}")
    parent = factory.LazyFunction(Tenant.platform_root)
    vos_account = factory.Sequence(lambda n: f"acct{n}")


class ResellerFactory(TenantFactory):
    kind = Tenant.Kind.RESELLER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    tenant = factory.SubFactory(TenantFactory)
    role = Role.CUSTOMER_OWNER
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AdminFactory(UserFactory):
    is_staff = True
    is_superuser = True
    role = Role.PLATFORM_ADMIN
    tenant = factory.LazyFunction(Tenant.platform_root)
