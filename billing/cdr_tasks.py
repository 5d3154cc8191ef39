"""Celery tasks (filled in by the issue-6 work; imported by billing.tasks so the worker
registers them)."""

from __future__ import annotations
