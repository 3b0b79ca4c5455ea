"""Charts as inline SVG rendered on the server: grouped bars and lines, no script needed.

A chart is drawn 640 units wide and scaled to its box; on a phone the stylesheet sets its
text about twice as large in those units (smart.css), so the room below the axis and above
the plot is made for that size, and a label too long for its slot at that size is written
on two lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 640
TOP, BOTTOM, SIDE = 40, 34, 12
LINE_H = 21
"""The height of a label's line at the phone's text size (20 units)."""
CHAR_W = 11.5
"""About how wide a character is at the phone's text size."""

Format = Callable[[int], str]


@dataclass(frozen=True)
class Series:
    """One coloured series: its name (legend), its values per label and a CSS class."""

    name: str
    values: Sequence[int]
    css: str = "s1"


def nice_max(value: int) -> int:
    """The smallest 1/2/5 x 10^n at or above `value` (1 for nothing), for a tidy scale."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _legend(series: Sequence[Series]) -> str:
    return "".join(
        f'<tspan class="{s.css}-text" dx="{0 if i == 0 else 14}">\u25a0 {escape(s.name)}</tspan>'
        for i, s in enumerate(series)
    )


def _frame(height: int, bottom: int, title: str, body: list[str], series: Sequence[Series]) -> str:
    legend = _legend(series)
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img"'
        f' aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
        f'<line class="axis" x1="{SIDE}" y1="{height - bottom}" x2="{WIDTH - SIDE}"'
        f' y2="{height - bottom}"/>'
        + "".join(body)
        + f'<text class="legend" x="{SIDE}" y="20">{legend}</text></svg>'
    )


def _label(x: float, y: float, text: str, css: str = "label") -> str:
    return f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="middle">{escape(text)}</text>'


def split_label(text: str, slot: float) -> list[str]:
    """One line if it fits the slot at the phone's text size, else two, broken at the space
    or hyphen nearest the middle (a word that has neither stays whole)."""
    if len(text) * CHAR_W <= slot * 0.95:
        return [text]
    breaks = [i + 1 for i, c in enumerate(text) if c in " -" and 0 < i < len(text) - 1]
    if not breaks:
        return [text]
    cut = min(breaks, key=lambda i: abs(i - len(text) / 2))
    return [text[:cut].rstrip(), text[cut:].lstrip()]


def bottom_of(labels: Sequence[str], slot: float) -> int:
    """The room below the axis: one label line, or two when a label is split."""
    lines = max((len(split_label(label, slot)) for label in labels), default=1)
    return BOTTOM + LINE_H * (lines - 1)


def _axis_label(x: float, axis_y: float, text: str, slot: float) -> str:
    lines = split_label(text, slot)
    inner = (
        escape(text)
        if len(lines) == 1
        else "".join(
            f'<tspan x="{x:.1f}" dy="{0 if i == 0 else LINE_H}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
    )
    return (
        f'<text class="label" x="{x:.1f}" y="{axis_y + 24:.1f}" text-anchor="middle">{inner}</text>'
    )


def bars(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    fmt: Format = str,
    height: int = 220,
    show_values: bool = True,
) -> str:
    """Grouped vertical bars, one group per label, each bar titled with its exact value."""
    top = nice_max(max((v for s in series for v in s.values), default=0))
    slot = (WIDTH - 2 * SIDE) / max(len(labels), 1)
    bottom = bottom_of(labels, slot)
    height += bottom - BOTTOM
    plot = height - TOP - bottom
    bar = slot * 0.8 / max(len(series), 1)
    body: list[str] = []
    for i, label in enumerate(labels):
        x0 = SIDE + i * slot + slot * 0.1
        for j, s in enumerate(series):
            value = s.values[i]
            h = plot * value / top
            x, y = x0 + j * bar, height - bottom - h
            body.append(
                f'<rect class="{s.css}" x="{x:.1f}" y="{y:.1f}" width="{bar * 0.92:.1f}"'
                f' height="{h:.1f}"><title>{escape(label)} \u00b7 {escape(s.name)}:'
                f" {escape(fmt(value))}</title></rect>"
            )
            if show_values and value:
                body.append(_label(x + bar * 0.46, y - 4, fmt(value), "value"))
        body.append(_axis_label(SIDE + (i + 0.5) * slot, height - bottom, label, slot))
    return _frame(height, bottom, title, body, series)


def line(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    fmt: Format = str,
    height: int = 220,
) -> str:
    """Lines through each series' points, every point labelled with its value."""
    top = nice_max(max((v for s in series for v in s.values), default=0))
    slot = (WIDTH - 2 * SIDE) / max(len(labels), 1)
    bottom = bottom_of(labels, slot)
    height += bottom - BOTTOM
    plot = height - TOP - bottom - 8
    body: list[str] = []
    for s in series:
        points = [
            (SIDE + (i + 0.5) * slot, height - bottom - plot * v / top)
            for i, v in enumerate(s.values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="{s.css}-line" points="{path}"/>')
        for (x, y), label, value in zip(points, labels, s.values, strict=True):
            body.append(
                f'<circle class="{s.css}" cx="{x:.1f}" cy="{y:.1f}" r="4">'
                f"<title>{escape(label)}: {escape(fmt(value))}</title></circle>"
            )
            body.append(_label(x, y - 9, fmt(value), "value"))
    for i, label in enumerate(labels):
        body.append(_axis_label(SIDE + (i + 0.5) * slot, height - bottom, label, slot))
    return _frame(height, bottom, title, body, series)


def meter(part: int, whole: int, *, title: str) -> str:
    """A thin horizontal gauge of part / whole."""
    share = min(part / whole, 1.0) if whole else 0.0
    return (
        f'<svg class="meter" viewBox="0 0 100 8" preserveAspectRatio="none" role="img"'
        f' aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<rect class="meter-bg" width="100" height="8"/>'
        f'<rect class="s1" width="{100 * share:.1f}" height="8"/></svg>'
    )


LABEL_W = 150
"""The room left of a horizontal bar for its label (13 characters at the phone's size)."""
BAR_H = 20


def hbars(labels: Sequence[str], series: Sequence[Series], *, title: str, fmt: Format = str) -> str:
    """Horizontal bars, one row per label (as many as there are: a kabupaten's kecamatan),
    its name on the left, each bar titled and labelled with its exact value."""
    top = nice_max(max((v for s in series for v in s.values), default=0))
    left, right = SIDE + LABEL_W, WIDTH - SIDE - 56
    row = max(LINE_H + 8, BAR_H * len(series) + 10)
    height = TOP + row * len(labels) + 6
    body = [f'<line class="axis" x1="{left}" y1="{TOP - 4}" x2="{left}" y2="{height - 4}"/>']
    for i, label in enumerate(labels):
        y0 = TOP + i * row
        body.append(
            f'<text class="label" x="{left - 6}" y="{y0 + row / 2 + 5:.1f}"'
            f' text-anchor="end">{escape(label)}</text>'
        )
        for j, s in enumerate(series):
            value, y = s.values[i], y0 + 5 + j * BAR_H
            width = (right - left) * value / top
            body.append(
                f'<rect class="{s.css}" x="{left}" y="{y}" width="{width:.1f}"'
                f' height="{BAR_H - 4}"><title>{escape(label)} \u00b7 {escape(s.name)}:'
                f" {escape(fmt(value))}</title></rect>"
                f'<text class="value" x="{left + width + 4:.1f}" y="{y + BAR_H - 6}">'
                f"{escape(fmt(value))}</text>"
            )
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img"'
        f' aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
        + "".join(body)
        + f'<text class="legend" x="{SIDE}" y="20">{_legend(series)}</text></svg>'
    )
