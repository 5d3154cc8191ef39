"""Writes to tenants and users. Views and tasks call these; nothing else writes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tenant
from telephony import vos

log = logging.getLogger(__name__)

# GetCustomer takes a list of accounts; batches keep each answer small and each call short.
SYNC_BATCH_SIZE = 200


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    seen: int = 0


def sync_tenants_from_vos(server) -> SyncResult:
    """Mirror VOS's account tree (each customer's ``agentAccount``) into tenants.

    Accounts made in VOS outside the portal appear under the right reseller; an account
    whose agent changed moves with its subtree; an account deleted in VOS is marked
    gone (and so disappears from every scope), not silently kept.
    """
    client = vos.client_for(server)
    accounts = list(client.get_all_customers().accounts or [])
    infos = {}
    for start in range(0, len(accounts), SYNC_BATCH_SIZE):
        answer = client.get_customer(accounts=accounts[start : start + SYNC_BATCH_SIZE])
        for info in answer.info_customers or []:
            infos[info.account] = info
    agent_of = {account: (info.agent_account or "") for account, info in infos.items()}
    agents = {agent for agent in agent_of.values() if agent}
    result = SyncResult(seen=len(infos))
    now = timezone.now()

    with transaction.atomic():
        root = Tenant.platform_root()
        known = {
            t.vos_account: t
            for t in Tenant.objects.select_for_update()
            .filter(server=server)
            .exclude(vos_account="")
        }
        for account in _parents_first(agent_of):
            info = infos[account]
            parent = known.get(agent_of[account]) if agent_of[account] else None
            if parent is None or parent.status == Tenant.Status.GONE:
                parent = root
            tenant = known.get(account)
            if tenant is None:
                tenant = Tenant(
                    server=server,
                    vos_account=account,
                    kind=Tenant.Kind.RESELLER if account in agents else Tenant.Kind.CUSTOMER,
                    name=info.name or account,
                    parent=parent,
                    synced_at=now,
                )
                tenant.save()
                known[account] = tenant
                result.created.append(account)
                continue
            changed = []
            if tenant.parent_id != parent.pk:
                tenant.parent = parent
                result.moved.append(account)
                changed.append("parent")
            if info.name and tenant.name != info.name:
                tenant.name = info.name
                result.renamed.append(account)
                changed.append("name")
            if tenant.status != Tenant.Status.ACTIVE:
                tenant.status = Tenant.Status.ACTIVE
                changed.append("status")
            if (
                account in agents
                and tenant.kind == Tenant.Kind.CUSTOMER
                and not tenant.users.exists()
            ):
                # It became an agent in VOS: a reseller now (only while nobody holds a
                # customer role in it, which a reseller tenant could not carry).
                tenant.kind = Tenant.Kind.RESELLER
                changed.append("kind")
            tenant.synced_at = now
            tenant.save()
        for account, tenant in known.items():
            if account not in infos and tenant.status != Tenant.Status.GONE:
                tenant.status = Tenant.Status.GONE
                tenant.synced_at = now
                tenant.save(update_fields=["status", "synced_at"])
                result.gone.append(account)
    log.info(
        "tenant sync %s: %d seen, %d created, %d moved, %d gone",
        server.name,
        result.seen,
        len(result.created),
        len(result.moved),
        len(result.gone),
    )
    return result


def _parents_first(agent_of: dict[str, str]) -> list[str]:
    """Accounts ordered so every agent comes before the accounts below it. A cycle
    (which VOS should refuse, but a sync must survive) is broken at the root."""
    ordered, placed = [], set()

    def place(account: str, trail: set[str]) -> None:
        if account in placed or account not in agent_of:
            return
        agent = agent_of[account]
        if agent and agent not in trail:
            place(agent, trail | {account})
        placed.add(account)
        ordered.append(account)

    for account in sorted(agent_of):
        place(account, set())
    return ordered


class LinkRefused(Exception):
    """A VOS account that cannot become a tenant; the message says why, for the form."""


def link_vos_account(server, account: str, kind: str) -> Tenant:
    """Bind an existing VOS account to a new tenant, checked against the VOS tree: the
    account must exist, and its agent must already be a tenant (or it has no agent and
    hangs under the platform)."""
    existing = Tenant.objects.filter(server=server, vos_account=account).first()
    if existing is not None:
        raise LinkRefused(
            _("This VOS account is already the tenant “%(name)s”.") % {"name": existing.name}
        )
    answer = vos.client_for(server).get_customer(accounts=[account])
    info = next((c for c in answer.info_customers if c.account == account), None)
    if info is None:
        raise LinkRefused(
            _("There is no account %(account)s on this VOS server.") % {"account": account}
        )
    parent = Tenant.platform_root()
    if info.agent_account:
        parent = Tenant.objects.filter(
            server=server, vos_account=info.agent_account, status=Tenant.Status.ACTIVE
        ).first()
        if parent is None:
            raise LinkRefused(
                _("Its agent account %(agent)s is not a tenant yet: link that first.")
                % {"agent": info.agent_account}
            )
        if parent.kind != Tenant.Kind.RESELLER:
            raise LinkRefused(
                _("Its agent account %(agent)s is a customer, not a reseller.")
                % {"agent": info.agent_account}
            )
    tenant = Tenant(
        server=server,
        vos_account=account,
        kind=kind,
        name=info.name or account,
        parent=parent,
        synced_at=timezone.now(),
    )
    tenant.save()
    return tenant
