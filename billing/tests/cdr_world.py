"""The demo platform's tenants and a week of its CDRs in the local copy, for the CDR
page tests: tenants mirrored from the simulator (``sync_tenants_from_vos``) and VOS's
own GetCdr answers stored with ``cdr_store.store``, as the pulls do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from accounts.models import Tenant
from billing.cdrs import store as cdr_store
from customers.services import sync_tenants_from_vos
from switch.vos import client_for


def sim_today(portal_sim) -> date:
    return datetime.fromtimestamp(portal_sim.control("now")["now"] / 1000, tz=UTC).date()


def vos_cdrs(server, accounts, first: date, last: date) -> list[dict]:
    answer = client_for(server).call(
        "GetCdr",
        {"accounts": list(accounts), "beginTime": f"{first:%Y%m%d}", "endTime": f"{last:%Y%m%d}"},
    )
    return answer.get("infoCdrs") or []


# The simulator's "today" when ``demo_world`` last stored a week: ``week`` covers that
# same week, even when midnight passes in between (`make test-clock` starts at 23:59:30).
_STORED_TODAY: dict[int, date] = {}


def demo_world(server, portal_sim, days: int = 7) -> dict[str, Tenant]:
    """Tenants by VOS account, with the last ``days`` days (up to yesterday) stored."""
    sync_tenants_from_vos(server)
    tenants = {t.vos_account: t for t in Tenant.objects.exclude(vos_account="")}
    today = sim_today(portal_sim)
    _STORED_TODAY[id(portal_sim)] = today
    infos = vos_cdrs(server, tenants, today - timedelta(days=days), today - timedelta(days=1))
    cdr_store.store(server, infos)
    return tenants


def week(portal_sim, days: int = 7) -> dict[str, str]:
    """The search's dates covering what ``demo_world`` stored (UTC days)."""
    today = _STORED_TODAY.get(id(portal_sim)) or sim_today(portal_sim)
    return {
        "date_from": (today - timedelta(days=days)).isoformat(),
        "date_to": (today - timedelta(days=1)).isoformat(),
    }
