"""The Celery app. Broker and results come from settings (Redis, or the filesystem
transport under var/ when REDIS_URL is not set)."""

import os

from celery import Celery

from web.pages import area_modules

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vosportal.settings")

app = Celery("vosportal")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _task_modules() -> list[str]:
    """Every ``tasks`` module of our apps and their areas (``billing.money.tasks``), found
    the way the page registry finds ``pages``: Celery's own discovery looks at
    ``<app>.tasks`` only."""
    return area_modules("tasks")


app.autodiscover_tasks(_task_modules, related_name=None)
