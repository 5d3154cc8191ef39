"""Today's calls of one account, asked of the switch on request: the calls the pulls
have not brought into the local copy yet.

VOS warns that frequent ``GetCdr`` calls hurt it, so an account's today is asked at
most once per ``CDR_LIVE_CACHE_SECONDS``, whoever asks (the customer, its reseller, an
admin): ``cache.add`` of a lock that lives as long as the answer is cached. Those who
come while the first asks wait a few seconds for its answer. A failure is remembered
for the same time too, so a switch in trouble is not asked again at every click.

What is cached is VOS's full answer; each viewer's rows are cut down to the columns
of its role afterwards (``billing.cdrs.columns``), on the server.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.cdrs import columns as cdr_columns
from billing.cdrs import store as cdr_store
from billing.models import Cdr
from switch import vos
from vos3000.client import format_day
from vos3000.errors import VosError

# How long someone who finds the account being asked waits for that answer.
WAIT_FOR_OTHER_SECONDS = 8.0


_POLL_SECONDS = 0.2


@dataclass
class LiveCalls:
    rows: list[dict] = field(default_factory=list)  # cut down to the viewer's columns
    columns: list = field(default_factory=list)
    fetched_at: datetime | None = None
    already_stored: int = 0  # today's calls already in the local copy (not repeated)
    error: str = ""
    day: str = ""

    @property
    def table(self) -> list[list[tuple[str, object]]]:
        return [cdr_columns.cells(row, self.columns) for row in self.rows]


def _keys(tenant, day: str) -> tuple[str, str]:
    base = f"cdr-live:{tenant.server_id}:{tenant.vos_account}:{day}"
    return base + ":lock", base + ":answer"


def _ask_vos(scope, tenant, day: str) -> dict:
    """One GetCdr for the account and today; an error is kept in words."""
    try:
        answer = vos.call(
            scope,
            tenant.server,
            "GetCdr",
            {"accounts": [tenant.vos_account], "beginTime": day, "endTime": day},
        )
    except VosError as exc:
        return {"error": vos.describe_error(exc), "at": timezone.now().timestamp()}
    infos = answer.get("infoCdrs") or []
    # The guard checked the account asked about; keep only rows about it all the same.
    infos = scope.keep_in_scope(tenant.server, infos)
    return {"infos": infos, "at": timezone.now().timestamp()}


def cached(tenant) -> dict | None:
    """The answer remembered for today, if any (never asks VOS)."""
    day = format_day(timezone.now())
    return cache.get(_keys(tenant, day)[1])


def todays_answer(scope, tenant) -> dict:
    """VOS's answer about ``tenant``'s today: remembered, or asked now (once per period
    whoever asks), or, when someone else is asking right now, theirs."""
    day = format_day(timezone.now())
    lock_key, answer_key = _keys(tenant, day)
    answer = cache.get(answer_key)
    if answer is not None:
        return answer
    period = settings.CDR_LIVE_CACHE_SECONDS
    if cache.add(lock_key, 1, timeout=period):
        answer = _ask_vos(scope, tenant, day)
        cache.set(answer_key, answer, timeout=period)
        return answer
    deadline = clock.monotonic() + WAIT_FOR_OTHER_SECONDS
    while clock.monotonic() < deadline:
        clock.sleep(_POLL_SECONDS)
        answer = cache.get(answer_key)
        if answer is not None:
            return answer
    return {
        "error": _("Today's calls of this account are being fetched; try again in a minute."),
        "at": None,
    }


def live_calls(scope, tenant, *, fetch: bool) -> LiveCalls:
    """Today's calls of ``tenant`` from the switch that the local copy does not hold yet,
    newest first, in the viewer's columns. With ``fetch=False`` only a remembered
    answer is used (a page view never asks VOS by itself)."""
    columns = cdr_columns.page_columns(scope)
    result = LiveCalls(columns=columns, day=format_day(timezone.now()))
    if not tenant.is_linked:
        result.error = _("This account is not linked to a VOS server.")
        return result
    answer = todays_answer(scope, tenant) if fetch else cached(tenant)
    if answer is None:
        return result
    if answer.get("at"):
        result.fetched_at = datetime.fromtimestamp(answer["at"], tz=UTC)
    if answer.get("error"):
        result.error = answer["error"]
        return result
    infos = answer.get("infos") or []
    keyed = [(cdr_store.natural_key(tenant.server_id, info), info) for info in infos]
    stored = set()
    if keyed:
        values = [cdr_store.cdr_values(info) for _, info in keyed]
        starts = [v["start"] for v in values]
        stored = set(
            Cdr.objects.filter(
                natural_key__in=[key for key, _ in keyed],
                start__gte=min(starts),
                start__lte=max(starts),
            ).values_list("natural_key", flat=True)
        )
    rows = [
        cdr_store.cdr_values(info) | {"natural_key": key}
        for key, info in keyed
        if key not in stored
    ]
    rows.sort(key=lambda row: row["start"], reverse=True)
    result.already_stored = len(keyed) - len(rows)
    result.rows = [cdr_columns.cut_down(row, columns) for row in rows]
    return result
