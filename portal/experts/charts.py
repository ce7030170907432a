"""A person's expertise as bars, drawn on the server as SVG: their top topics
and accounts, each bar as long as its evidence and labelled with how many
threads and pages it rests on. Every text is escaped here."""

from html import escape

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

WIDTH = 520
LABEL = 170
ROW = 24
BAR = 16
COLOURS = {"topic": "#0b5cad", "account": "#0e7c86"}


def _e(value) -> str:
    return escape(str(value), quote=True)


def _rows(kind: str, items: list[dict], name, top: float, y: int) -> tuple[str, int]:
    out = []
    room = WIDTH - LABEL - 90
    for item in items:
        label = name(item)
        short = label if len(label) <= 22 else label[:21] + "…"
        length = max(2, round(room * item["score"] / top)) if top else 2
        count = ngettext("%(num)d document", "%(num)d documents", item["documents"])
        out.append(
            f'<g class="experts-bar" data-kind="{kind}" data-label="{_e(label)}" '
            f'data-documents="{item["documents"]}" data-score="{item["score"]}">'
            f"<title>{_e(label)}: {_e(count)}</title>"
            f'<text x="{LABEL - 8}" y="{y + BAR - 3}" text-anchor="end" '
            f'font-size="13" fill="currentColor">{_e(short)}</text>'
            f'<rect x="{LABEL}" y="{y}" width="{length}" height="{BAR}" rx="2" '
            f'fill="{COLOURS[kind]}"/>'
            f'<text x="{LABEL + length + 6}" y="{y + BAR - 3}" font-size="12" '
            f'fill="currentColor">{_e(count)}</text></g>'
        )
        y += ROW
    return "".join(out), y


def expertise_chart(user, topics: list[dict], accounts: list[dict]) -> Markup | None:
    """Return the chart, or None when there is no evidence to draw."""
    if not topics and not accounts:
        return None
    top = max(i["score"] for i in [*topics, *accounts]) or 1.0
    parts, y = [], 0
    for kind, items, heading, name in (
        ("topic", topics, _("Topics"), lambda i: i["tag"].name),
        ("account", accounts, _("Accounts"), lambda i: i["account"].name),
    ):
        if not items:
            continue
        y += 18
        parts.append(
            f'<text x="0" y="{y - 4}" font-size="13" font-weight="600" '
            f'fill="currentColor">{_e(heading)}</text>'
        )
        rows, y = _rows(kind, items, name, top, y)
        parts.append(rows)
        y += 6
    title = _("What %(name)s's work shows", name=user.display_name)
    svg = (
        f'<svg class="experts-chart" role="img" aria-label="{_e(title)}" '
        f'viewBox="0 0 {WIDTH} {y}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )
    return Markup(svg)  # noqa: S704 - every text above is escaped
