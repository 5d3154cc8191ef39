"""URLs of this area (policies in telephony.live_pages)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
