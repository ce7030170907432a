"""Three-way merge of page texts, line by line.

When two people edit the same page from the same revision, the second save
merges the first one's changes with its own. Changes to different lines merge
cleanly; changes to the same lines are a conflict that a person resolves.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher

MARK_THEIRS = "<<<<<<< "
MARK_SPLIT = "=======\n"
MARK_MINE = ">>>>>>> "


@dataclass(frozen=True)
class _Hunk:
    start: int  # first base line replaced
    end: int  # one past the last; start == end is an insertion before start
    lines: tuple[str, ...]  # what replaces base[start:end]
    side: int  # 0: theirs, 1: mine


@dataclass(frozen=True)
class MergeResult:
    text: str
    clean: bool
    conflicts: int


def _lines(text: str) -> list[str]:
    # A missing final newline would make the last line differ from the same
    # line with more text after it, a conflict nobody made.
    if text and not text.endswith("\n"):
        text += "\n"
    return text.splitlines(keepends=True)


def _hunks(base: list[str], other: list[str], side: int) -> list[_Hunk]:
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [
        _Hunk(i1, i2, tuple(other[j1:j2]), side)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _touch(lo: int, hi: int, start: int, end: int) -> bool:
    """Tell whether a change of base[start:end] collides with one of base[lo:hi]."""
    if lo < hi and start < end:
        return start < hi and lo < end
    if lo == hi and start == end:
        return lo == start  # two insertions at one place: their order is unknown
    if lo == hi:
        return start < lo < end  # an insertion inside the other's change
    return lo < start < hi


def _apply(base: list[str], lo: int, hi: int, hunks: list[_Hunk]) -> list[str]:
    """Return base[lo:hi] with ``hunks`` (sorted, inside the range) applied."""
    out, pos = [], lo
    for hunk in hunks:
        out.extend(base[pos : hunk.start])
        out.extend(hunk.lines)
        pos = hunk.end
    out.extend(base[pos:hi])
    return out


def merge3(
    base: str, theirs: str, mine: str, *, labels: tuple[str, str] = ("theirs", "mine")
) -> MergeResult:
    """Merge the changes from ``base`` to ``theirs`` and from ``base`` to ``mine``.

    Where both sides changed the same lines differently the result holds both
    versions between conflict markers and ``clean`` is false.
    """
    base_lines = _lines(base)
    hunks = sorted(
        _hunks(base_lines, _lines(theirs), 0) + _hunks(base_lines, _lines(mine), 1),
        # At one place an insertion goes before a replacement.
        key=lambda h: (h.start, h.end, h.side),
    )
    out: list[str] = []
    pos = 0
    conflicts = 0
    i = 0
    while i < len(hunks):
        cluster = [hunks[i]]
        lo, hi = hunks[i].start, hunks[i].end
        i += 1
        while i < len(hunks) and _touch(lo, hi, hunks[i].start, hunks[i].end):
            cluster.append(hunks[i])
            lo, hi = min(lo, hunks[i].start), max(hi, hunks[i].end)
            i += 1
        out.extend(base_lines[pos:lo])
        pos = hi
        sides = {h.side for h in cluster}
        if len(sides) == 1:
            out.extend(_apply(base_lines, lo, hi, cluster))
            continue
        their_text = _apply(base_lines, lo, hi, [h for h in cluster if h.side == 0])
        my_text = _apply(base_lines, lo, hi, [h for h in cluster if h.side == 1])
        if their_text == my_text:
            out.extend(my_text)  # both made the same change
            continue
        conflicts += 1
        out.append(f"{MARK_THEIRS}{labels[0]}\n")
        out.extend(their_text)
        out.append(MARK_SPLIT)
        out.extend(my_text)
        out.append(f"{MARK_MINE}{labels[1]}\n")
    out.extend(base_lines[pos:])
    text = "".join(out)
    if text.endswith("\n") and not mine.endswith("\n"):
        text = text[:-1]
    return MergeResult(text=text, clean=conflicts == 0, conflicts=conflicts)
