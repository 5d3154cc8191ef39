"""The Celery app. Broker and results come from settings (Redis, or the filesystem
transport under var/ when REDIS_URL is not set)."""

import os
from pathlib import Path

from celery import Celery
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vosportal.settings")

app = Celery("vosportal")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _task_modules() -> list[str]:
    """Every ``tasks`` module of our own apps, their area packages included
    (``billing.money.tasks``): Celery's own discovery looks at ``<app>.tasks`` only."""

    found = []
    for config in apps.get_app_configs():
        app_dir = Path(config.path)
        if app_dir.parent != ROOT:
            continue  # a third-party app
        for tasks_file in sorted(app_dir.rglob("tasks.py")):
            parts = tasks_file.relative_to(ROOT).with_suffix("").parts
            if "tests" not in parts:
                found.append(".".join(parts))
    return found


app.autodiscover_tasks(_task_modules, related_name=None)
