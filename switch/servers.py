"""Which VOS servers the portal talks to, and whose account is whose on them: the lookups
every area shares (a disabled server is asked nothing, anywhere)."""

from __future__ import annotations

import copy
import logging
import time

from django.core.cache import cache
from django.db import transaction
from django.http import Http404

from accounts.models import Tenant
from switch.models import VosServer

log = logging.getLogger(__name__)


def enabled_servers():
    return VosServer.objects.filter(enabled=True).order_by("name")


def enabled_server_or_404(server_id) -> VosServer:
    try:
        return enabled_servers().get(pk=int(server_id))
    except (VosServer.DoesNotExist, TypeError, ValueError):
        raise Http404("no such VOS server") from None


def tenant_of_account(server, account: str) -> Tenant | None:
    """The portal's tenant of a VOS account on ``server`` (for the audit), if it knows it."""
    if not account:
        return None
    return Tenant.objects.filter(server=server, vos_account=account).first()


# --- Every server, from the cache ---------------------------------------------------------
# The pages that read VOS (a list page's GetCustomer) and the push receiver need the row of
# a server or two before anything else can start: one cache entry with every server
# instead of a query each time. Any save or delete of a VosServer forgets it
# (switch.apps connects ``forget_servers``), now and again on commit (a request between
# the two must not cache the old values); the timeout covers a change made behind the
# ORM's back. Each process keeps what it read for SERVERS_LOCAL_SECONDS more (a cache
# read costs more than the lookup it saves), so another process sees an admin's change
# at most that much later; the process that made it, at once.
SERVERS_KEY = "switch:servers"
SERVERS_SECONDS = 300
SERVERS_LOCAL_SECONDS = 1.0
# [time.monotonic() read, {id: server}, {name: enabled server}]
_local_servers: list = [float("-inf"), {}, {}]


def _snapshot() -> tuple[dict, dict]:
    read_at, by_id, enabled_by_name = _local_servers
    now = time.monotonic()
    if now < read_at + SERVERS_LOCAL_SECONDS:
        return by_id, enabled_by_name
    try:
        by_id = cache.get(SERVERS_KEY)
    except Exception:  # the cache down: pages and pushes go on, from the database
        log.warning("servers: the cache could not be read", exc_info=True)
        by_id, cached = None, False
    else:
        cached = True
    if by_id is None:
        by_id = VosServer.objects.in_bulk()
        if cached:
            try:
                cache.set(SERVERS_KEY, by_id, SERVERS_SECONDS)
            except Exception:
                log.warning("servers: the cache could not be written", exc_info=True)
    enabled_by_name = {s.name: s for s in by_id.values() if s.enabled}
    _local_servers[:] = [now, by_id, enabled_by_name]
    return by_id, enabled_by_name


def servers_by_id(ids) -> dict[int, VosServer]:
    """The servers with these ids (enabled or not), from the cache; one made a moment ago
    in another process is read from the database. Each is a copy: the caller may change
    it without changing what other requests of this process get."""
    by_id = _snapshot()[0]
    wanted = set(ids)
    found = {pk: copy.copy(by_id[pk]) for pk in wanted if pk in by_id}
    missing = wanted - found.keys()
    if missing:
        found.update(VosServer.objects.in_bulk(missing))
    return found


def enabled_server_named(name: str) -> VosServer | None:
    """The enabled server called ``name``, from the cache (the push receiver's lookup:
    read only, so not copied)."""
    return _snapshot()[1].get(name)


def forget_servers(**kwargs) -> None:
    """A VosServer changed (post_save, post_delete): the next lookup reads them afresh."""

    def forget():
        forget_servers_here()
        try:
            cache.delete(SERVERS_KEY)
        except Exception:  # the entry's timeout ends it
            log.warning("servers: the cache entry could not be deleted", exc_info=True)

    forget()
    transaction.on_commit(forget)


def forget_servers_here() -> None:
    """This process's copy only (the shared entry stays)."""
    _local_servers[:] = [float("-inf"), {}, {}]
