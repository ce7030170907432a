"""Rendered posts are shared between readers who see them the same way, and
never show one reader what belongs to another or what has changed since."""

import re
from datetime import timedelta

import pytest

from portal import clock
from portal.auth import service as auth_service
from portal.extensions import db
from portal.forums import service
from portal.forums.views import POST_CACHE
from tests.forums.factories import make_reply


def _article(html: str, post) -> str:
    start = html.index(f'<article id="post-{post.id}"')
    return html[start : html.index("</article>", start)]


def _page(client, thread) -> str:
    response = client.get(thread.url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def answer(question, answerer):
    return make_reply(question, answerer, "Send them the **signed** order form.")


@pytest.fixture
def cache(app):
    return app.extensions[POST_CACHE]


def test_readers_alike_share_the_rendered_posts(
    monkeypatch, login, make, question, answer, cache
):
    # "5 minutes ago" for every request of this test: a post's age is in its key.
    later = clock.now() + timedelta(minutes=5)
    monkeypatch.setattr("portal.clock.now", lambda: later)
    _page(login(make.user()), question)
    rendered = cache.misses
    assert rendered == 2  # the question and the answer
    # Someone else with the same rights and no votes: nothing rendered again.
    _page(login(make.user()), question)
    assert cache.misses == rendered


def test_each_reader_sees_their_own_buttons_and_vote(
    login, make, question, answer, asker, answerer, moderator
):
    voter = make.user()
    service.vote(answer, voter, 1)
    db.session.commit()
    clients = {
        who: login(user)
        for who, user in [
            ("asker", asker),
            ("answerer", answerer),
            ("moderator", moderator),
            ("voter", voter),
            ("reader", make.user()),
        ]
    }
    for _round in range(2):  # the second round is served from the cache
        pages = {who: _page(client, question) for who, client in clients.items()}
        shown = {who: _article(html, answer) for who, html in pages.items()}
        assert "Accept this answer" in shown["asker"]
        assert "Accept this answer" in shown["moderator"]
        assert "Accept this answer" not in shown["reader"]
        assert f"/forums/posts/{answer.id}/edit" in shown["answerer"]
        assert f"/forums/posts/{answer.id}/edit" not in shown["voter"]
        assert f"/forums/posts/{answer.id}/vote" not in shown["answerer"]  # own post
        assert 'aria-pressed="true"' in shown["voter"]
        assert 'aria-pressed="true"' not in shown["reader"]


def test_each_reader_gets_their_own_csrf_token(login, make, question, answer):
    tokens = []
    for user in (make.user(), make.user()):
        html = _page(login(user), question)
        page_token = re.search(r'name="csrf-token" content="([^"]+)"', html)[1]
        in_post = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
        assert in_post == {page_token}
        tokens.append(page_token)
    assert tokens[0] != tokens[1]


def test_an_edit_shows_at_once(login, make, question, answer, answerer):
    client = login(make.user())
    _page(client, question)
    service.edit_post(answer, answerer, "Send them the **countersigned** form.")
    db.session.commit()
    shown = _article(_page(client, question), answer)
    assert "countersigned" in shown and "edited" in shown


def test_a_vote_changes_the_score_everyone_sees(login, make, question, answer):
    reader = login(make.user())
    assert 'data-score title="Score">0<' in _article(_page(reader, question), answer)
    service.vote(answer, make.user(), 1)
    db.session.commit()
    assert 'data-score title="Score">1<' in _article(_page(reader, question), answer)


def test_accepting_and_withdrawing_show_at_once(login, make, question, answer, asker):
    reader = login(make.user())
    assert "Accepted answer" not in _page(reader, question)
    service.accept_answer(question, answer, asker)
    db.session.commit()
    assert "Accepted answer" in _article(_page(reader, question), answer)
    service.unaccept_answer(question, asker)
    db.session.commit()
    assert "Accepted answer" not in _page(reader, question)


def test_a_deleted_post_is_a_placeholder_except_for_moderators(
    login, make, question, answer, moderator
):
    reader, mod = login(make.user()), login(moderator)
    _page(reader, question), _page(mod, question)
    service.delete_post(answer, moderator)
    db.session.commit()
    shown = _article(_page(reader, question), answer)
    assert "This post was deleted." in shown and "signed" not in shown
    shown = _article(_page(mod, question), answer)
    assert "signed" in shown and f"/forums/posts/{answer.id}/restore" in shown


def test_a_renamed_or_departed_author_shows_at_once(
    login, make, question, answer, answerer
):
    reader = login(make.user())
    assert "Ben Answerer" in _article(_page(reader, question), answer)
    auth_service.update_user(answerer, display_name="Benjamin Answerer")
    db.session.commit()
    shown = _article(_page(reader, question), answer)
    assert "Benjamin Answerer" in shown and "departed" not in shown
    auth_service.deactivate(answerer)
    db.session.commit()
    assert 'class="user departed"' in _article(_page(reader, question), answer)


def test_each_reader_sees_their_own_language(login, make, question, answer):
    english, chinese = login(make.user()), login(make.user(locale="zh"))
    for _round in range(2):
        assert "Quote" in _article(_page(english, question), answer)
        shown = _article(_page(chinese, question), answer)
        assert "Quote" not in shown and "引用" in shown


def test_each_reader_sees_times_in_their_own_time_zone(login, make, question, answer):
    users = make.user(), make.user()
    users[0].time_zone, users[1].time_zone = "UTC", "Asia/Shanghai"
    db.session.commit()
    utc, shanghai = login(users[0]), login(users[1])
    hour = answer.created_at.hour

    def title_hour(client) -> int:
        shown = _article(_page(client, question), answer)
        full = re.search(r'<time datetime="[^"]+" title="([^"]+)"', shown)[1]
        return int(re.search(r"(\d+):\d\d:\d\d", full)[1]) % 12

    for _round in range(2):
        assert title_hour(utc) == hour % 12
        assert title_hour(shanghai) == (hour + 8) % 12


def test_the_age_of_a_post_follows_the_clock(
    monkeypatch, login, make, question, answer
):
    reader = login(make.user())
    assert "second" in _article(_page(reader, question), answer)
    later = clock.now() + timedelta(hours=3)
    monkeypatch.setattr("portal.clock.now", lambda: later)
    assert "3 hours ago" in _article(_page(reader, question), answer)


def test_the_live_fragment_shows_the_readers_own_buttons(
    login, make, question, answer, asker
):
    reader = login(make.user())
    for client, expected in [
        (login(asker), True),
        (reader, False),
        (login(asker), True),
    ]:
        html = client.get(f"/forums/posts/{answer.id}/fragment").get_data(True)
        assert ("Accept this answer" in html) is expected
