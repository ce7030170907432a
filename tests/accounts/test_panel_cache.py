"""The account page keeps its panels' HTML between views, and every write that
changes a panel is on the next view; what one reader may see or do is never
shown to another who may not."""

import re

import pytest
import sqlalchemy as sa
from flask import g, render_template_string
from jinja2 import ChoiceLoader, DictLoader

from portal import fragments, versions
from portal.accounts import service as accounts_service
from portal.auth import service as auth_service
from portal.experts import service as experts_service
from portal.extensions import db
from portal.forums import service as forums_service
from portal.forums.models import Post
from portal.signals import Panel
from portal.wiki import service as wiki_service
from tests.forums.factories import make_forum, make_reply, make_thread
from tests.pages import page, without_tokens

# Pages are kept per minute: a second view must not fall in the next one.
pytestmark = pytest.mark.usefixtures("steady_clock")


@pytest.fixture
def acme(make_account):
    return make_account("ACME Insurance", "CRM-ACME")


@pytest.fixture
def reader(make, login):
    return login(make.user("rita", display_name="Rita Reader"))


def _panels(html: str) -> str:
    """The page without what changes at every view: the form tokens (signed
    with the time) and the timeline (not kept)."""
    return re.sub(
        r'<section class="panel account-timeline">.*?</section>',
        "",
        without_tokens(html),
        flags=re.S,
    )


def _seen_twice(client, account, text: str) -> bool:
    """Whether ``text`` is on the page at the first view after a write and at
    the next one (served from what the first kept)."""
    first, second = page(client, account), page(client, account)
    assert _panels(first) == _panels(second)
    return text in first


def test_a_second_view_serves_the_same_panels(reader, acme, make):
    forum = make_forum("Questions", kind="questions")
    make_thread(forum, make.user("asker"), "Who signs the renewal?", accounts=[acme])
    first = page(reader, acme)
    assert "Who signs the renewal?" in first
    assert _panels(page(reader, acme)) == _panels(first)


def test_threads_replies_and_titles_show_at_once(reader, acme, make):
    forum = make_forum("Questions", kind="questions")
    asker, expert = make.user("asker"), make.user("xia", display_name="Xia Expert")
    assert not _seen_twice(reader, acme, "Renewal terms")
    thread = make_thread(forum, asker, "Renewal terms", accounts=[acme])
    assert _seen_twice(reader, acme, "Renewal terms")
    assert _seen_twice(reader, acme, "0 replies")
    make_reply(thread, expert, "Thirty days' notice.")
    assert _seen_twice(reader, acme, "1 reply")
    first = db.session.scalar(
        sa.select(Post).where(Post.thread_id == thread.id, Post.is_first)
    )
    forums_service.edit_post(first, asker, first.body, title="Renewal terms for 2027")
    db.session.commit()
    assert _seen_twice(reader, acme, "Renewal terms for 2027")


def test_a_forum_renamed_shows_on_every_account(reader, acme, make):
    forum = make_forum("Questions", kind="questions")
    make_thread(forum, make.user("asker"), "Who signs?", accounts=[acme])
    assert _seen_twice(reader, acme, "Questions")
    forums_service.update_forum(
        forum,
        name="Customer questions",
        slug=forum.slug,
        description=forum.description,
        kind=forum.kind,
        department=None,
        position=forum.position,
    )
    db.session.commit()
    assert _seen_twice(reader, acme, "Customer questions")


def test_pages_and_the_profile_show_at_once(reader, acme, make):
    author = make.user("wang", display_name="Wang Fang")
    assert not _seen_twice(reader, acme, "Escalation contacts")
    contacts = wiki_service.create_page(
        "Escalation contacts", "Call the CFO.", author, accounts=[acme]
    )
    db.session.commit()
    assert _seen_twice(reader, acme, "Escalation contacts")
    wiki_service.rename_page(contacts, "Escalation ladder", author)
    db.session.commit()
    assert _seen_twice(reader, acme, "Escalation ladder")
    wiki_service.save_profile(acme, "Who they are: a big insurer.", author)
    db.session.commit()
    assert _seen_twice(reader, acme, "a big insurer")
    profile = wiki_service.profile_page(acme)
    wiki_service.save_profile(
        acme,
        "Who they are: the biggest insurer in the east.",
        author,
        base_revision=profile.current_revision.number,
    )
    db.session.commit()
    assert _seen_twice(reader, acme, "the biggest insurer in the east")


