"""URLs of this area (policies in accounts.alert_pages)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
