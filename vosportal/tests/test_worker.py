"""End to end through the real broker and a real `celery worker` process."""

import time
from datetime import datetime

import pytest
from django.core.cache import cache
from django.db import transaction

from web.tasks import HEARTBEAT_CACHE_KEY, enqueue, record_heartbeat


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_runs_a_task_in_a_separate_worker_process(celery_worker_process):
    cache.delete(HEARTBEAT_CACHE_KEY)
    stamp = record_heartbeat.delay().get(timeout=30)
    # The answer came back through the result backend, and the worker wrote the cache.
    assert datetime.fromisoformat(stamp).tzinfo is not None
    assert cache.get(HEARTBEAT_CACHE_KEY) == stamp


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_runs_enqueued_work_once_the_transaction_commits(celery_worker_process):
    cache.delete(HEARTBEAT_CACHE_KEY)
    with transaction.atomic():
        enqueue(record_heartbeat)
        time.sleep(0.5)
        assert cache.get(HEARTBEAT_CACHE_KEY) is None  # not sent before the commit
    deadline = time.monotonic() + 30
    while cache.get(HEARTBEAT_CACHE_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    # The worker process wrote it into the shared cache (Redis in CI, files otherwise).
    assert cache.get(HEARTBEAT_CACHE_KEY) is not None


@pytest.mark.django_db
def test_it_drops_work_enqueued_in_a_rolled_back_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue(record_heartbeat)
    assert len(callbacks) == 1
    try:
        with transaction.atomic():
            enqueue(record_heartbeat)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert len(callbacks) == 1