def test_the_account_renamed_and_people_renamed_show_at_once(reader, acme, make):
    forum = make_forum("Questions", kind="questions")
    asker = make.user("asker", display_name="Ann Asker")
    assert _seen_twice(reader, acme, "No questions about ACME Insurance yet")
    accounts_service.update_account(acme, name="ACME Assurance")
    db.session.commit()
    assert _seen_twice(reader, acme, "No questions about ACME Assurance yet")
    make_thread(forum, asker, "Who signs?", accounts=[acme])
    assert _seen_twice(reader, acme, "Ann Asker")
    auth_service.update_user(asker, display_name="Ann Li")
    db.session.commit()
    assert _seen_twice(reader, acme, "Ann Li")


def test_someone_who_says_they_work_on_the_account_is_an_expert(reader, acme, make):
    sam = make.user("sam", display_name="Sam Seller")
    assert not _seen_twice(reader, acme, "Sam Seller")
    experts_service.update_profile(sam, sam, accounts="CRM-ACME")
    db.session.commit()
    assert _seen_twice(reader, acme, "Sam Seller")
    assert "Works on this account" in page(reader, acme)
    experts_service.update_profile(sam, sam, accounts="")
    db.session.commit()
    assert not _seen_twice(reader, acme, "Sam Seller")


def test_an_accepted_answer_reorders_the_experts(reader, acme, make):
    forum = make_forum("Questions", kind="questions")
    asker = make.user("asker")
    thread = make_thread(forum, asker, "Which plan?", accounts=[acme])
    answers = {
        "First Answerer": make_reply(
            thread, make.user("one", display_name="First Answerer"), "Gold."
        ),
        "Second Answerer": make_reply(
            thread, make.user("two", display_name="Second Answerer"), "Silver."
        ),
    }

    def ranked() -> list[str]:
        html = _panels(page(reader, acme))
        assert html == _panels(page(reader, acme))
        return sorted(answers, key=html.index)

    behind = ranked()[1]
    forums_service.accept_answer(thread, answers[behind], asker)
    db.session.commit()
    assert ranked()[0] == behind


def test_a_restricted_forum_is_never_shown_to_outsiders(acme, make, login):
    support = make.department("Support")
    secret = make_forum("Support only", department=support)
    insider = login(make.user("ina", department=support))
    outsider = login(make.user("olaf"))
    moderator = login(make.user("mo", role="moderator"))
    make_thread(
        secret, make.user("sue", department=support), "Their outage", accounts=[acme]
    )
    # The insider views first: what they may see is kept for their scope only.
    assert _seen_twice(insider, acme, "Their outage")
    assert not _seen_twice(outsider, acme, "Their outage")
    assert _seen_twice(moderator, acme, "Their outage")


def test_buttons_follow_the_viewer_not_whoever_viewed_first(acme, make, login):
    moderator = login(make.user("mo", role="moderator"))
    employee = login(make.user("emma"))
    author = make.user("wang")
    wiki_service.save_profile(acme, "Who they are: a big insurer.", author)
    db.session.commit()
    wiki_service.change_state(
        wiki_service.profile_page(acme), "archived", make.user("mod2", role="moderator")
    )
    db.session.commit()
    # An archived profile is edited by moderators only.
    assert _seen_twice(moderator, acme, "Edit profile")
    assert not _seen_twice(employee, acme, "Edit profile")


def test_what_a_transaction_wrote_is_kept_only_once_it_commits(app, reader, acme, make):
    from portal.accounts.views import _panel_html
    from portal.signals import account_panels, collect_panels

    forum = make_forum("Questions", kind="questions")
    asker = make.user("asker")
    page(reader, acme)  # kept, without the thread

    def panels_now() -> str:
        with app.test_request_context("/"):
            panels = collect_panels(account_panels, acme, viewer=asker)
            return "".join(_panel_html(acme, panels))

    forums_service.create_thread(
        forum, asker, "Draft question", "Who?", accounts=[acme]
    )
    db.session.flush()
    assert versions.raised()
    # Inside the transaction the write is seen, and nothing is kept.
    assert "Draft question" in panels_now()
    db.session.rollback()
    assert not versions.raised()
    assert not _seen_twice(reader, acme, "Draft question")


# --- forms in kept HTML -------------------------------------------------------------

FORM = '<form method="post"><input name="csrf_token" value="{{ csrf_token() }}"></form>'


def test_a_kept_panel_never_carries_another_readers_token(app):
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"_form_panel.html": FORM}), app.jinja_env.loader]
    )
    cache = fragments.FragmentCache(10)
    panel = Panel("_form_panel.html", lambda: {}, key=("everyone",))
    tokens = []
    for _reader in range(2):
        with app.test_request_context("/"):
            g.pop("csrf_token", None)  # tests share g; requests do not
            html = fragments.render_panel(panel, ("page", 1), cache)
            own = render_template_string("{{ csrf_token() }}")
            assert f'value="{own}"' in html
            tokens.append(own)
    assert tokens[0] != tokens[1]
    assert len(cache) == 1
    kept = "".join(next(iter(cache._entries.values())).parts)
    assert tokens[0] not in kept and tokens[1] not in kept


