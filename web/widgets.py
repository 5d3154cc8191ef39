"""Date and time inputs that always carry ISO values, whatever the language.

A browser's ``<input type="date">`` accepts only ``YYYY-MM-DD`` (and ``datetime-local``
only ``YYYY-MM-DDTHH:MM[:SS]``) and shows it in the reader's own way. Django's own
``DateInput`` writes the value in the active language's first input format: in Chinese
``2026/11/30``, which the browser rejects, leaving the input blank. These widgets fix the
value's format; Django's date fields read ISO in every language.

    first_day = forms.DateField(label=_("From"), widget=DateInput())
    start = forms.DateTimeField(widget=DateTimeInput(seconds=True))
"""

from __future__ import annotations

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"
ISO_DATETIME_SECONDS = "%Y-%m-%dT%H:%M:%S"


class DateInput(forms.DateInput):
    """``<input type="date">`` with an ISO value (``2026-11-30``) in every language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """``<input type="datetime-local">`` with an ISO value (``2026-11-30T08:15``, with
    ``:SS`` and ``step=1`` when ``seconds``) in every language."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, *, seconds: bool = False):
        attrs = {**(attrs or {}), **({"step": 1} if seconds else {})}
        super().__init__(attrs=attrs, format=ISO_DATETIME_SECONDS if seconds else ISO_DATETIME)
