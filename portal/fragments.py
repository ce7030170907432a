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

A whole page can be kept the same way (``render_page``): the reader's
navigation and CSRF token are its holes, and the view's key says everything
else the page shows that depends on who reads it.
"""

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from contextvars import ContextVar

from flask import current_app, render_template, request, session
from flask_babel import get_locale, get_timezone
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from portal import clock, versions

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


# --- CSRF tokens and kept panels --------------------------------------------------

# True while a fragment that others will be served is rendered.
_SHARED = ContextVar("fragments_shared", default=False)


def shared() -> bool:
    """Whether what is rendered now is kept for other readers too."""
    return _SHARED.get()


def csrf_token() -> str:
    """The ``csrf_token()`` of templates: the reader's token, or its hole when
    the HTML is kept for others (``render_panel``, ``render_page``), so no
    form ever carries another reader's token."""
    return hole("csrf") if _SHARED.get() else generate_csrf()


def _render_shared(render: Callable[[], str]) -> str:
    token = _SHARED.set(True)
    try:
        return render()
    finally:
        _SHARED.reset(token)


def render_panel(
    panel, page_key: Hashable, cache: FragmentCache, fresh=False
) -> Markup:
    """Return the HTML of a ``signals.Panel``: kept in ``cache`` under its
    template, its key and ``page_key`` (what the page adds: its subject and
    versions, the language, the time zone, the minute) when the panel has a
    key; rendered anew when it has none or ``fresh`` is true (a transaction
    that wrote: what it sees may yet be rolled back)."""
    if panel.key is None or fresh:
        # Rendered by Jinja, which escaped it.
        return Markup(render_template(panel.template, ctx=panel.values()))  # noqa: S704
    fragment = cache.get(
        (panel.template, panel.key, page_key),
        lambda: _render_shared(
            lambda: render_template(panel.template, ctx=panel.values())
        ),
    )
    return fragment.fill({"csrf": csrf_token()} if len(fragment.parts) > 1 else {})


# --- whole pages ---------------------------------------------------------------------

PAGE_CACHE = "fragments.pages"


def init_app(app) -> None:
    # Whole pages: about 50 KB each, so the default holds about 10 MB.
    app.extensions[PAGE_CACHE] = FragmentCache(app.config.get("PAGE_CACHE_SIZE", 200))


def render_page(key: Hashable | None, render: Callable[[], str]):
    """Return the HTML ``render()`` makes of this GET request's page, kept for
    every reader with the same ``key`` when there is one.

    ``key`` must hold everything the page shows that depends on who reads it
    (their scope, rights, votes, whether they watch it) and the versions of
    what it shows (``portal.versions``); the address, the language, the time
    zone and the minute ("3 minutes ago") are added here. The reader's own
    navigation (their name, the unread count) and CSRF token are holes filled
    for each request. A page is rendered anew, and not kept, for a request
    with messages to flash, and when the transaction has written (what it sees
    may yet be rolled back).
    """
    if (
        key is None
        or request.method != "GET"
        or "_flashes" in session
        or versions.raised()
    ):
        return render()
    full = (
        key,
        request.full_path,
        request.script_root,
        str(get_locale()),
        str(get_timezone()),
        clock.now().replace(second=0, microsecond=0),
    )
    fragment = current_app.extensions[PAGE_CACHE].get(
        full, lambda: _render_shared(render)
    )
    navigation = current_app.jinja_env.globals["navigation"]
    return fragment.fill({"csrf": generate_csrf(), "nav": navigation()})
