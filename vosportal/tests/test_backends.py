"""Run against the real services when they are configured (always under CI)."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_it_runs_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        assert cursor.fetchone()[0] >= 130000


@pytest.mark.redis
def test_it_caches_in_redis():
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    key, value = f"probe-{uuid.uuid4().hex}", {"n": 1}
    cache.set(key, value, 30)
    assert cache.get(key) == value


@pytest.mark.redis
def test_it_uses_redis_as_the_celery_broker():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1)
