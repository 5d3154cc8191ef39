import time

import factory

from accounts.models import Tenant, User
from accounts.roles import Role

DEFAULT_PASSWORD = "correct-horse-battery"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TOTP_PERIOD = 30


def totp_code(secret: str = TEST_TOTP_SECRET, offset: int = 0) -> str:
    """The TOTP code of ``secret`` now (``offset`` steps away)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD + offset))


def fresh_totp_code(secret: str = TEST_TOTP_SECRET, margin: float = 4.0) -> str:
    """A code with at least ``margin`` seconds left in its window, so a test that types
    it and submits it does not race the window's end."""
    if TOTP_PERIOD - time.time() % TOTP_PERIOD < margin:
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.1)
    return totp_code(secret)


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

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):
        """Enrol a TOTP authenticator (secret ``TEST_TOTP_SECRET``) for roles that must
        have one, as real users of those roles do; ``totp=False`` leaves them without,
        ``totp=True`` enrols any role."""
        from accounts.roles import MFA_REQUIRED_ROLES

        wanted = extracted if extracted is not None else obj.role in MFA_REQUIRED_ROLES
        if create and wanted:
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(obj, TEST_TOTP_SECRET)


class AdminFactory(UserFactory):
    is_staff = True
    is_superuser = True
    role = Role.PLATFORM_ADMIN
    tenant = factory.LazyFunction(Tenant.platform_root)
