"""Tests for portal.markup: Markdown features, wiki links, mentions, sanitizing."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

# bleach 6 vendors html5lib instead of depending on it; its parser is the one
# the sanitizer uses and follows the HTML spec as browsers do.
from bleach._vendor import html5lib
from markupsafe import Markup

from portal.markup import excerpt, mentions, plain_text, render, slugify, wiki_links

# -- Markdown features ----------------------------------------------------------


def test_empty_input_renders_nothing() -> None:
    assert render("") == Markup("")
    assert render("  \n\t ") == Markup("")
    assert isinstance(render("x"), Markup)


def test_fenced_code_entities_escaped_exactly_once() -> None:
    html = render("```\na < b && c\n```")
    assert "a &lt; b &amp;&amp; c" in html
    assert "&amp;lt;" not in html
    assert "&amp;amp;" not in html
    assert html.startswith("<pre><code>")


def test_fenced_code_keeps_language_class() -> None:
    html = render("```python\nx = 1\n```")
    assert '<code class="language-python">' in html


def test_urls_in_code_are_not_linkified() -> None:
    html = render("```\nsee https://example.com\n```\n\n`https://example.org`")
    assert "<a" not in html


def test_table_uses_align_attribute() -> None:
    html = render("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert '<th align="left">a</th>' in html
    assert '<th align="center">b</th>' in html
    assert '<td align="right">3</td>' in html
    assert "style" not in html


def test_heading_anchor_english() -> None:
    assert render("## Getting Started!") == Markup(
        '<h2 id="getting-started">Getting Started!</h2>'
    )


def test_heading_anchor_keeps_chinese() -> None:
    html = render("# 客户关系管理 CRM 指南!")
    assert '<h1 id="客户关系管理-crm-指南">' in html


def test_duplicate_and_punctuation_only_headings_get_distinct_anchors() -> None:
    html = render("# A\n\n# A\n\n# !!!")
    assert 'id="a"' in html
    assert 'id="a_1"' in html
    assert 'id="section"' in html


def test_toc_marker() -> None:
    html = render("[TOC]\n\n# 概述")
    assert '<div class="toc">' in html
    assert '<a href="#概述">概述</a>' in html


def test_lists() -> None:
    html = render("3. three\n4. four\n\n- a\n- b")
    assert '<ol start="3">' in html
    assert "<li>four</li>" in html
    assert "<ul>\n<li>a</li>" in html


def test_single_newline_is_not_a_line_break() -> None:
    assert "<br>" not in render("one\ntwo")


def test_bare_url_linkified_with_nofollow_noopener() -> None:
    html = render("see https://example.com/a?b=1&c=2 now")
    assert (
        '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener">'
        "https://example.com/a?b=1&amp;c=2</a>"
    ) in html


@pytest.mark.parametrize(
    "source",
    [
        "[x](https://example.com)",
        "[x](http://example.com)",
        "<https://example.com>",
        "[x](//example.com/path)",
        "[x](mailto:a@example.com)",
    ],
)
def test_external_links_get_nofollow_noopener(source: str) -> None:
    assert 'rel="nofollow noopener"' in render(source)


@pytest.mark.parametrize(
    "source", ["[x](/wiki/guide)", "[x](guide)", "[x](#top)", "[[Guide]]", "@bob"]
)
def test_internal_links_have_no_rel(source: str) -> None:
    html = render(source)
    assert "<a " in html
    assert "rel=" not in html


def test_dangerous_markdown_link_becomes_plain_text() -> None:
    assert render("[click](javascript:alert(1))") == Markup("<p>click</p>")


def test_raw_html_is_shown_as_text() -> None:
    html = render("<b>bold</b> <script>alert(1)</script>")
    assert html == Markup(
        "<p>&lt;b&gt;bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )


def test_blockquote_and_emphasis_still_work() -> None:
    html = render("> **strong** and *em*")
    assert "<blockquote>" in html
    assert "<strong>strong</strong>" in html
    assert "<em>em</em>" in html


def test_image_allowed_for_https() -> None:
    html = render('![logo](https://example.com/a.png "Logo")')
    assert '<img alt="logo" src="https://example.com/a.png" title="Logo">' in html


def test_image_with_mailto_src_loses_src() -> None:
    assert "src=" not in render("![x](mailto:a@example.com)")


# -- wiki links -----------------------------------------------------------------


def test_wiki_link_plain() -> None:
    assert render("[[Getting Started]]") == Markup(
        '<p><a class="wikilink" href="/wiki/getting-started">Getting Started</a></p>'
    )


def test_wiki_link_with_label() -> None:
    html = render("[[ Getting Started | read this ]]")
    assert '<a class="wikilink" href="/wiki/getting-started">read this</a>' in html


def test_wiki_link_chinese_title_is_url_quoted() -> None:
    html = render("[[客户 管理]]")
    assert (
        '<a class="wikilink" href="/wiki/%E5%AE%A2%E6%88%B7-%E7%AE%A1%E7%90%86">'
        "客户 管理</a>"
    ) in html


def test_wiki_link_existing_and_missing_pages() -> None:
    existing = {"Known"}
    html = render("[[Known]] [[Not yet|later]]", page_exists=existing.__contains__)
    assert '<a class="wikilink" href="/wiki/known">Known</a>' in html
    assert (
        '<a class="wikilink wikilink-missing" href="/wiki/new?title=Not+yet">later</a>'
    ) in html


def test_wiki_link_missing_chinese_title() -> None:
    html = render("[[新页面]]", page_exists=lambda title: False)
    assert 'href="/wiki/new?title=%E6%96%B0%E9%A1%B5%E9%9D%A2"' in html


def test_page_exists_asked_once_per_title() -> None:
    asked: list[str] = []

    def page_exists(title: str) -> bool:
        asked.append(title)
        return True

    render("[[A]] [[A|again]] [[B]]", page_exists=page_exists)
    assert asked == ["A", "B"]


def test_wiki_link_not_processed_in_code() -> None:
    html = render("`[[Inline]]`\n\n```\n[[Fenced]]\n```\n\n    [[Indented]]")
    assert "wikilink" not in html
    assert "[[Inline]]" in html
    assert "[[Fenced]]" in html


def test_wiki_link_title_cannot_inject_attributes() -> None:
    html = render('[[" onmouseover="x]] [[x|\'><img src=x onerror=alert(1)>]]')
    assert html == Markup(
        '<p><a class="wikilink" href="/wiki/onmouseover-x">" onmouseover="x</a> '
        '<a class="wikilink" href="/wiki/x">'
        "'&gt;&lt;img src=x onerror=alert(1)&gt;</a></p>"
    )
    assert_inert(html)


def test_wiki_link_without_slug_is_left_as_text() -> None:
    assert render("[[!!!]]") == Markup("<p>[[!!!]]</p>")
    assert wiki_links("[[!!!]]") == []


def test_wiki_link_inside_markdown_link_does_not_nest() -> None:
    html = render("[see [[Page]]](https://example.com)")
    assert html.count("<a ") == 1


def test_wiki_links_extraction() -> None:
    text = (
        "[[Alpha]] and [[ Beta | b ]] and [[Alpha|again]]\n\n"
        "`[[InCode]]`\n\n```\n[[InFence]]\n```\n\n[[客户关系管理]]"
    )
    assert wiki_links(text) == ["Alpha", "Beta", "客户关系管理"]
    assert wiki_links("") == []


# -- mentions -------------------------------------------------------------------


def test_mention_linked() -> None:
    assert render("hi @alice_b.c") == Markup(
        '<p>hi <a class="mention" href="/u/alice_b.c">@alice_b.c</a></p>'
    )


def test_mention_trailing_period_is_punctuation() -> None:
    html = render("ask @alice.")
    assert '<a class="mention" href="/u/alice">@alice</a>.' in html


def test_email_is_not_a_mention() -> None:
    html = render("write to bob@example.com")
    assert "mention" not in html
    assert mentions("write to bob@example.com") == []


def test_mention_in_url_is_not_a_mention() -> None:
    assert mentions("https://social.example.com/@carol") == []


def test_unknown_user_not_linked() -> None:
    html = render("@alice @ghost", user_exists={"alice"}.__contains__)
    assert '<a class="mention" href="/u/alice">@alice</a>' in html
    assert "@ghost" in html
    assert "/u/ghost" not in html


def test_mention_not_in_code() -> None:
    html = render("`@alice`\n\n```\n@bob\n```")
    assert "mention" not in html


def test_mention_inside_link_text_does_not_nest() -> None:
    html = render("[@alice](https://example.com)")
    assert html.count("<a ") == 1


def test_mentions_extraction() -> None:
    text = "@alice, @bob and @alice again; `@carol` me@example.com (@dave)"
    assert mentions(text) == ["alice", "bob", "dave"]
    assert mentions("") == []


# -- slugify --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("客户关系管理 CRM 指南!", "客户关系管理-crm-指南"),
        ("Hello, World", "hello-world"),
        ("  --Leading and trailing--  ", "leading-and-trailing"),
        ("a_b  c...d", "a-b-c-d"),
        ("ＣＲＭ　全角", "crm-全角"),
        ("客户，关系。管理", "客户-关系-管理"),
        ("Ünïcödé Straße", "ünïcödé-straße"),
        ("v2.0 release", "v2-0-release"),
        ("", ""),
        ("!!! ???", ""),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugify_max_length() -> None:
    slug = slugify("word " * 100)
    assert len(slug) <= 200
    assert not slug.endswith("-")


# -- plain text and excerpts ----------------------------------------------------


def test_plain_text() -> None:
    text = "# Title\n\nSome **bold** &amp; [link](https://x.example)\n\n- a\n- b"
    assert plain_text(text) == "Title Some bold & link a b"


def test_plain_text_keeps_escaped_html_as_text() -> None:
    assert plain_text("<b>x</b> & [[Page|label]]") == "<b>x</b> & label"


def test_excerpt_short_text_unchanged() -> None:
    assert excerpt("short *text*") == "short text"


def test_excerpt_cuts_at_word_boundary() -> None:
    result = excerpt("lorem ipsum dolor " * 30, length=40)
    assert len(result) <= 40
    assert result.endswith("…")
    assert result[:-1].split(" ")[-1] in {"lorem", "ipsum", "dolor"}


def test_excerpt_cuts_chinese_between_characters() -> None:
    result = excerpt("知识管理" * 100, length=21)
    assert result == "知识管理" * 5 + "…"


# -- XSS corpus -----------------------------------------------------------------

_ALLOWED_ELEMENTS = {
    *("p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote"),
    *("ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td"),
    "div",
    *(f"h{level}" for level in range(1, 7)),
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel", "class"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "div": {"class"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
_SAFE_SCHEMES = {"http", "https", "mailto"}
_URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "srcset",
    "dynsrc",
    "lowsrc",
    "xlink:href",
}
_HTML_NS = "http://www.w3.org/1999/xhtml"
# What browsers ignore inside a URL before reading its scheme.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")


def _scheme(value: str) -> str | None:
    match = re.match(r"([a-z][a-z0-9+.-]*):", _URL_IGNORED.sub("", value).lower())
    return match.group(1) if match else None


def _attribute_problems(tag: str, attrs: list[tuple[str, str]]) -> list[str]:
    problems = []
    for name, value in attrs:
        if name.startswith("on"):
            problems.append(f"event handler {name} on <{tag}>")
        elif name == "style":
            problems.append(f"style attribute on <{tag}>")
        elif name not in _ALLOWED_ATTRIBUTES.get(tag, set()):
            problems.append(f"attribute {name} on <{tag}>")
        if name in _URL_ATTRIBUTES or name.endswith(("href", "src")):
            scheme = _scheme(value)
            if scheme is not None and scheme not in _SAFE_SCHEMES:
                problems.append(f"{scheme}: URL in {name} on <{tag}>")
    return problems


class _StdlibChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_ELEMENTS:
            self.problems.append(f"element <{tag}>")
        self.problems += _attribute_problems(tag, [(n, v or "") for n, v in attrs])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl!r}")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data!r}")


def _html5lib_problems(html: str) -> list[str]:
    problems = []
    fragment = html5lib.parseFragment(html, treebuilder="etree")
    for element in fragment.iter():
        if element is fragment:
            continue
        if not isinstance(element.tag, str):
            problems.append(f"non-element node {element.tag!r}")
            continue
        namespace, _, tag = element.tag[1:].rpartition("}")
        if namespace != _HTML_NS or tag not in _ALLOWED_ELEMENTS:
            problems.append(f"element <{tag}> in {namespace}")
        attrs = []
        for name, value in element.attrib.items():
            # html5lib spells namespaced attributes "{uri}local"; keep a
            # readable, prefixed name so xlink:href counts as a URL.
            if name.startswith("{"):
                uri, _, local = name[1:].partition("}")
                name = ("xlink:" if "xlink" in uri else "ns:") + local
            attrs.append((name, value))
        problems += _attribute_problems(tag, attrs)
    return problems


def xss_problems(html: str) -> list[str]:
    """List what in *html* could run script, as two different parsers see it."""
    stdlib = _StdlibChecker()
    stdlib.feed(html)
    stdlib.close()
    return stdlib.problems + _html5lib_problems(html)


def assert_inert(html: str) -> None:
    assert xss_problems(str(html)) == [], str(html)


def _decode(line: str) -> str:
    escapes = {"n": "\n", "t": "\t", "r": "\r"}
    return re.sub(
        r"\\(n|t|r|x[0-9a-fA-F]{2})",
        lambda m: escapes.get(m.group(1)) or chr(int(m.group(1)[1:], 16)),
        line,
    )


def _load_payloads() -> list[str]:
    """Read one payload per line; ``\\n``, ``\\t``, ``\\r``, ``\\xHH`` are decoded."""
    path = Path(__file__).with_name("xss_payloads.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return [_decode(line) for line in lines if line.strip()]


PAYLOADS = _load_payloads()

_RENDER_MODES: list[dict[str, Callable[[str], bool]]] = [
    {},
    {"page_exists": lambda title: False, "user_exists": lambda name: True},
    {"page_exists": lambda title: True, "user_exists": lambda name: False},
]


def test_payload_corpus_is_large_and_distinct() -> None:
    assert len(PAYLOADS) >= 160
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize(
    "known_bad",
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href=" JAVASCRIPT:alert(1)">x</a>',
        '<img src="data:image/svg+xml,x">',
        '<p style="color:red">x</p>',
        "<svg><a xlink:href='javascript:alert(1)'>x</a></svg>",
        "<math><mi>x</mi></math>",
        "<a href=/ok target=_blank>x</a>",
        "<!--x-->",
    ],
)
def test_checker_catches_known_bad_html(known_bad: str) -> None:
    assert xss_problems(known_bad)


def test_checker_accepts_known_good_html() -> None:
    good = (
        '<h2 id="x">t</h2><p><a href="https://a.example" rel="nofollow noopener">'
        'a</a> <a href="/wiki/x" class="wikilink">w</a> <a href="mailto:a@b.c">m</a>'
        '<img src="/static/a.png" alt="a"></p><pre><code class="language-py">x'
        "</code></pre>"
    )
    assert xss_problems(good) == []


@pytest.mark.parametrize(
    "payload", PAYLOADS, ids=[f"{i:03d}" for i in range(len(PAYLOADS))]
)
def test_payload_is_inert(payload: str) -> None:
    for kwargs in _RENDER_MODES:
        html = render(payload, **kwargs)
        assert isinstance(html, Markup)
        assert_inert(html)
