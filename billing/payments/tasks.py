"""Card payment tasks: the offline provider's webhook delivery and the daily
reconciliation with each provider."""

from __future__ import annotations

import logging

import requests
from celery import shared_task

from billing.models import OfflineCheckoutSession, PaymentAccount
from billing.payments import keys
from billing.payments import services as payments
from billing.payments.providers import offline

log = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, default_retry_delay=10)
def deliver_offline_event(self, session_pk: int, event_type: str) -> int:
    """The offline provider sends a signed event about a checkout to the portal's webhook
    URL by HTTP, as a real provider would (the browser never credits anything). Retried a
    few times when the portal does not answer 2xx; the daily reconciliation catches what
    is never delivered."""
    session = OfflineCheckoutSession.objects.get(pk=session_pk)
    account = PaymentAccount.objects.filter(pk=session.account_id).first()
    if account is None or not account.has_keys:
        log.warning("offline checkout %s: its payment account is gone", session.session_id)
        return 0
    secret = keys.config_for(account).webhook_secret
    body = offline.event_body(session, event_type)
    try:
        answer = requests.post(
            session.webhook_url,
            data=body,
            headers={
                "Content-Type": "application/json",
                offline.SIGNATURE_HEADER: offline.sign(body, secret),
            },
            timeout=30,
        )
    except requests.RequestException as exc:
        log.warning("offline webhook %s not delivered: %s", session.session_id, type(exc).__name__)
        raise self.retry(exc=exc) from None
    if answer.status_code >= 500:
        raise self.retry()
    return answer.status_code


@shared_task
def reconcile_card_payments() -> int:
    """Daily: each enabled payment account's provider listing against the portal's
    credits (see ``payments.reconcile_account``)."""
    accounts = PaymentAccount.objects.filter(enabled=True).select_related("owner")
    done = 0
    for account in accounts:
        if not account.has_keys:
            continue
        try:
            found = payments.reconcile_account(account)
        except Exception:  # one account's provider must not stop the others
            log.exception("reconciling payment account %s failed", account.pk)
            continue
        log.info("payment account %s reconciled: %s", account.pk, found)
        done += 1
    return done