# --- the timeline -------------------------------------------------------------------


def _timeline(client, account) -> str:
    html = page(client, account)
    start = html.find('<section class="panel account-timeline">')
    return html[start : html.index("</section>", start)] if start >= 0 else ""


def test_the_timeline_shows_each_write_and_only_what_the_reader_may_see(
    acme, make, login
):
    support = make.department("Support")
    secret = make_forum("Support only", department=support)
    open_forum = make_forum("Questions", kind="questions")
    insider = login(make.user("ina", department=support))
    outsider = login(make.user("olaf"))
    sue = make.user("sue", department=support, display_name="Sue Support")
    make_thread(secret, sue, "Their outage", accounts=[acme])
    assert "Their outage" in _timeline(insider, acme)
    assert "Their outage" not in _timeline(outsider, acme)
    thread = make_thread(open_forum, make.user("asker"), "Renewal", accounts=[acme])
    assert "Renewal" in _timeline(outsider, acme)
    make_reply(thread, make.user("xia", display_name="Xia Expert"), "Thirty days.")
    assert "Xia Expert" in _timeline(outsider, acme)
    wiki_service.create_page("Escalation", "Call the CFO.", sue, accounts=[acme])
    db.session.commit()
    assert "Escalation" in _timeline(outsider, acme)
    auth_service.update_user(sue, display_name="Sue Li")
    db.session.commit()
    assert "Sue Li" in _timeline(outsider, acme)
    assert "Sue Support" not in _timeline(insider, acme)


def test_the_account_is_watched_from_its_page_header(reader, acme):
    html = page(reader, acme)
    header = html[html.index('<header class="page-head account-head">') :]
    header = header[: header.index("</header>")]
    assert 'name="target" value="account"' in header
    assert f'name="target_id" value="{acme.id}"' in header
    response = reader.post(
        "/watch",
        data={
            "target": "account",
            "target_id": acme.id,
            "action": "watch",
            "next": acme.url,
        },
    )
    assert response.status_code == 303
    assert "Stop watching" in page(reader, acme)


# --- the home page's "your accounts" ----------------------------------------------


def test_your_accounts_on_the_home_page_show_each_write_and_only_what_you_may_see(
    make, make_account, login
):
    support = make.department("Support")
    insider_user = make.user("ina", department=support)
    outsider_user = make.user("olaf")
    acme = make_account("ACME", "CRM-A", account_manager=insider_user)
    globex = make_account("Globex", "CRM-G", account_manager=outsider_user)
    insider, outsider = login(insider_user), login(outsider_user)
    secret = make_forum("Support only", department=support)
    open_forum = make_forum("Questions", kind="questions")
    sue = make.user("sue", department=support, display_name="Sue Support")

    def home(client) -> str:
        """The "Your accounts" block, at the second view (kept by the first)."""
        first, second = client.get("/"), client.get("/")
        assert first.status_code == second.status_code == 200
        html = second.get_data(as_text=True)
        start = html.index('<section class="panel home-panel accounts-home-panel">')
        return html[start : html.index("</section>", start)]

    make_thread(secret, sue, "Their outage", accounts=[acme, globex])
    assert "Their outage" in home(insider)
    assert "Their outage" not in home(outsider)
    thread = make_thread(open_forum, sue, "Renewal terms", accounts=[acme, globex])
    assert "Renewal terms" in home(insider) and "Renewal terms" in home(outsider)
    wiki_service.create_page(
        "Escalation ladder", "Call the CFO.", sue, accounts=[globex]
    )
    db.session.commit()
    assert "Escalation ladder" in home(outsider)
    auth_service.update_user(sue, display_name="Sue Li")
    db.session.commit()
    assert "Sue Li" in home(outsider) and "Sue Support" not in home(outsider)
    make_reply(thread, make.user("xia"), "Thirty days.")
    assert "Renewal terms" in home(insider)


def test_newest_events_kept_for_one_reader_never_reach_another(app, acme, make):
    from portal.forums.panels import accounts_recent_events

    support = make.department("Support")
    insider, outsider = make.user("ina", department=support), make.user("olaf")
    secret = make_forum("Support only", department=support)
    make_thread(secret, insider, "Their outage", accounts=[acme])

    def titles(viewer) -> list[str]:
        with app.test_request_context("/"):
            found = accounts_recent_events(viewer, accounts=[acme], limit=2)
        return [e.title for e in found[acme.id]]

    assert titles(insider) == ["Their outage"]
    assert titles(outsider) == []
