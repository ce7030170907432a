"""Charts drawn on the server as SVG: readable without JavaScript, printable,
and testable (every data point carries ``data-*`` attributes with its value).

All text is escaped here; the result is Markup to inline in a page.
"""

import math
from html import escape

from markupsafe import Markup

# One colour per SECI mode, none of them a state colour (green, amber, red).
COLOURS = {
    "socialization": "#0b5cad",
    "externalization": "#7a3fbf",
    "combination": "#0e7c86",
    "internalization": "#b3407a",
    "total": "#59636e",
}


def _e(value) -> str:
    return escape(str(value), quote=True)


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _caption(title: str) -> str:
    return (
        f'<text class="incentives-caption" x="0" y="16" font-size="14" '
        f'font-weight="600" fill="currentColor">{_e(title)}</text>'
    )


def _legend_width(label: str) -> int:
    """Room for a legend entry: a swatch, and wide characters count double."""
    wide = sum(ord(c) > 0x2E80 for c in label)
    return 24 + 7 * len(label) + 7 * wide


def line_chart(
    chart_id: str,
    months: list[str],
    series: dict[str, list[int]],
    *,
    title: str,
    labels: dict[str, str],
    width: int = 640,
    height: int = 260,
) -> Markup:
    """Draw one line per series over ``months`` (``"2026-03"``…).

    Each point is a ``<circle data-series data-month data-value>`` with a
    tooltip; a legend names the series.
    """
    left, right, top, bottom = 52, 36, 60, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for vs in series.values() for v in vs] or [0]
    low, high = min(0, min(values)), max(0, max(values))
    if high == low:
        high = low + 10
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step

    def x(i: int) -> float:
        if len(months) == 1:
            return left + plot_w / 2
        return left + plot_w * i / (len(months) - 1)

    def y(v: float) -> float:
        return top + plot_h * (high - v) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="incentives-chart" '
        f'id="{_e(chart_id)}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{_e(chart_id)}-title">',
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>',
        _caption(title),
    ]
    tick = low
    while tick <= high + step / 2:
        ty = y(tick)
        parts.append(
            f'<line class="incentives-grid{" incentives-zero" if tick == 0 else ""}" '
            f'x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="#d8dee4" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="incentives-axis" x="{left - 6}" y="{ty + 4:.1f}" '
            f'text-anchor="end" font-size="11" fill="#59636e">{_e(_fmt(tick))}</text>'
        )
        tick += step
    every = max(1, math.ceil(len(months) / 12))
    for i, month in enumerate(months):
        if i % every == 0 or i == len(months) - 1:
            parts.append(
                f'<text class="incentives-axis" x="{x(i):.1f}" '
                f'y="{height - bottom + 18}" '
                f'text-anchor="middle" font-size="11" fill="#59636e">{_e(month)}</text>'
            )
    legend_x = left
    for key, vs in series.items():
        colour = COLOURS.get(key, COLOURS["total"])
        label = labels.get(key, key)
        parts.append(
            f'<g class="incentives-legend"><rect x="{legend_x}" y="30" width="10" '
            f'height="10" fill="{colour}" class="incentives-fill-{_e(key)}"/>'
            f'<text x="{legend_x + 14}" y="39" font-size="12" fill="currentColor">'
            f"{_e(label)}</text></g>"
        )
        legend_x += _legend_width(label)
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vs))
        dash = ' stroke-dasharray="4 3"' if key == "total" else ""
        parts.append(
            f'<g class="incentives-series" data-series="{_e(key)}">'
            f'<polyline class="incentives-line incentives-stroke-{_e(key)}" '
            f'points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        for i, v in enumerate(vs):
            parts.append(
                f'<circle class="incentives-point incentives-fill-{_e(key)}" '
                f'data-series="{_e(key)}" data-month="{_e(months[i])}" '
                f'data-value="{int(v)}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" '
                f'fill="{colour}"><title>{_e(label)} {_e(months[i])}: {int(v)}'
                f"</title></circle>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece escaped above


def stacked_bars(
    chart_id: str,
    bars: list[tuple[str, dict[str, int]]],
    *,
    title: str,
    labels: dict[str, str],
    width: int = 640,
) -> Markup:
    """Draw one horizontal bar per ``(label, {series: value})``, the series
    stacked: the split of each bar's points between the SECI modes.

    Negative values (more reversed than earned) draw nothing but keep their
    value in ``data-value``.
    """
    label_w, right, top, bar_h, gap = 160, 56, 52, 18, 8
    height = top + len(bars) * (bar_h + gap) + 8
    plot_w = width - label_w - right
    biggest = max(
        [sum(max(0, v) for v in values.values()) for _, values in bars] or [0]
    )
    scale = plot_w / biggest if biggest else 0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="incentives-chart" '
        f'id="{_e(chart_id)}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{_e(chart_id)}-title">',
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>',
        _caption(title),
    ]
    legend_x = label_w
    keys = list(labels)
    for key in keys:
        colour = COLOURS.get(key, COLOURS["total"])
        parts.append(
            f'<g class="incentives-legend"><rect x="{legend_x}" y="10" width="10" '
            f'height="10" fill="{colour}" class="incentives-fill-{_e(key)}"/>'
            f'<text x="{legend_x + 14}" y="19" font-size="12" fill="currentColor">'
            f"{_e(labels[key])}</text></g>"
        )
        legend_x += (
            24 + 7 * len(labels[key]) + (7 * sum(ord(c) > 0x2E80 for c in labels[key]))
        )
    for row, (label, values) in enumerate(bars):
        by = top + row * (bar_h + gap)
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(
            f'<g class="incentives-bar" data-label="{_e(label)}" '
            f'data-total="{sum(values.values())}">'
            f'<text x="{label_w - 8}" y="{by + bar_h - 5}" text-anchor="end" '
            f'font-size="12" fill="currentColor"><title>{_e(label)}</title>'
            f"{_e(short)}</text>"
        )
        bx = label_w
        for key in keys:
            value = int(values.get(key, 0))
            w = max(0, value) * scale
            parts.append(
                f'<rect class="incentives-segment incentives-fill-{_e(key)}" '
                f'data-series="{_e(key)}" data-value="{value}" x="{bx:.1f}" '
                f'y="{by}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{COLOURS.get(key, COLOURS["total"])}">'
                f"<title>{_e(label)} · {_e(labels[key])}: {value}</title></rect>"
            )
            bx += w
        parts.append(
            f'<text x="{bx + 6:.1f}" y="{by + bar_h - 5}" font-size="12" '
            f'fill="currentColor">{sum(values.values())}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece escaped above
