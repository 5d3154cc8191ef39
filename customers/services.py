"""Writes about customer accounts: creating, changing, locking and deleting them in VOS
(always through ``switch.vos.call``, which checks the scope and audits the VOS write)
and the local records that follow (the tenant, its cached VOS fields); the tenant tree
mirrored from VOS (``sync_tenants_from_vos``) and an admin's link of a VOS account.

Order of work for a change: VOS first (audited by ``vos.call`` whatever the outcome),
then the local rows in one transaction with their own audit event. A DB transaction is
never held open across a VOS call."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, events
from accounts.models import Tenant
from accounts.roles import Action
from accounts.scope import OutOfScope
from accounts.users.services import deactivate_user
from billing.cdrs.store import adopt_account_cdrs
from billing.models import MoneyTransfer
from billing.money.readings import as_money, copy_to_tenants, remember_vos_fields
from billing.rates.selectors import granted_groups
from switch import vos
from vos3000.client import ms_from_datetime
from web import numbers

log = logging.getLogger(__name__)


class CustomerRefused(Exception):
    """A change the portal will not make (or VOS would refuse for a known reason); the
    message says why, in words for the page."""


class TenantNotSaved(Exception):
    """VOS created the account but the portal could not record its tenant."""


def require_changeable(scope, tenant: Tenant) -> None:
    """Changes to an account are made from above it: an admin, or a reseller for the
    accounts below its own (never its own account, never a customer on itself). Anything
    else is a 404 like every refusal."""
    scope.require(Action.CHANGE)
    if not scope.manages(tenant):
        raise OutOfScope(f"tenant {tenant.pk}: not below the user's tenant")


def _require_linked(tenant: Tenant) -> None:
    if not tenant.is_linked:
        raise CustomerRefused(_("This account is not linked to a VOS server."))
    if tenant.status != Tenant.Status.ACTIVE:
        raise CustomerRefused(_("This account was deleted in VOS."))


# --- Create --------------------------------------------------------------------------------
def create_customer(
    scope, *, agent: Tenant, payload: dict, as_reseller: bool = False
) -> tuple[Tenant, dict]:
    """Create the VOS account ``payload["account"]`` under the reseller ``agent`` and its
    tenant (kind customer, or reseller for a sub-reseller), both audited.

    ``payload`` is CreateCustomer's request without ``agentAccount`` (set here from the
    agent tenant) and without ``money``: money moves only through the ledger.
    Returns the tenant and the payload sent. Raises VosError when VOS refuses (nothing
    made), TenantNotSaved when VOS made the account but the tenant row could not be
    written (the tenant sync links it later).
    """
    scope.require(Action.CHANGE)
    if agent.kind != Tenant.Kind.RESELLER or not scope.contains(agent):
        raise OutOfScope(f"agent tenant {agent.pk}")
    if not scope.is_provider:
        raise OutOfScope("only resellers and admins create accounts")
    _require_linked(agent)
    payload = {k: v for k, v in payload.items() if k != "money"}
    payload["agentAccount"] = agent.vos_account
    account = payload["account"]
    if Tenant.objects.filter(server=agent.server, vos_account=account).exists():
        raise CustomerRefused(_("The account %(account)s exists already.") % {"account": account})
    groups = granted_groups(scope, agent.server)
    if payload.get("feeRateGroup") and groups is not None and payload["feeRateGroup"] not in groups:
        raise CustomerRefused(_("This fee rate group is not one of yours."))

    vos.call(scope, agent.server, "CreateCustomer", payload, target=agent, tenant=agent)

    try:
        with transaction.atomic():
            tenant = Tenant(
                kind=Tenant.Kind.RESELLER if as_reseller else Tenant.Kind.CUSTOMER,
                name=payload.get("name") or account,
                parent=agent,
                server=agent.server,
                vos_account=account,
                vos_memo=(payload.get("memo") or "")[:255],
                vos_locked=payload.get("lockType") == 1,
                vos_type=int(payload.get("type") or 0),
                synced_at=timezone.now(),
            )
            tenant.save()
            audit.record(
                "tenant.create",
                scope=scope,
                target=tenant,
                tenant=tenant,
                vos_server=agent.server,
                after={
                    "vos_account": account,
                    "kind": tenant.kind,
                    "parent": agent.pk,
                    "name": tenant.name,
                },
            )
    except (IntegrityError, ValidationError) as exc:
        log.exception("tenant for new VOS account %s not saved", account)
        raise TenantNotSaved(account) from exc
    events.announce("customer.created", tenant_path=tenant.path, data=_event_data(tenant))
    return tenant, payload


def _event_data(tenant: Tenant) -> dict:
    """A customer account as webhooks tell of it."""
    return {
        "account": tenant.vos_account,
        "account_id": tenant.pk,
        "name": tenant.name,
        "kind": tenant.kind,
        "agent_account": tenant.parent.vos_account if tenant.parent_id else "",
        "locked": tenant.vos_locked,
    }


# --- Modify ------------------------------------------------------------------------------
def modify_customer(scope, tenant: Tenant, payload: dict, *, before: dict | None = None) -> None:
    """ModifyCustomer with ``payload`` (the account is set here), then the local copy."""
    require_changeable(scope, tenant)
    _require_linked(tenant)
    payload = {**payload, "account": tenant.vos_account}
    # The agent is not changed from these pages (moving an account is an admin's job
    # in VOS; the tenant sync follows it).
    payload.pop("agentAccount", None)
    groups = granted_groups(scope, tenant.server)
    group = payload.get("feeRateGroup")
    if (
        group
        and groups is not None
        and group not in groups
        and group != (before or {}).get("feeRateGroup")
    ):
        raise CustomerRefused(_("This fee rate group is not one of yours."))
    vos.call(scope, tenant.server, "ModifyCustomer", payload, target=tenant, tenant=tenant)
    _after_change(scope, tenant, payload, before)


def set_lock(scope, tenant: Tenant, locked: bool) -> None:
    require_changeable(scope, tenant)
    _require_linked(tenant)
    payload = {"account": tenant.vos_account, "lockType": 1 if locked else 0}
    vos.call(scope, tenant.server, "ModifyCustomer", payload, target=tenant, tenant=tenant)
    _after_change(scope, tenant, payload, {"lockType": 0 if locked else 1})


def set_valid_time(scope, tenant: Tenant, until: datetime, *, before_ms: int | None = None) -> int:
    """The account's expiry (an aware datetime, any zone) as VOS's validTime (ms UTC)."""
    require_changeable(scope, tenant)
    _require_linked(tenant)
    valid_ms = ms_from_datetime(until)
    payload = {"account": tenant.vos_account, "validTime": valid_ms}
    vos.call(scope, tenant.server, "ModifyCustomer", payload, target=tenant, tenant=tenant)
    _after_change(scope, tenant, payload, {"validTime": before_ms} if before_ms else None)
    return valid_ms


def _after_change(scope, tenant: Tenant, payload: dict, before: dict | None) -> None:
    """The local copy follows what VOS accepted; a renamed account is audited locally
    (the VOS write itself was audited by ``vos.call``)."""
    fields = {}
    if payload.get("name"):
        fields["name"] = payload["name"]
    if "memo" in payload:
        fields["vos_memo"] = (payload.get("memo") or "")[:255]
    if payload.get("lockType") is not None:
        fields["vos_locked"] = payload["lockType"] == 1
    if payload.get("type") is not None:
        fields["vos_type"] = int(payload["type"])
    changed = {k: v for k, v in fields.items() if getattr(tenant, k) != v}
    if not changed:
        return
    old = {k: getattr(tenant, k) for k in changed}
    # What VOS had before, for the fields sent (plain values only: the audit is JSON).
    before = {
        key: str(value) if isinstance(value, Decimal) else value
        for key, value in (before or {}).items()
        if key in payload and isinstance(value, str | int | float | Decimal | None)
    }
    with transaction.atomic():
        Tenant.objects.filter(pk=tenant.pk).update(**changed)
        for key, value in changed.items():
            setattr(tenant, key, value)
        audit.record(
            "tenant.update",
            scope=scope,
            target=tenant,
            tenant=tenant,
            vos_server=tenant.server,
            before={**old, **(before or {})},
            after=changed,
        )
    if changed.get("vos_locked") is True:
        events.announce("customer.locked", tenant_path=tenant.path, data=_event_data(tenant))


# --- Delete ------------------------------------------------------------------------------
def open_money_transfers(tenant: Tenant):
    """Transfers of this account (or funded by it) that the switch has not settled."""
    return MoneyTransfer.objects.filter(
        Q(customer=tenant) | Q(funded_by=tenant),
        state__in=[
            MoneyTransfer.State.PENDING,
            MoneyTransfer.State.UNKNOWN,
            MoneyTransfer.State.REVIEW,
        ],
    )


def deletion_blockers(scope, tenant: Tenant) -> list[str]:
    """Why this account cannot be deleted now, in words (empty: it can). Asks VOS for
    the balance (GetCustomer) and the phones (GetPhone) first: VOS refuses too, but a
    person should read the reason before pressing the button."""
    return deletion_blockers_of(deletion_check(scope, tenant))


def deletion_blockers_of(check: DeletionCheck) -> list[str]:
    return [*([check.balance_reason] if check.balance_reason else []), *check.others]


@dataclass
class DeletionCheck:
    """What stands in the way of a delete: the balance (with the money VOS stated, so
    the page can offer to return it) apart from everything else."""

    balance_reason: str = ""
    money: Decimal | None = None
    others: list[str] = field(default_factory=list)

    @property
    def only_money_left(self) -> bool:
        """Only a positive balance stands in the way: returning it makes the delete go."""
        return not self.others and self.money is not None and self.money > 0


def deletion_check(scope, tenant: Tenant) -> DeletionCheck:
    require_changeable(scope, tenant)
    _require_linked(tenant)
    check = DeletionCheck()
    answer = vos.call(scope, tenant.server, "GetCustomer", {"accounts": [tenant.vos_account]})
    info = next(
        (i for i in answer.get("infoCustomers") or [] if i.get("account") == tenant.vos_account),
        None,
    )
    if info is None:
        check.others.append(
            _("VOS has no such account any more; the tenant sync will mark it deleted.")
        )
        return check
    money = check.money = as_money(info.get("money"))
    if money is None:
        check.balance_reason = _(
            "The switch did not say the balance, so it cannot be checked to be zero."
        )
    elif money != 0:
        check.balance_reason = _(
            "The balance is %(money)s, not zero. Take the money back first (Money tab, "
            "“Take money back”)."
        ) % {"money": numbers.with_currency(numbers.grouped(money, numbers.money_places()))}
    reasons = check.others
    phones = vos.call(scope, tenant.server, "GetPhone", {"accounts": [tenant.vos_account]})
    count = len(scope.keep_in_scope(tenant.server, phones.get("infoPhones") or []))
    if count:
        reasons.append(
            _("%(count)s phone(s) still belong to this account. Delete them first.")
            % {"count": count}
        )
    if tenant.children.filter(status=Tenant.Status.ACTIVE).exists():
        reasons.append(_("Other accounts still sit below this one."))
    active_users = tenant.users.filter(is_active=True)
    if active_users.exists() and not all(scope.may_manage(u) for u in active_users):
        reasons.append(
            _(
                "People still sign in to this account and you may not manage their "
                "users: ask a manager to delete it."
            )
        )
    if open_money_transfers(tenant).exists():
        reasons.append(
            _(
                "Money moved for this account is still being confirmed with the switch: "
                "delete it once that is done."
            )
        )
    return check


def delete_customer(scope, tenant: Tenant) -> list:
    """DeleteCustomer after the checks above; then the tenant is marked gone (kept for
    the audit trail and the ledger) and the people who signed in to it are deactivated
    through ``accounts.users.services.deactivate_user`` (their sessions end). Returns the
    users deactivated."""
    reasons = deletion_blockers(scope, tenant)
    if reasons:
        raise CustomerRefused(" ".join(reasons))
    vos.call(
        scope,
        tenant.server,
        "DeleteCustomer",
        {"account": tenant.vos_account},
        target=tenant,
        tenant=tenant,
    )
    with transaction.atomic():
        tenant.status = Tenant.Status.GONE
        tenant.synced_at = timezone.now()
        tenant.save(update_fields=["status", "synced_at"])
        audit.record(
            "tenant.delete",
            scope=scope,
            target=tenant,
            tenant=tenant,
            vos_server=tenant.server,
            before={"status": Tenant.Status.ACTIVE},
            after={"status": Tenant.Status.GONE, "vos_account": tenant.vos_account},
        )
        users = list(tenant.users.filter(is_active=True))
        for user in users:
            deactivate_user(scope, user)
    return users


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
    accounts = list(client.call("GetAllCustomers", {}).get("accounts") or [])
    infos = {}
    for start in range(0, len(accounts), SYNC_BATCH_SIZE):
        batch = accounts[start : start + SYNC_BATCH_SIZE]
        answer = client.call("GetCustomer", {"accounts": batch})
        for info in answer.get("infoCustomers") or []:
            infos[info.get("account")] = info
    agent_of = {account: (info.get("agentAccount") or "") for account, info in infos.items()}
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
                    name=info.get("name") or account,
                    parent=parent,
                    synced_at=now,
                )
                tenant.save()
                known[account] = tenant
                result.created.append(account)
                # Its calls may have been pulled before it had a tenant (stored without one).
                adopt_account_cdrs(tenant)
                continue
            changed = []
            if tenant.parent_id != parent.pk:
                tenant.parent = parent
                result.moved.append(account)
                changed.append("parent")
            if info.get("name") and tenant.name != info["name"]:
                tenant.name = info["name"]
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
        # The local copy that search and filters use (memo, lock, type) follows VOS too.
        remember_vos_fields(server, list(infos.values()))
        # A new tenant takes the last balance already read for its account (a reading
        # kept from before it was deleted, say), which the list sorts on.
        copy_to_tenants(server, result.created)
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
    answer = vos.client_for(server).call("GetCustomer", {"accounts": [account]})
    info = next((c for c in answer.get("infoCustomers") or [] if c.get("account") == account), None)
    if info is None:
        raise LinkRefused(
            _("There is no account %(account)s on this VOS server.") % {"account": account}
        )
    parent = Tenant.platform_root()
    agent = info.get("agentAccount")
    if agent:
        parent = Tenant.objects.filter(
            server=server, vos_account=agent, status=Tenant.Status.ACTIVE
        ).first()
        if parent is None:
            raise LinkRefused(
                _("Its agent account %(agent)s is not a tenant yet: link that first.")
                % {"agent": agent}
            )
        if parent.kind != Tenant.Kind.RESELLER:
            raise LinkRefused(
                _("Its agent account %(agent)s is a customer, not a reseller.") % {"agent": agent}
            )
    tenant = Tenant(
        server=server,
        vos_account=account,
        kind=kind,
        name=info.get("name") or account,
        parent=parent,
        synced_at=timezone.now(),
    )
    tenant.save()
    # Its calls may have been pulled before it had a tenant (stored without one).

    adopt_account_cdrs(tenant)
    return tenant
