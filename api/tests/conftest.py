"""The webhook receiver fixtures, for the walkthrough that ends with a delivery."""

from webhooks.tests.conftest import local_delivery, receiver  # noqa: F401
