"""Who handles which VOS push: filled by the feature apps, read by the switch gate.

The gate receives and stores every push (switch.push_receiver, switch.push_inbox) but
knows no feature: each feature app says in its ``AppConfig.ready`` which messages it
handles, by dotted path (``on_push("PhoneOnline", "telephony.live.state.phone_online")``).
This module imports no models, so an ``apps`` module may import it at the top; the paths
are resolved on first use.

Handlers of a stored message take ``(server, payload)``; several may handle one message
(AlarmCurrentReport updates the live alarm list and tells the alerts). An answerer takes
``(server, name, payload)`` and returns VOS's answer at once (the DTMF menu pushes).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.utils.module_loading import import_string

_handlers: dict[str, list[str]] = {}
_answerers: dict[str, str] = {}


def on_push(name: str, handler: str) -> None:
    """Apply ``name`` messages with the function at dotted path ``handler``."""
    paths = _handlers.setdefault(name, [])
    if handler not in paths:
        paths.append(handler)
    _resolved_handlers.cache_clear()


def answer_push(name: str, answerer: str) -> None:
    """Answer ``name`` messages synchronously with the function at ``answerer``."""
    _answerers[name] = answerer
    _resolved_answerer.cache_clear()


def answered_at_once(name: str) -> bool:
    return name in _answerers


def handlers_for(name: str) -> list[Callable]:
    """The functions that apply a stored ``name`` message, in registration order."""
    return _resolved_handlers(name)


def answerer_for(name: str) -> Callable | None:
    return _resolved_answerer(name)


@cache
def _resolved_handlers(name: str) -> list[Callable]:
    return [import_string(path) for path in _handlers.get(name, ())]


@cache
def _resolved_answerer(name: str) -> Callable | None:
    path = _answerers.get(name)
    return import_string(path) if path else None
