from billing.payments.tests.support import world  # noqa: F401 (the fixture)
