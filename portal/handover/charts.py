"""The knowledge-at-risk grid, laid out on the server and drawn as SVG by the
template: one square per account, coloured by risk, sized by tier."""

from dataclasses import dataclass

CELL = 30  # px per grid cell
COLUMNS = 30
# Strategic accounts get the biggest squares.
TIER_SIZES = {"strategic": 26, "key": 20, "standard": 14, "small": 9}


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    size: int
    level: str
    title: str
    url: str


@dataclass(frozen=True)
class Grid:
    cells: list
    width: int
    height: int


def risk_grid(rows) -> Grid:
    """Lay out ``rows`` (AccountRisk, in the order shown) in a grid."""
    cells = []
    for n, row in enumerate(rows):
        size = TIER_SIZES.get(row.account.tier, TIER_SIZES["small"])
        col, line = n % COLUMNS, n // COLUMNS
        offset = (CELL - size) // 2
        cells.append(
            Cell(
                x=col * CELL + offset,
                y=line * CELL + offset,
                size=size,
                level=row.level,
                title=f"{row.account.name} — {row.reason}",
                url=row.account.url,
            )
        )
    lines = max(1, -(-len(rows) // COLUMNS))
    width = min(len(rows), COLUMNS) * CELL or CELL
    return Grid(cells, width, lines * CELL)
