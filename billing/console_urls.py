"""URLs of this area (policies in billing.console_pages)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
