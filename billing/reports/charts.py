"""Server-side SVG charts: a bar chart and a line chart with axes, ticks and labels.

Drawn on the server so no charting script is shipped (nothing from a CDN, nothing for
the CSP to allow): the markup uses classes and presentation attributes only, never a
``style`` attribute, a ``<style>`` element or an event handler. Every label is escaped.
The chart says what it shows in its ``<title>`` and ``aria-label``; pages put the same
numbers in a table next to it (a chart alone is not accessible, nor copyable).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 260


# Room for the tick labels (left) and the category labels (bottom).
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 16, 48


# Category labels: cut to this many characters; about this wide each (11px sans);
# slanted when they do not fit level, up to this many (a longer series is thinned out).
LABEL_CHARS = 16


CHAR_WIDTH = 6.2


MAX_SLANTED_LABELS = 16


@dataclass(frozen=True)
class Series:
    """A named line of a line chart: ``points`` are (label, value) in axis order."""

    name: str
    points: Sequence[tuple[str, float | int | Decimal | None]]


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def nice_step(span: float, count: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) cutting ``span`` into about
    ``count`` intervals."""
    if span <= 0:
        return 1.0
    rough = span / max(count, 1)
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high], always including zero (bars grow from
    it, and a chart whose axis starts above zero exaggerates differences)."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1.0
    step = nice_step(high - low, count)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    n = round((last - first) / step)
    return [_clean(first + i * step) for i in range(n + 1)]


def _clean(value: float) -> float:
    # Floating steps leave 0.30000000000000004; ticks are shown, so round them.
    return float(f"{value:.10g}")


def format_tick(value: float, step: float) -> str:
    decimals = 0 if step >= 1 else min(6, -math.floor(math.log10(step)))
    return f"{value:,.{decimals}f}"


def format_value(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:,.4f}"


class _Canvas:
    """The plot area of one chart and the scale of its value axis."""

    def __init__(self, values: list[float], labels: list[str], width: int, height: int, unit: str):
        self.width, self.height, self.unit = width, height, unit
        self.left, self.right = MARGIN_LEFT, width - MARGIN_RIGHT
        self.top, self.bottom = MARGIN_TOP, height - MARGIN_BOTTOM
        self.texts = [_cut(label) for label in labels]
        if self.slanted(self.texts):
            # Slanted labels hang lower: the picture grows, the plot keeps its size.
            widest = max(len(t) for t in self.texts) * CHAR_WIDTH
            self.height += max(0, round(widest * 0.6) - (MARGIN_BOTTOM - 24))
        self.ticks = ticks(min(values, default=0.0), max(values, default=0.0))
        self.low, self.high = self.ticks[0], self.ticks[-1]

    def y(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return self.bottom - share * (self.bottom - self.top)

    def axes(self) -> list[str]:
        step = self.ticks[1] - self.ticks[0] if len(self.ticks) > 1 else 1.0
        parts = []
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(
                f'<line class="chart-grid" x1="{self.left}" x2="{self.right}" '
                f'y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d7de" stroke-width="1"/>'
            )
            parts.append(
                f'<text class="chart-tick" x="{self.left - 6}" y="{y + 4:.1f}" '
                f'text-anchor="end" font-size="11" fill="#57606a">'
                f"{escape(format_tick(tick, step))}</text>"
            )
        zero = self.y(0.0)
        parts.append(
            f'<line class="chart-axis" x1="{self.left}" x2="{self.right}" '
            f'y1="{zero:.1f}" y2="{zero:.1f}" stroke="#57606a" stroke-width="1"/>'
        )
        parts.append(
            f'<line class="chart-axis" x1="{self.left}" x2="{self.left}" '
            f'y1="{self.top}" y2="{self.bottom}" stroke="#57606a" stroke-width="1"/>'
        )
        if self.unit:
            parts.append(
                f'<text class="chart-unit" x="4" y="{self.top - 4 if self.top > 12 else 12}" '
                f'font-size="11" fill="#57606a">{escape(self.unit)}</text>'
            )
        return parts

    def x_labels(self, centers: list[float]) -> list[str]:
        """Category labels under the axis: level when they fit, slanted when a few long
        ones do not, and only every n-th of a long series."""
        texts = self.texts
        slot = (self.right - self.left) / max(len(texts), 1)
        widest = max((len(t) for t in texts), default=0) * CHAR_WIDTH + 6
        slanted = self.slanted(texts)
        every = 1 if slanted else max(1, math.ceil(widest / slot))
        parts = []
        for i, (text, x) in enumerate(zip(texts, centers, strict=True)):
            if i % every:
                continue
            y = self.bottom + 16
            if slanted:
                place = f'x="{x:.1f}" y="{y}" text-anchor="end" transform="rotate(-35 {x:.1f} {y})"'
            else:
                place = f'x="{x:.1f}" y="{y}" text-anchor="middle"'
            parts.append(
                f'<text class="chart-label" {place} font-size="11" fill="#24292f">'
                f"{escape(text)}</text>"
            )
        return parts

    def slanted(self, texts: list[str]) -> bool:
        slot = (self.right - self.left) / max(len(texts), 1)
        widest = max((len(t) for t in texts), default=0) * CHAR_WIDTH + 6
        return widest > slot and len(texts) <= MAX_SLANTED_LABELS


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _open(kind: str, title: str, width: int, height: int) -> list[str]:
    label = escape(title)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{label}" '
        f'preserveAspectRatio="xMidYMid meet">',
        f"<title>{label}</title>",
    ]


