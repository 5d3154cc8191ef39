"""The Celery app. Broker and results come from settings (Redis, or the filesystem
transport under var/ when REDIS_URL is not set)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vosportal.settings")

app = Celery("vosportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
