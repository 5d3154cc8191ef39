"""The audit trail: every change made through the portal and every VOS write call.

``record(...)`` appends one ``AuditEvent``. Rows form a hash chain
(``row_hash = sha256(prev_hash + canonical row)``) written under a lock, so the chain is
linear and any edit or deletion shows up in ``manage.py verify_audit``. Payloads, before
and after values are redacted here, whoever calls: no password, PIN, token or session id
is ever stored.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection, transaction

from accounts.models import AuditEvent
from accounts.scope import OutOfScope

GENESIS_HASH = "0" * 64


REDACTED = "[redacted]"


_SECRET_KEY_NAME = re.compile(r"(pass(word|wd)?|pwd|pin|secret|token|session|otp|code)$", re.I)


# Exact names that end like a secret but are not one.
_NOT_SECRET = {"areaCode", "areaCodes", "postCode", "feeRateCode", "retCode"}


# pg_advisory_xact_lock key: "audit" as a number, any constant unique to this lock.
_PG_LOCK_KEY = 0x61756469


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""
    request_id: str = ""


_request_info: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar(
    "audit_request_info",
    default=RequestInfo(),  # noqa: B039 (a frozen dataclass, not mutable)
)


def request_info() -> RequestInfo:
    """The IP, user agent and request id of the request being answered (empty in tasks)."""
    return _request_info.get()


class AuditContextMiddleware:
    """Remember the request's IP, user agent and id for every event it records."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_info.set(
            RequestInfo(
                ip=request.META.get("REMOTE_ADDR") or None,
                user_agent=request.headers.get("User-Agent", "")[:255],
                request_id=getattr(request, "request_id", ""),
            )
        )
        try:
            return self.get_response(request)
        finally:
            _request_info.reset(token)

    def process_exception(self, request, exception):
        """Record a scope refusal (a foreign or unknown id, a forbidden action), then let
        Django render its plain 404: one place instead of every view."""
        if not isinstance(exception, OutOfScope):
            return None
        scope = getattr(request, "scope", None)
        if not scope:
            return None
        user = scope.user
        record(
            "authz.denied",
            scope=scope,
            tenant=user.tenant,
            payload={"path": request.path[:500], "method": request.method},
            result="denied",
            error=str(exception),
        )
        return None


