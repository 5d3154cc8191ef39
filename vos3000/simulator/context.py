"""What a handler gets to work with. Built by the app once per request."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Context:
    db: sqlite3.Connection
    now_ms: Callable[[], int]
    push: Callable[[str, dict], None]
    settings: Any
    # The simulator object itself, for handlers that need shared live state
    # (current calls, online registrations) kept in memory rather than SQLite.
    sim: Any = None
    extra: dict = field(default_factory=dict)
