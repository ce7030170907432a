"""Turn what users type into safe HTML, and read links and mentions out of it.

This is the only module in the project that produces HTML from user text; templates
show its output (stored as ``body_html``) and never mark user input ``|safe``.
Everything behind the public functions (Markdown, bleach) is an implementation
detail, so replacing the sanitizer is a change to this file only.

The pipeline is: Markdown with raw HTML disabled and two inline extensions
(``[[wiki links]]`` and ``@mentions``), then one bleach pass that both sanitizes
and linkifies bare URLs.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Callable
from functools import partial
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode

import bleach
import markdown
from bleach.linkifier import LinkifyFilter, build_url_re
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markupsafe import Markup

__all__ = [
    "excerpt",
    "mentions",
    "plain_text",
    "render",
    "slugify",
    "wiki_links",
]

SLUG_MAX_LENGTH = 200

_ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_IMAGE_SCHEMES = frozenset({"http", "https"})

_ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        # Only for the table of contents that the ``[TOC]`` marker produces.
        "div",
    }
)

# Same rule as bleach uses, so this module judges a URL exactly as the sanitizer
# does: entities decoded, whitespace/control/non-ASCII characters dropped.
_URL_JUNK_RE = re.compile(r"[`\000-\040\177-\240\s]+|[^\x00-\x7f]")
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*):")
_CODE_CLASS_RE = re.compile(r"^language-[A-Za-z0-9_+#.-]{1,40}$")

# A username never ends in "." or "-", so "ask @alice." mentions "alice".
_MENTION_RE = r"(?<![\w@/.+:=-])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)"
_WIKILINK_RE = r"\[\[([^\[\]\n]+?)\]\]"

# Relative, protocol-relative and fragment URLs have no scheme.
_NO_SCHEME = ""


def _url_scheme(value: str) -> str | None:
    """Return the lower-case scheme a browser would see in *value*.

    Return ``""`` for relative URLs and ``None`` when the value cannot be judged
    (it then counts as unsafe).
    """
    normalized = _URL_JUNK_RE.sub("", bleach.html5lib_shim.convert_entities(value))
    normalized = normalized.lower()
    match = _SCHEME_RE.match(normalized)
    if match:
        return match.group(1)
    # A colon before any "/", "?" or "#" is a scheme urlparse may not recognise.
    head = re.split(r"[/?#]", normalized, maxsplit=1)[0]
    return None if ":" in head else _NO_SCHEME


def _is_external(href: str) -> bool:
    """Tell whether *href* leaves the portal (absolute or protocol-relative)."""
    normalized = _URL_JUNK_RE.sub("", bleach.html5lib_shim.convert_entities(href))
    # Browsers read a backslash as "/" here, so "/\host" leaves the site too.
    normalized = normalized.replace("\\", "/")
    return _url_scheme(href) != _NO_SCHEME or normalized.startswith("//")


def _allow_img(tag: str, name: str, value: str) -> bool:
    if name in ("alt", "title"):
        return True
    # An image that points at mailto: is nonsense, and narrowing src keeps
    # anything but plain web images out even if the global protocols grow.
    return name == "src" and _url_scheme(value) in (_IMAGE_SCHEMES | {_NO_SCHEME})


def _allow_code(tag: str, name: str, value: str) -> bool:
    # Fenced code blocks carry their language for a client-side highlighter.
    return name == "class" and bool(_CODE_CLASS_RE.match(value))


_ALLOWED_ATTRIBUTES: dict[str, Any] = {
    "a": ["href", "title", "rel", "class"],
    "img": _allow_img,
    "code": _allow_code,
    "ol": ["start"],
    "th": ["align"],
    "td": ["align"],
    "div": ["class"],
    **{f"h{level}": ["id"] for level in range(1, 7)},
}


# -- slugs -------------------------------------------------------------------


def slugify(title: str) -> str:
    """Make a readable URL slug from *title*, keeping Chinese and other letters.

    The title is NFKC-normalised (full-width letters become ASCII) and
    lower-cased; every run of characters that are not letters, digits or
    combining marks becomes one ``-``. The result is at most 200 characters and
    may be ``""`` when the title has no letters or digits: callers decide what
    to do then.
    """
    text = unicodedata.normalize("NFKC", title).lower()
    out: list[str] = []
    for char in text:
        # Combining marks are kept so scripts such as Devanagari or Thai do not
        # break apart mid-word.
        if unicodedata.category(char)[0] in "LNM":
            out.append(char)
        elif out and out[-1] != "-":
            out.append("-")
    slug = "".join(out).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


def _heading_slug(value: str, separator: str) -> str:
    # toc passes its own separator; ours is fixed so wiki anchors and page slugs
    # follow one rule. A heading made only of punctuation still needs an anchor.
    return slugify(value) or "section"


# -- Markdown extensions -------------------------------------------------------


class _WikiLinkProcessor(InlineProcessor):
    """Turn ``[[Title]]`` and ``[[Title|label]]`` into links to wiki pages."""

    # A wiki link inside a Markdown link would nest <a> elements.
    ANCESTOR_EXCLUDES = ("a",)

    def __init__(self, pattern: str, ext: _PortalExtension) -> None:
        super().__init__(pattern)
        self.ext = ext

    def handleMatch(  # noqa: N802 (Markdown's API name)
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        title, _, label = m.group(1).partition("|")
        title = title.strip()
        label = label.strip() or title
        slug = slugify(title)
        if not slug:
            return None, None, None
        self.ext.record(self.ext.found_links, title)
        link = etree.Element("a")
        # ElementTree escapes attribute values and text on serialisation, so a
        # title cannot break out of the href or add attributes.
        if self.ext.page_exists is None or self.ext.cached(self.ext.page_exists, title):
            link.set("class", "wikilink")
            link.set("href", "/wiki/" + quote(slug, safe=""))
        else:
            link.set("class", "wikilink wikilink-missing")
            link.set("href", "/wiki/new?" + urlencode({"title": title}))
        # Atomic, so Markdown does not read emphasis or mentions into a label.
        link.text = markdown.util.AtomicString(label)
        return link, m.start(0), m.end(0)


class _MentionProcessor(InlineProcessor):
    """Turn ``@username`` into a link to the user's profile."""

    ANCESTOR_EXCLUDES = ("a",)

    def __init__(self, pattern: str, ext: _PortalExtension) -> None:
        super().__init__(pattern)
        self.ext = ext

    def handleMatch(  # noqa: N802 (Markdown's API name)
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        username = m.group(1)
        self.ext.record(self.ext.found_mentions, username)
        user_exists = self.ext.user_exists
        if user_exists is not None and not self.ext.cached(user_exists, username):
            return None, None, None
        link = etree.Element("a")
        link.set("class", "mention")
        link.set("href", "/u/" + quote(username, safe=""))
        link.text = markdown.util.AtomicString("@" + username)
        return link, m.start(0), m.end(0)


class _PortalExtension(Extension):
    """Disable raw HTML and add wiki links and mentions to one Markdown run."""

    def __init__(
        self,
        page_exists: Callable[[str], bool] | None = None,
        user_exists: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__()
        self.page_exists = page_exists
        self.user_exists = user_exists
        self.found_links: list[str] = []
        self.found_mentions: list[str] = []
        # Callers' lookups may hit the database; ask once per name per render.
        self._answers: dict[tuple[int, str], bool] = {}

    def cached(self, lookup: Callable[[str], bool], name: str) -> bool:
        key = (id(lookup), name)
        if key not in self._answers:
            self._answers[key] = bool(lookup(name))
        return self._answers[key]

    @staticmethod
    def record(found: list[str], name: str) -> None:
        if name not in found:
            found.append(name)

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        # Typed HTML then reaches the output as escaped text instead of being
        # passed through for bleach to judge: users see exactly what they typed.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # After Markdown links (160), so ANCESTOR_EXCLUDES sees their <a> and a
        # wiki link never nests inside one; before short references (130), so a
        # defined "[title]: url" reference cannot take over "[[title]]".
        md.inlinePatterns.register(_WikiLinkProcessor(_WIKILINK_RE, self), "wiki", 155)
        # After links and autolinks so ANCESTOR_EXCLUDES can see their <a>.
        md.inlinePatterns.register(_MentionProcessor(_MENTION_RE, self), "mention", 105)


def _convert(
    text: str,
    page_exists: Callable[[str], bool] | None = None,
    user_exists: Callable[[str], bool] | None = None,
) -> tuple[str, _PortalExtension]:
    """Run Markdown over *text*; return the unsanitized HTML and the extension."""
    portal = _PortalExtension(page_exists=page_exists, user_exists=user_exists)
    # A fresh Markdown instance per call: instances keep state and are not
    # thread-safe, and building one costs far less than a request.
    md = markdown.Markdown(
        extensions=["fenced_code", "tables", "toc", "sane_lists", portal],
        extension_configs={
            # align= rather than style=, so no style attribute needs allowing.
            "tables": {"use_align_attribute": True},
            "toc": {"slugify": _heading_slug},
        },
        output_format="html",
    )
    return md.convert(text), portal


# -- sanitizing ----------------------------------------------------------------


def _link_rel(attrs: dict[Any, str], new: bool = False) -> dict[Any, str] | None:
    """Mark external links nofollow noopener; unwrap links left without a URL."""
    href_key = (None, "href")
    href = attrs.get(href_key)
    if not href:
        # The sanitizer dropped a javascript: (or similar) href; a bare <a>
        # would only look clickable.
        return None
    scheme = _url_scheme(href)
    if scheme is None or scheme not in _ALLOWED_SCHEMES | {_NO_SCHEME}:
        # Linkify runs after sanitizing, so links it creates are checked here.
        return None
    if _is_external(href):
        attrs[(None, "rel")] = "nofollow noopener"
    else:
        attrs.pop((None, "rel"), None)
    return attrs


_cleaner = bleach.sanitizer.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRIBUTES,
    protocols=_ALLOWED_SCHEMES,
    # Escape, not strip: Markdown already escapes typed HTML, so a disallowed
    # tag here means something unexpected; showing it as text keeps the user's
    # words and makes the surprise visible instead of silently eating content.
    strip=False,
    strip_comments=True,
    filters=[
        partial(
            LinkifyFilter,
            skip_tags=["pre", "code"],
            callbacks=[_link_rel],
            # Only web URLs become links; the default also knows ftp, data, ...
            url_re=build_url_re(protocols=["http", "https"]),
            parse_email=False,
        )
    ],
)


def render(
    text: str,
    *,
    page_exists: Callable[[str], bool] | None = None,
    user_exists: Callable[[str], bool] | None = None,
) -> Markup:
    """Render user Markdown as sanitized HTML safe to put in a page.

    ``[[Title]]`` / ``[[Title|label]]`` link to wiki pages; when *page_exists*
    is given and says a title does not exist, the link points at the page
    creation form and gets the ``wikilink-missing`` class. ``@username`` links
    to the user's profile, only for users *user_exists* accepts (all when it is
    ``None``). Neither is recognised inside code. Raw HTML in *text* is shown
    as text, never interpreted.
    """
    if not text or not text.strip():
        return Markup("")
    html, _ = _convert(text, page_exists=page_exists, user_exists=user_exists)
    # Markup() trusts its argument; this one is the sanitizer's output.
    return Markup(_cleaner.clean(html))  # noqa: S704


def wiki_links(text: str) -> list[str]:
    """List the page titles *text* links with ``[[…]]``, first-seen order.

    Titles are stripped and de-duplicated; links inside code are ignored, as
    are titles with nothing to make a slug from.
    """
    if not text or not text.strip():
        return []
    return _convert(text)[1].found_links


def mentions(text: str) -> list[str]:
    """List the usernames *text* mentions with ``@``, first-seen order.

    Mentions inside code and the ``@`` of e-mail addresses are ignored; whether
    the users exist is the caller's question.
    """
    if not text or not text.strip():
        return []
    return _convert(text)[1].found_mentions


# -- plain text ----------------------------------------------------------------


class _TextExtractor(HTMLParser):
    """Collect the visible text of an HTML fragment."""

    # Text on both sides of these elements belongs to different words.
    _BREAKS = frozenset(
        {"br", "hr", "p", "div", "li", "tr", "td", "th", "pre", "blockquote", "img"}
        | {f"h{level}" for level in range(1, 7)}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(text: str) -> str:
    """Return the visible text of *text* rendered as Markdown.

    Tags are dropped, entities decoded and whitespace collapsed to single
    spaces; code is kept, since people search for it.
    """
    html = render(text)
    if not html:
        return ""
    extractor = _TextExtractor()
    extractor.feed(str(html))
    extractor.close()
    return " ".join("".join(extractor.parts).split())


def excerpt(text: str, length: int = 200) -> str:
    """Return at most *length* characters of *text*'s plain text, ending in "…".

    The cut falls on a space when one is close enough, so English words stay
    whole; text without spaces (Chinese) is cut between characters.
    """
    plain = plain_text(text)
    if len(plain) <= length:
        return plain
    if length < 1:
        return ""
    cut = plain[: length - 1]
    space = cut.rfind(" ")
    # Only back up to a space if that keeps most of the room.
    if space >= (length - 1) * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,.;:，。；：、") + "…"
