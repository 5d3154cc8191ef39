"""The unread-notification count shown next to the navigation, on every page."""

from __future__ import annotations


def unread_notifications(request):
    scope = getattr(request, "scope", None)
    if not scope:  # anonymous (the scope is a lazy None)
        return {}
    from accounts.alert_selectors import unread_count

    # Lazy: a page that does not show the navigation pays no query.
    return {"unread_notifications": lambda: unread_count(scope.user)}
