"""The XSS corpus, run in Chromium: every payload of ``tests/xss_payloads.txt``
goes in through the places where one person's text reaches another (post
titles and bodies, page titles, bodies and edit summaries, diffs, profile
fields, account names and descriptions, tags, notifications, report tables),
and every page that shows it is loaded in a real browser.

A hook records any dialog, any call of alert/confirm/prompt/print, and any
Content-Security-Policy violation. The CSP would stop an injected script, so a
violation is how a sanitizer miss shows up: the test fails on the first one.
"""

from urllib.parse import quote

import pytest
import sqlalchemy as sa

from portal.accounts import service as accounts_service
from portal.auth import service as auth_service
from portal.extensions import db
from portal.forums import service as forums
from portal.search import indexing
from portal.wiki import service as wiki
from tests.forums.factories import make_forum
from tests.test_markup import PAYLOADS

pytestmark = pytest.mark.e2e

RECORDER = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__xss.push(name + "(" + args.join(",") + ")"); };
}
document.addEventListener("securitypolicyviolation", (e) => {
  // Markdown may show an image from another server; the CSP stops it loading
  // on an intranet portal. That is not a script: every other violation is.
  const image = e.violatedDirective.startsWith("img-src");
  if (image && e.blockedURI.startsWith("http")) return;
  const what = [e.violatedDirective, e.blockedURI, e.sample || ""];
  window.__xss.push("CSP " + what.join(" "));
});
"""


# A NUL character never reaches the database: every request carrying one is
# refused (tests/core/test_security.py), and PostgreSQL could not store it.
STORABLE = [p for p in PAYLOADS if "\x00" not in p]


def _short(payloads, limit):
    """Payloads that fit a field of ``limit`` characters (on one line)."""
    return [p for p in payloads if len(p) <= limit and "\n" not in p]


@pytest.fixture
def corpus(make):
    """Put every payload somewhere another person will see it; return the
    addresses of the pages that show them and the HR reader."""
    victim = make.user("victim")
    make.user("hr1", role="hr")
    short = _short(STORABLE, 110)
    authors = []
    for n, payload in enumerate(short[:12]):
        author = make.user(f"x{n}", display_name=payload, job_title=payload[:100])
        authors.append(author)
    accounts = [
        accounts_service.create_account(
            payload, f"X-{n}", description=payload, industry=payload[:100]
        )
        for n, payload in enumerate(short[:30])
    ]
    forum = make_forum("Questions", kind="questions", slug="questions")
    body = "\n\n".join(STORABLE)
    thread = forums.create_thread(
        forum, victim, "All payloads in one post", body, accounts=accounts[:3]
    )
    tags = [p for p in _short(STORABLE, 40) if "," not in p and "，" not in p]
    forums.create_thread(forum, victim, "Payload tags", "tags", tags=tags[:10])
    for n, payload in enumerate(short[:40]):
        forums.create_thread(forum, authors[n % len(authors)], payload[:200], payload)
    for author in authors:
        # Replies to the victim's thread notify the victim (a watched thread).
        forums.reply(thread, author, f"@victim {author.display_name}")
    page = wiki.create_page("Payloads", body, victim, accounts=accounts[:3])
    db.session.flush()
    for n, payload in enumerate(short[:6]):
        current = page.current_revision.number
        wiki.edit_page(
            page,
            f"{body}\n\n{payload} {n}",
            authors[n],
            base_revision=current,
            summary=payload[:300],
        )
        db.session.flush()
    for n, payload in enumerate(short[:5]):
        wiki.create_page(f"{payload[:190]} {n}", payload, authors[0])
    db.session.commit()
    urls = [
        "/",
        thread.url,
        "/forums/questions",
        "/forums/questions?page=2",
        "/forums/threads",
        page.url,
        f"{page.url}/history",
        f"{page.url}/diff?from=1&to=7",
        f"{page.url}/revisions/3",
        "/wiki",
        "/wiki/recent",
        "/accounts",
        *[a.url for a in accounts[:5]],
        *[f"/u/{a.username}" for a in authors[:6]],
        "/tags",
        "/notifications",
        "/leaderboard",
    ]
    indexing.rebuild()
    # Search: payloads as queries, and payloads in titles and snippets found.
    urls += [f"/search?q={quote(p)}" for p in short[:25]]
    urls += ["/search?q=alert", "/search?q=script", "/search?q=onerror&kind=page"]
    tag_slugs = db.session.scalars(sa.text("SELECT slug FROM tags LIMIT 5")).all()
    urls += [f"/tags/{slug}" for slug in tag_slugs]
    # The rebuild ends the session: fetch the readers again.
    return auth_service.get_user("victim"), auth_service.get_user("hr1"), urls


def _visit(page, url) -> list[str]:
    response = page.goto(url, wait_until="load")
    # 400: a payload with a NUL character is refused, and that page is checked too.
    assert response.status <= 400, f"{url}: {response.status}"
    page.wait_for_timeout(50)  # violation events are queued, not synchronous
    return page.evaluate("window.__xss")


def test_no_payload_runs_anywhere(browser, server, person, corpus):
    victim, hr, urls = corpus
    report_urls = [
        "/incentives/reports",
        "/incentives/reports/people/x0",
        "/incentives/reports/rows?user=x0",
    ]
    dialogs = []
    for user, targets in ((victim, urls), (hr, report_urls)):
        page = person(user)
        page.context.add_init_script(RECORDER)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for url in targets:
            seen = _visit(page, url)
            assert not seen, f"script ran on {url}: {seen[:3]}"
            assert not dialogs, f"dialog on {url}: {dialogs}"


def test_the_recorder_catches_a_running_script(browser, server, person, make):
    """The hook is not blind: a page that does run script is caught."""
    page = person(make.user("someone"))
    page.context.add_init_script(RECORDER)
    page.goto("/")
    page.evaluate("alert('caught')")
    assert page.evaluate("window.__xss") == ["alert(caught)"]
    # What a sanitizer miss looks like: an inline handler in the page. The CSP
    # blocks it, and the recorder sees the violation.
    page.evaluate(
        """document.body.insertAdjacentHTML(
            "beforeend", '<img src="/static/none.png" onerror="alert(2)">')"""
    )
    page.wait_for_timeout(200)
    seen = page.evaluate("window.__xss")
    assert any(s.startswith("CSP script-src") for s in seen), seen
