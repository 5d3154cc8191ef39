"""Settings of one simulator (CLI flags; some changeable at runtime via `/_sim/settings`)."""

from __future__ import annotations

from dataclasses import dataclass

ANSWER_MODES = ("full", "sparse")


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 9090
    allow: str = "127.0.0.1|::1"
    data: str | None = None
    demo: bool = False
    push_url: str | None = None
    push_backoff: float = 0.5
    push_max_retries: int = 10
    traffic: float = 0.0
    cdr_max_days: int = 31
    # False (default): as forgiving as a real server (see lenient.py); True: the manual's
    # checking to the letter (unknown fields, strings for numbers, partial Modify refused).
    strict: bool = False
    answers: str = "full"  # "full" | "sparse": see answers.py

    def __setattr__(self, name: str, value) -> None:
        if name == "answers" and value not in ANSWER_MODES:
            raise ValueError(f"answers must be one of {', '.join(ANSWER_MODES)}, not {value!r}")
        super().__setattr__(name, value)

    # What the `settings` control action may change at runtime.
    RUNTIME = (
        "allow",
        "push_url",
        "push_backoff",
        "push_max_retries",
        "traffic",
        "cdr_max_days",
        "strict",
        "answers",
    )
