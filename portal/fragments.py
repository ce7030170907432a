"""Rendered HTML fragments kept in process memory, keyed by what they show.

A page that renders the same piece for most readers (a forum post, the
navigation) renders it once and keeps it here. The key is the whole input of
the fragment: every field of every row it shows, what the reader may do, the
language and time zone. Nothing is invalidated: a change makes a new key, so
several processes never disagree and a write elsewhere never leaves a stale
fragment behind; old keys fall out of the bounded LRU.

What differs for every request (the CSRF token) is rendered as a *hole*, a
placeholder marked with a secret of this process, and filled in when the
fragment is served.
"""

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping

from markupsafe import Markup, escape

# Nobody can type the marker into a post: it is random for each process.
_MARK = secrets.token_hex(12)
_HOLE = re.compile(rf"@@{_MARK}:(\w+)@@")


def hole(name: str) -> str:
    """Return the placeholder to render where the value ``name`` goes."""
    return f"@@{_MARK}:{name}@@"


class Fragment:
    """A rendered fragment: literal HTML with named holes between."""

    __slots__ = ("parts",)

    def __init__(self, html: str):
        # [literal, hole name, literal, hole name, …, literal]
        self.parts = _HOLE.split(html)

    def fill(self, values: Mapping[str, str]) -> Markup:
        """Return the HTML with each hole replaced by its (escaped) value."""
        parts = self.parts
        html = "".join(
            str(escape(values[part])) if i % 2 else part for i, part in enumerate(parts)
        )
        # The literal parts were rendered by Jinja (escaped there), the holes
        # are escaped here.
        return Markup(html)  # noqa: S704


class FragmentCache:
    """A thread-safe LRU of ``Fragment``s, at most ``size`` of them."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[Hashable, Fragment] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, render: Callable[[], str]) -> Fragment:
        """Return the fragment for ``key``, calling ``render()`` when it is new."""
        with self._lock:
            fragment = self._entries.get(key)
            if fragment is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return fragment
            self.misses += 1
        fragment = Fragment(render())
        if self.size > 0:
            with self._lock:
                self._entries[key] = fragment
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return fragment

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
