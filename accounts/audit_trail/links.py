"""Which page shows an audit event's target, said by the area that owns the page (from its
``AppConfig.ready``; this module imports no models, so an apps module may import it):

    link_target("billing.moneytransfer", "money_transfer",
                "billing.money.selectors.money_transfer_or_404")

The trail links a target only when ``reader(scope, pk)`` returns it for the viewer (an
OBJECT page answers 404 otherwise), so a link is never a dead end.
"""

from __future__ import annotations

# target_type -> (url name taking the id, dotted path of reader(scope, pk))
LINKS: dict[str, tuple[str, str]] = {}


def link_target(target_type: str, url_name: str, reader: str) -> None:
    LINKS[target_type] = (url_name, reader)


def customer_or_404(scope, pk):
    """A customer account the viewer may open (the reader for ``accounts.tenant``)."""
    return scope.customer_or_404(pk)
