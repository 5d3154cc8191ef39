"""Wiring by dotted path, for ``AppConfig.ready``: an app connects receivers that live
in modules which import models, without importing them before the registry is ready."""

from __future__ import annotations

from django.utils.module_loading import import_string


class lazy:
    """A callable standing for the function at ``path``, imported on first call."""

    def __init__(self, path: str):
        self.path = path
        self._function = None

    def __call__(self, *args, **kwargs):
        if self._function is None:
            self._function = import_string(self.path)
        return self._function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"lazy({self.path!r})"