def redact(value):
    """A copy of ``value`` with every secret-looking key's value replaced."""
    if isinstance(value, dict):
        return {
            key: (
                REDACTED
                if isinstance(key, str) and key not in _NOT_SECRET and _SECRET_KEY_NAME.search(key)
                else redact(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def canonical(event: AuditEvent) -> str:
    """The row as it is hashed: every recorded field, in a fixed order, as JSON."""
    fields = {
        "created_at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_email": event.actor_email,
        "actor_tenant_id": event.actor_tenant_id,
        "on_behalf_of_id": event.on_behalf_of_id,
        "on_behalf_of_email": event.on_behalf_of_email,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "tenant_id": event.tenant_id,
        "tenant_path": event.tenant_path,
        "vos_server": event.vos_server,
        "vos_endpoint": event.vos_endpoint,
        "payload": event.payload,
        "result": event.result,
        "ret_code": event.ret_code,
        "error": event.error,
        "before": event.before,
        "after": event.after,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "request_id": event.request_id,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


def record(
    action: str,
    *,
    scope=None,
    actor=None,
    target=None,
    target_type: str = "",
    target_id: str = "",
    tenant=None,
    vos_server=None,
    vos_endpoint: str = "",
    payload: dict | None = None,
    result: str = "ok",
    ret_code: int | None = None,
    error: str = "",
    before=None,
    after=None,
) -> AuditEvent:
    """Append one event. ``scope`` gives the actor (and "on behalf of" under view-as);
    ``actor`` is for events without a scope (logins, tasks). ``target`` is a model
    instance (type and id are taken from it) or None."""
    typist = scope.acting_user or scope.user if scope is not None else actor
    behalf = scope.user if scope is not None and scope.acting_user else None
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    if tenant is None and target is not None and target._meta.label_lower == "accounts.tenant":
        tenant = target
    info = _request_info.get()
    event = AuditEvent(
        created_at=datetime.now(UTC),
        actor=typist if getattr(typist, "pk", None) else None,
        actor_email=getattr(typist, "email", "") or "",
        actor_tenant_id=getattr(typist, "tenant_id", None),
        on_behalf_of=behalf,
        on_behalf_of_email=behalf.email if behalf else "",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        tenant=tenant,
        tenant_path=tenant.path if tenant is not None else "",
        vos_server=getattr(vos_server, "name", vos_server or "") or "",
        vos_endpoint=vos_endpoint,
        payload=redact(payload or {}),
        result=result,
        ret_code=ret_code,
        error=error[:255],
        before=redact(before),
        after=redact(after),
        ip=info.ip,
        user_agent=info.user_agent,
        request_id=info.request_id,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        # SQLite runs write transactions one at a time (IMMEDIATE), which is the lock.
        last = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
        event.prev_hash = last or GENESIS_HASH
        event.row_hash = chain_hash(event.prev_hash, event)
        event.save(force_insert=True)
    return event


# --- verification ------------------------------------------------------------------------
# Only the columns the hash covers (and the id), read in keyset chunks: constant memory
# over any number of rows.
_VERIFY_CHUNK = 2000


_VERIFY_FIELDS = [
    "id",
    "created_at",
    "actor_id",
    "actor_email",
    "actor_tenant_id",
    "on_behalf_of_id",
    "on_behalf_of_email",
    "action",
    "target_type",
    "target_id",
    "tenant_id",
    "tenant_path",
    "vos_server",
    "vos_endpoint",
    "payload",
    "result",
    "ret_code",
    "error",
    "before",
    "after",
    "ip",
    "user_agent",
    "request_id",
    "prev_hash",
    "row_hash",
]


HASH_MISMATCH = "hash_mismatch"


BROKEN_LINK = "broken_link"


@dataclass(frozen=True)
class ChainVerification:
    """What ``verify_chain`` found. ``ok`` with ``checked`` rows, or the first broken row:
    ``broken_id`` and ``problem`` (HASH_MISMATCH: the row was edited; BROKEN_LINK: its
    prev_hash is not the previous row's hash, so a row before it was deleted or edited)."""

    ok: bool
    checked: int
    broken_id: int | None = None
    problem: str | None = None
    detail: str = ""


def verify_chain(chunk_size: int = _VERIFY_CHUNK, progress=None) -> ChainVerification:
    """Walk the whole trail in id order and recompute every link. ``progress(checked)``
    is called after each chunk (a job shows how far it got)."""
    prev_hash = GENESIS_HASH
    last_id = 0
    checked = 0
    while True:
        rows = list(
            AuditEvent.objects.filter(id__gt=last_id)
            .order_by("id")
            .only(*_VERIFY_FIELDS)[:chunk_size]
        )
        if not rows:
            return ChainVerification(ok=True, checked=checked)
        for row in rows:
            if row.prev_hash != prev_hash:
                return ChainVerification(
                    ok=False,
                    checked=checked,
                    broken_id=row.pk,
                    problem=BROKEN_LINK,
                    detail=(
                        "prev_hash does not match the previous row's hash: a row before it "
                        "was deleted, or its link was edited"
                    ),
                )
            if chain_hash(row.prev_hash, row) != row.row_hash:
                return ChainVerification(
                    ok=False,
                    checked=checked,
                    broken_id=row.pk,
                    problem=HASH_MISMATCH,
                    detail="the row's content does not match its hash: it was edited",
                )
            prev_hash = row.row_hash
            checked += 1
        last_id = rows[-1].pk
        if progress is not None:
            progress(checked)
