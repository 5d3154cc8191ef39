"""The probe in a real Celery worker process: it probes the simulator over HTTP, tells
the admins of a current alarm, and publishes the worker's own measurements, which the
health page (another process) shows next to its own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory
from alerts import tasks as alert_tasks
from alerts.models import AlertKind, Notification

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_probes_tells_alarms_and_publishes_its_measurements(
    client, demo_vos_server, portal_sim, celery_worker_process
):
    admin = AdminFactory()
    portal_sim.control("raise_alarm", name="Memory", level=2, value=88)

    for _beat in range(2):
        result = alert_tasks.probe_vos_server.delay(demo_vos_server.pk).get(timeout=60)
        assert result["ok"] is True
    assert Notification.objects.filter(user=admin, kind=AlertKind.ALARM).count() == 1

    client.force_login(admin)
    page = client.get(reverse("ops_health")).text
    assert 'data-process="worker"' in page and 'data-process="web"' in page
    assert 'data-reachability="up"' in page
    assert demo_vos_server.base_url not in page
