"""The push path in the production shape: straight past the portal's middleware, the
server from the cache, the message committed before the answer, no broker message per
push (one wake-up per interval), and the woken drain taking the inbox in batches, in
arrival order."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import BalanceReading
from switch import push_inbox, tasks
from switch.models import PushInbox

TOKEN = "push-drain-0123456789"


@pytest.fixture
def pushing(demo):
    server, _tenants = demo
    server.push_token = TOKEN
    server.save()
    return server


def push(client, server, name, payload, *, token=TOKEN, **extra):
    url = reverse("vos_push", args=[token, server.name, name])
    return client.post(url, json.dumps(payload), content_type="text/html;charset=UTF-8", **extra)


def online(e164, at):
    return {
        "e164": e164,
        "dids": [],
        "online": True,
        "eventTime": at,
        "localIp": "192.168.1.20",
        "localPort": 5060,
        "remoteIp": "203.0.113.7",
        "productId": "Drain phone",
    }


@pytest.fixture
def recorded(monkeypatch):
    """Every message the handlers are given, in the order they are given them; a phone
    number "bad" fails."""
    seen = []

    def handler(server, payload):
        if payload.get("e164") == "bad":
            raise RuntimeError("a broken handler")
        seen.append(payload["e164"])

    monkeypatch.setattr("switch.push_handlers.handlers_for", lambda name: [handler])
    return seen


@pytest.fixture
def wake_ups(monkeypatch):
    """The wake-ups sent to the broker (none reaches a worker here)."""
    sent = []
    monkeypatch.setattr(tasks.drain_pushes, "delay", lambda sent_at: sent.append(sent_at))
    return sent


# --- Batches, in order ---------------------------------------------------------------------
@pytest.mark.parametrize("cut_by_time", [False, True], ids=["by size", "by work time"])
def test_it_drains_the_inbox_in_batches_in_arrival_order(
    client, pushing, recorded, settings, monkeypatch, cut_by_time
):
    settings.VOS_PUSH_BATCH = 3
    if cut_by_time:  # every batch's work time is over after its first row
        monkeypatch.setattr(push_inbox, "BATCH_SECONDS", -1.0)
    numbers = [f"8000{n:04d}" for n in range(8)]
    numbers.insert(4, "bad")
    for at, e164 in enumerate(numbers):
        assert push(client, pushing, "PhoneOnline", online(e164, at)).json() == {"retCode": 0}
    assert push_inbox.drain() == 8
    assert recorded == [n for n in numbers if n != "bad"]
    failed = PushInbox.objects.get(payload__e164="bad")
    assert failed.processed_at is None and failed.attempts == 1
    # A wake-up does not retry a failed message (or it would burn its attempts within a
    # second); the sweep does, once per sweep.
    assert push_inbox.drain() == 0 and PushInbox.objects.get(pk=failed.pk).attempts == 1
    push_inbox.sweep(older_than=0)
    assert PushInbox.objects.get(pk=failed.pk).attempts == 2


def test_it_keeps_the_latest_balance_across_batches(client, pushing, settings):
    settings.VOS_PUSH_BATCH = 2
    for money in (10, 20, 30, 20, 10):  # a change back is real: the last one wins
        push(client, pushing, "CustomerMoneyChange", {"account": "acme", "money": money})
    assert push_inbox.drain() == 5
    assert BalanceReading.objects.get(vos_account="acme").money == Decimal(10)
    assert not PushInbox.objects.filter(processed_at__isnull=True).exists()


def test_it_skips_a_balance_older_than_one_processed_already(client, pushing):
    """Rows are processed out of order now and then (a retry, a row committed late): a
    batch skips a snapshot older than one of the same account processed already."""
    for account, money in (("acme", 10), ("manila-bpo", 5), ("acme", 20)):
        push(client, pushing, "CustomerMoneyChange", {"account": account, "money": money})
    newest = PushInbox.objects.order_by("pk").last()
    assert push_inbox.process(newest.pk) is True
    assert push_inbox.drain() == 2
    assert BalanceReading.objects.get(vos_account="acme").money == Decimal(20)
    assert BalanceReading.objects.get(vos_account="manila-bpo").money == Decimal(5)
    assert not PushInbox.objects.filter(processed_at__isnull=True).exists()


def test_it_sees_the_pushes_that_came_while_it_lingered(pushing, recorded):
    """A push committed while the wake-up key held sent no wake-up: the drain woken for
    that interval looks again until the interval is over, and once more after it."""
    push_inbox.store(pushing, "PhoneOnline", online("80000001", 1))
    now = [0.0]
    late = iter(["80000002", None, None, "80000003"])

    def sleep(seconds):  # a push arrives while the drain waits (no real waiting here)
        now[0] += seconds
        e164 = next(late, None)
        if e164:
            push_inbox.store(pushing, "PhoneOnline", online(e164, 2))

    processed = push_inbox.drain(linger=0.35, clock=lambda: now[0], sleep=sleep)
    assert processed == 3 and recorded == ["80000001", "80000002", "80000003"]
    assert now[0] == pytest.approx(0.35)  # it stopped when the interval was over


# --- Wake-ups ------------------------------------------------------------------------------
def test_it_wakes_the_worker_once_per_interval_not_once_per_push(
    client, pushing, wake_ups, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.VOS_PUSH_WAKE_SECONDS = 3600  # the interval ends when the test says so
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            push(client, pushing, "PhoneOnline", online(f"8000000{n}", n))
    assert len(wake_ups) == 1 and PushInbox.objects.count() == 5
    # Another web process (which sent no wake-up itself) asks the cache: the key holds.
    monkeypatch.setattr(push_inbox, "_wake_sent_at", [float("-inf")])
    with django_capture_on_commit_callbacks(execute=True):
        push(client, pushing, "PhoneOnline", online("80000005", 5))
    assert len(wake_ups) == 1
    # The interval is over (the key expired): the next push wakes the worker again.
    cache.delete(push_inbox.WAKE_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        push(client, pushing, "PhoneOnline", online("80000006", 6))
    assert len(wake_ups) == 2


def test_it_tries_again_at_the_next_push_when_the_broker_refused_the_wake_up(
    client, pushing, monkeypatch, django_capture_on_commit_callbacks
):
    tried = []

    def broker_down(sent_at):
        tried.append(sent_at)
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.drain_pushes, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            answer = push(client, pushing, "PhoneOnline", online(f"8000000{n}", n))
            assert answer.json() == {"retCode": 0}
    assert len(tried) == 2 and PushInbox.objects.count() == 2
    assert push_inbox.sweep(older_than=0) == 2


def test_it_processes_each_push_in_its_own_request_when_tasks_run_eagerly(
    client, pushing, recorded, eager_tasks, django_capture_on_commit_callbacks
):
    for n in range(3):  # no worker lingers: each eager drain frees the key
        with django_capture_on_commit_callbacks(execute=True):
            push(client, pushing, "PhoneOnline", online(f"8000000{n}", n))
        assert len(recorded) == n + 1
    assert not PushInbox.objects.filter(processed_at__isnull=True).exists()


def test_it_lingers_only_until_the_wake_ups_interval_is_over(monkeypatch, settings):
    settings.VOS_PUSH_WAKE_SECONDS = 1
    lingered = []
    monkeypatch.setattr(push_inbox, "drain", lambda linger=0.0: lingered.append(linger) or 0)
    tasks.drain_pushes(time.time())  # a fresh wake-up: until its interval is over
    tasks.drain_pushes(time.time() - 3600)  # waited in the broker (a worker down): one pass
    assert 0 < lingered[0] <= 1 + tasks.CLOCK_MARGIN_SECONDS and lingered[1] == 0


# --- The server, from the cache --------------------------------------------------------------
def test_it_reads_the_server_from_the_cache_and_forgets_it_when_it_changes(client, pushing):
    assert push(client, pushing, "PhoneOnline", online("80000001", 1)).json()["retCode"] == 0
    with CaptureQueriesContext(connection) as queries:
        assert push(client, pushing, "PhoneOnline", online("80000002", 2)).json()["retCode"] == 0
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if "vosserver" in s.lower()], sql
    assert len([s for s in sql if s.startswith("INSERT")]) == 1, sql
    pushing.push_token = "a-new-token-0000"
    pushing.save()
    assert push(client, pushing, "PhoneOnline", online("80000003", 3)).status_code == 404
    answer = push(client, pushing, "PhoneOnline", online("80000003", 3), token="a-new-token-0000")
    assert answer.json()["retCode"] == 0
    pushing.push_source_ips = "192.0.2.1"
    pushing.save()
    answer = push(client, pushing, "PhoneOnline", online("80000004", 4), token="a-new-token-0000")
    assert answer.status_code == 403
    pushing.enabled = False
    pushing.save()
    answer = push(client, pushing, "PhoneOnline", online("80000005", 5), token="a-new-token-0000")
    assert answer.status_code == 404


# --- The lean path -------------------------------------------------------------------------
def test_it_skips_the_session_auth_and_scope_for_a_push(client, pushing):
    answer = push(client, pushing, "PhoneOnline", online("80000001", 1))
    assert answer.json() == {"retCode": 0}
    request = answer.wsgi_request
    assert not any(hasattr(request, a) for a in ("session", "user", "scope", "htmx"))
    assert not answer.cookies and "Content-Security-Policy" not in answer
    assert answer["X-Request-ID"]  # the request id still names its log lines
    page = client.get(reverse("healthz"))
    assert hasattr(page.wsgi_request, "session")  # every other URL has the whole stack


def test_it_answers_a_refused_push_address_with_a_bare_404(client, pushing):
    answer = push(client, pushing, "PhoneOnline", online("80000001", 1), token="wrong")
    assert answer.status_code == 404 and answer.content == b""


def test_it_keeps_the_https_redirect_and_the_allowed_hosts(client, pushing, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert push(client, pushing, "PhoneOnline", online("80000001", 1)).status_code == 301
    answer = push(client, pushing, "PhoneOnline", online("80000001", 1), secure=True)
    assert answer.json() == {"retCode": 0}
    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = ["portal.example"]
    assert push(client, pushing, "PhoneOnline", online("80000002", 2)).status_code == 400
    assert PushInbox.objects.count() == 1
