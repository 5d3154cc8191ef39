"""Click-to-call (CallBack, a VOS write audited by ``switch.vos.call``), rate limited per
user."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tenant
from accounts.roles import Action
from accounts.scope import OutOfScope
from billing.rates import selectors
from billing.rates.selectors import require_linked
from billing.rates.services import Refused
from switch import vos

# Click-to-call: at most this many requests per user and minute.
CLICK_TO_CALL_PER_MINUTE = 10


class RateLimited(Refused):
    pass


# --- Click-to-call -----------------------------------------------------------------------
def _count_click_to_call(scope) -> None:
    """One more request this minute for the person typing; refused over the limit."""
    person = scope.acting_user or scope.user
    key = f"billing:click_to_call:{person.pk}:{int(timezone.now().timestamp()) // 60}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > CLICK_TO_CALL_PER_MINUTE:
        raise RateLimited(_("Too many calls started in a minute. Please wait a moment."))


def click_to_call(scope, tenant: Tenant, phone: str, number: str) -> None:
    """CallBack: VOS rings the customer's own ``phone`` first, then connects it to
    ``number``; the phone is the access number, so its account pays. The phone's
    password comes from GetPhone here, never from the browser."""
    scope.require(Action.CHANGE)
    server = require_linked(tenant)
    _count_click_to_call(scope)
    phones = selectors.customer_phones(scope, tenant)
    row = next((p for p in phones if str(p.get("e164")) == phone), None)
    if row is None:
        raise OutOfScope("phone of another customer")
    vos.call(
        scope,
        server,
        "CallBack",
        {
            "callerE164": phone,
            "calleeE164s": number,
            "accessE164": phone,
            "accessE164Password": str(row.get("password") or ""),
        },
        target=tenant,
        tenant=tenant,
        verified={phone},
    )