def _empty(kind: str, title: str, width: int, height: int) -> SafeString:
    parts = _open(kind, title, width, height)
    words = escape(_("No data"))  # outside the f-string: makemessages cannot read inside one
    parts.append(
        f'<text class="chart-empty" x="{width / 2:.0f}" y="{height / 2:.0f}" '
        f'text-anchor="middle" font-size="14" fill="#57606a">{words}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def bar_chart(
    data: Sequence[tuple[str, float | int | Decimal | None]],
    *,
    title: str,
    unit: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """Vertical bars, one per (label, value); a missing value is drawn as zero."""
    points = [(str(label), _number(value) or 0.0) for label, value in data]
    if not points:
        return _empty("bar", title, width, height)
    canvas = _Canvas([v for _l, v in points], [label for label, _v in points], width, height, unit)
    slot = (canvas.right - canvas.left) / len(points)
    bar = max(1.0, slot * 0.7)
    parts = _open("bar", title, canvas.width, canvas.height)
    parts += canvas.axes()
    centers = []
    zero = canvas.y(0.0)
    for i, (label, value) in enumerate(points):
        center = canvas.left + slot * (i + 0.5)
        centers.append(center)
        top = min(zero, canvas.y(value))
        size = abs(canvas.y(value) - zero)
        cls = "chart-bar chart-bar-negative" if value < 0 else "chart-bar"
        fill = "#cf222e" if value < 0 else "#0969da"
        parts.append(
            f'<rect class="{cls}" x="{center - bar / 2:.1f}" y="{top:.1f}" '
            f'width="{bar:.1f}" height="{size:.1f}" fill="{fill}">'
            f"<title>{escape(label)}: {escape(format_value(value))}</title></rect>"
        )
    parts += canvas.x_labels(centers)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


LINE_COLORS = ("#0969da", "#cf222e", "#1a7f37", "#8250df")


def line_chart(
    series: Sequence[Series] | Series,
    *,
    title: str,
    unit: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """One or more lines over the same labels (the first series' labels, in order). A
    missing value breaks the line; a lone point is drawn as a dot."""
    if isinstance(series, Series):
        series = [series]
    series = [s for s in series if s.points]
    if not series:
        return _empty("line", title, width, height)
    labels = [str(label) for label, _v in series[0].points]
    values = [number for s in series for _l, v in s.points if (number := _number(v)) is not None]
    canvas = _Canvas(values, labels, width, height, unit)
    if len(series) > 1:
        canvas.height += 20  # a row for the key, under the labels
    slot = (canvas.right - canvas.left) / len(labels)
    centers = [canvas.left + slot * (i + 0.5) for i in range(len(labels))]
    position = {label: i for i, label in enumerate(labels)}
    parts = _open("line", title, canvas.width, canvas.height)
    parts += canvas.axes()
    for n, line in enumerate(series):
        color = LINE_COLORS[n % len(LINE_COLORS)]
        segments, current, dots = [], [], []
        for label, value in line.points:
            number = _number(value)
            i = position.get(str(label))
            if number is None or i is None:
                if current:
                    segments.append(current)
                current = []
                continue
            x, y = centers[i], canvas.y(number)
            current.append(f"{x:.1f},{y:.1f}")
            dots.append(
                f'<circle class="chart-dot" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{escape(line.name)} · {escape(label)}: "
                f"{escape(format_value(number))}</title></circle>"
            )
        if current:
            segments.append(current)
        for segment in segments:
            if len(segment) > 1:
                parts.append(
                    f'<polyline class="chart-line chart-line-{n}" fill="none" '
                    f'stroke="{color}" stroke-width="2" points="{" ".join(segment)}"/>'
                )
        parts += dots
    parts += canvas.x_labels(centers)
    if len(series) > 1:
        for n, line in enumerate(series):
            x = canvas.left + n * 150
            y = canvas.height - 6
            color = LINE_COLORS[n % len(LINE_COLORS)]
            parts.append(
                f'<rect class="chart-key" x="{x}" y="{y - 9}" width="10" height="10" '
                f'fill="{color}"/><text class="chart-legend" x="{x + 14}" y="{y}" '
                f'font-size="11" fill="#24292f">{escape(line.name)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped
