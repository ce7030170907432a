"""Word-level differences between two texts, readable in Chinese and English.

Latin text is compared word by word, Chinese character by character (Chinese
has no spaces, and a changed character inside a long sentence should not mark
the whole sentence). The result is a list of ``(op, text)`` segments that a
template prints with autoescaping: nothing here produces HTML.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

# CJK ideographs, kana, hangul, CJK punctuation and full-width forms: one token
# per character. Other letters and digits make words; whitespace runs and any
# other character are tokens of their own.
_CJK = "\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|\s+|.", re.S)

# Above this many tokens on either side of a changed block, the block is shown
# as removed and added whole: a finer comparison would cost too much.
_MAX_TOKENS = 20_000
# Unchanged stretches longer than this many lines are folded, keeping
# ``_CONTEXT`` lines next to each change.
_CONTEXT = 2


@dataclass
class Diff:
    segments: list[tuple[str, str]] = field(default_factory=list)
    added: int = 0  # characters
    removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def tokens(text: str) -> list[str]:
    """Split ``text`` into words, single CJK characters, spaces and symbols."""
    return _TOKEN_RE.findall(text)


def _push(segments: list[tuple[str, str]], op: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1][0] == op:
        segments[-1] = (op, segments[-1][1] + text)
    else:
        segments.append((op, text))


def _fold(text: str, *, after: str | None, last: bool) -> list[tuple[str, str]]:
    """Fold the middle of a long unchanged stretch into a ``skip`` segment.

    ``after`` is the changed text just before the stretch (None at the start):
    when it ends mid-line, the stretch's first line is the rest of that line and
    does not count as context; nor does a last line that a change continues.
    """
    lines = text.splitlines(keepends=True)
    head = 0 if after is None else _CONTEXT + (not after.endswith("\n"))
    tail = 0 if last else _CONTEXT + (not text.endswith("\n"))
    if len(lines) <= head + tail + 1:
        return [("equal", text)]
    out = []
    if head:
        out.append(("equal", "".join(lines[:head])))
    out.append(("skip", str(len(lines) - head - tail)))
    if tail:
        out.append(("equal", "".join(lines[-tail:])))
    return out


def diff(old: str, new: str, *, fold: bool = True) -> Diff:
    """Compare ``old`` with ``new``.

    Segments have the ops ``equal``, ``delete``, ``insert`` and, when ``fold``
    is true, ``skip`` (whose text is the number of unchanged lines left out).
    """
    result = Diff()
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    raw: list[tuple[str, str]] = []
    lines = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in lines.get_opcodes():
        before, after = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if tag == "equal":
            _push(raw, "equal", before)
            continue
        a, b = tokens(before), tokens(after)
        if len(a) > _MAX_TOKENS or len(b) > _MAX_TOKENS:
            _push(raw, "delete", before)
            _push(raw, "insert", after)
            continue
        words = SequenceMatcher(None, a, b, autojunk=False)
        for wtag, a1, a2, b1, b2 in words.get_opcodes():
            if wtag == "equal":
                _push(raw, "equal", "".join(a[a1:a2]))
            else:
                _push(raw, "delete", "".join(a[a1:a2]))
                _push(raw, "insert", "".join(b[b1:b2]))
    for op, text in raw:
        if op == "delete":
            result.removed += len(text)
        elif op == "insert":
            result.added += len(text)
    if not fold:
        result.segments = raw
        return result
    for index, (op, text) in enumerate(raw):
        if op == "equal":
            after = raw[index - 1][1] if index else None
            result.segments.extend(_fold(text, after=after, last=index == len(raw) - 1))
        else:
            result.segments.append((op, text))
    return result


def change_size(old: str, new: str) -> int:
    """Return how many characters were added plus removed from ``old`` to ``new``."""
    result = diff(old, new, fold=False)
    return result.added + result.removed
