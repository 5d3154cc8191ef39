from django.urls import path

from switch.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
]
