"""The unread-notification count shown next to the navigation, on every page."""

from __future__ import annotations

from functools import cached_property

from alerts.selectors import unread_count


class UnreadNotifications:
    """Counted when a template first asks (pages without the navigation pay nothing)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self.user)


def unread_notifications(request):
    scope = getattr(request, "scope", None)
    if not scope:  # anonymous (the scope is a lazy None)
        return {}
    return {"unread_notifications": UnreadNotifications(scope.user)}
