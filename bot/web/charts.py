"""Bar charts as inline SVG, drawn from the same numbers as the tables beside them: no script,
no external asset, fit for the pages' Content-Security-Policy and for printing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 48


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: Sequence[float | None]


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series], stacked: bool = False, unit: str = "") -> Markup:
    """Grouped (or stacked) bars per label, a legend, and each bar's value as its tooltip.
    ``None`` draws nothing (no figure), unlike 0."""
    totals = [
        sum(s.values[i] or 0 for s in series) if stacked else max((s.values[i] or 0 for s in series), default=0) for i in range(len(labels))
    ]
    top = _nice(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * 0.7 / (1 if stacked else max(len(series), 1))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 24 * ((len(series) + 2) // 3)}" role="img" aria-label="{escape(title)}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(5):
        y = TOP + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e7ee"/>')
        parts.append(_text(LEFT - 6, y + 4, f"{_number(top * tick / 4)}{unit}", "end", "#56627a"))
    for i, label in enumerate(labels):
        x0 = LEFT + slot * i + slot * 0.15
        base = float(TOP + plot_h)
        for k, item in enumerate(series):
            figure = item.values[i]
            if figure is None:
                continue
            height = plot_h * figure / top
            x = x0 if stacked else x0 + k * bar_w
            y = base - height
            tip = f"{label} · {item.name}: {_number(figure)}{unit}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" fill="{escape(item.colour)}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if stacked:
                base = y
        parts.append(_text(LEFT + slot * (i + 0.5), TOP + plot_h + 16, label, "middle"))
    for k, item in enumerate(series):
        left, line = LEFT + (k % 3) * 200, HEIGHT - 10 + 24 * (k // 3)
        parts.append(f'<rect x="{left}" y="{line - 10}" width="12" height="12" fill="{escape(item.colour)}"/>')
        parts.append(f'<text x="{left + 18}" y="{line}" font-size="12" fill="#1c2430">{escape(item.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _text(x: float, y: float, content: str, anchor: str, fill: str = "#1c2430") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11" fill="{fill}">{escape(content)}</text>'


def _nice(value: float) -> float:
    """A round top for the axis: 1, 2, 2.5 or 5 times a power of ten, at least ``value``."""
    if value <= 0:
        return 1
    power = 1.0
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _number(value: float) -> str:
    """Vietnamese style: 8.525; 27,5."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.1f}".replace(".", ",")
