"""Which VOS servers the portal talks to, and whose account is whose on them: the lookups
every area shares (a disabled server is asked nothing, anywhere)."""

from __future__ import annotations

from django.http import Http404

from accounts.models import Tenant
from switch.models import VosServer


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
