"""Thread-list rows are rendered once for everyone and still show every change."""

from datetime import timedelta

from portal import clock
from portal.auth import service as auth_service
from portal.extensions import db
from portal.forums import service
from portal.forums.views import ROW_CACHE
from tests.forums.factories import make_reply, make_thread


def _row(client, url: str, thread) -> str:
    html = client.get(url).get_data(as_text=True)
    start = html.index(f'href="{thread.url}"')
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def test_rows_are_shared_and_follow_every_change(
    monkeypatch, app, login, make, questions, asker, answerer, moderator
):
    thread = make_thread(questions, asker, "Invoice dispute at ACME", tags="billing")
    # "5 minutes ago" for every request of this test: a row's age is in its key.
    later = clock.now() + timedelta(minutes=5)
    monkeypatch.setattr("portal.clock.now", lambda: later)
    url = f"/forums/{questions.slug}"
    reader = login(make.user())
    assert "Unanswered" in _row(reader, url, thread)
    rendered = app.extensions[ROW_CACHE].misses
    _row(login(make.user()), url, thread)  # another reader: the same row
    assert app.extensions[ROW_CACHE].misses == rendered

    answer = make_reply(thread, answerer, "Credit note.")
    row = _row(reader, url, thread)
    assert "Answered" in row and "Ben Answerer" in row
    assert 'forums-num">1<' in row

    service.accept_answer(thread, answer, asker)
    db.session.commit()
    assert "Accepted" in _row(reader, url, thread)

    first = service.thread_posts(thread).items[0]
    service.edit_post(
        first, asker, "Still open?", title="Invoice dispute settled", tags="legal"
    )
    db.session.commit()
    row = _row(reader, url, thread)
    assert "Invoice dispute settled" in row
    assert "legal" in row and "billing" not in row

    service.set_locked(thread, moderator, True)
    db.session.commit()
    assert "Locked" in _row(reader, url, thread)

    auth_service.update_user(asker, display_name="Asa Renamed")
    db.session.commit()
    assert "Asa Renamed" in _row(reader, url, thread)


def test_rows_link_to_the_list_they_are_in(login, make, questions, discussion, asker):
    thread = make_thread(questions, asker, "Where is the contract?", tags="contracts")
    reader = login(make.user())
    in_forum = _row(reader, f"/forums/{questions.slug}", thread)
    assert f"/forums/{questions.slug}?tag=contracts" in in_forum
    everywhere = _row(reader, "/forums/threads", thread)
    assert "/forums/threads?tag=contracts" in everywhere
    assert f'href="/forums/{questions.slug}"' in everywhere  # the forum column


def test_rows_are_in_the_readers_language(login, make, questions, asker):
    thread = make_thread(questions, asker, "发票问题")
    url = f"/forums/{questions.slug}"
    english, chinese = login(make.user()), login(make.user(locale="zh"))
    for _round in range(2):
        assert "Unanswered" in _row(english, url, thread)
        assert "Unanswered" not in _row(chinese, url, thread)
