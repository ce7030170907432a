"""Writing a forum thread up as a wiki page (externalization)."""

import pytest
from flask import render_template_string

from portal import versions
from portal.accounts.service import create_account
from portal.errors import Forbidden
from portal.extensions import db
from portal.forums import service as forums
from portal.forums.models import Thread
from portal.wiki import service, writeup
from portal.wiki.models import ThreadWriteUp
from tests.forums.factories import make_forum, make_reply, make_thread


@pytest.fixture
def people(make):
    return {
        name: make.user(name, display_name=display)
        for name, display in [
            ("asker", "Asker Ann"),
            ("helper", "李明 Li Ming"),
            ("voter", "Voter Vic"),
            ("other", "Other Oz"),
            ("quiet", "Quiet Q"),
        ]
    }


@pytest.fixture
def question(people):
    account = create_account("华信银行", "CRM-1")
    db.session.commit()
    forum = make_forum("Questions", kind="questions")
    thread = make_thread(
        forum,
        people["asker"],
        "How do we reset a customer's portal password?",
        "The customer is locked out. **What do we do?**",
        tags="portal, 密码",
        accounts=[account],
    )
    accepted = make_reply(thread, people["helper"], "Use the admin console, then call.")
    voted = make_reply(thread, people["other"], "Check the account is not suspended.")
    make_reply(thread, people["quiet"], "Me too.")
    gone = make_reply(thread, people["quiet"], "Wrong answer, deleted.")
    forums.vote(voted, people["voter"], 1)
    forums.accept_answer(thread, accepted, people["asker"])
    forums.delete_post(gone, people["quiet"])
    db.session.commit()
    return thread


def test_write_up_makes_an_attributed_draft(question, people, sent):
    page = writeup.write_up(question, people["voter"])
    db.session.commit()
    assert page.state == "draft"
    assert page.title == question.title
    body = page.current_revision.body
    assert "## 问题 Question" in body and "**What do we do?**" in body
    assert "## 采纳的回答 Accepted answer\n\nUse the admin console" in body
    assert "## 其他回答 Other answers" in body
    assert "Check the account is not suspended." in body
    assert "Me too." not in body  # neither accepted nor voted up
    assert "Wrong answer" not in body  # deleted
    first = next(p for p in _posts(question) if p.is_first)
    day = f"{first.created_at:%Y-%m-%d}"
    assert f"— Asker Ann, {day}, [original](/forums/posts/{first.id})" in body
    assert f"[{question.title}]({question.url})" in body
    assert [t.name for t in page.tags] == ["portal", "密码"]
    assert [a.name for a in page.accounts] == ["华信银行"]
    assert db.session.query(ThreadWriteUp).one().thread_id == question.id
    ((sender, kw),) = sent["written_up"]
    assert (
        sender is page and kw["thread"] is question and kw["actor"] is people["voter"]
    )
    assert [p.author.username for p in kw["posts"]] == ["asker", "helper", "other"]
    assert [u.username for u in kw["authors"]] == ["asker", "helper", "other"]


def _posts(thread):
    from portal.forums.models import Post

    return db.session.query(Post).filter_by(thread_id=thread.id).all()


def test_a_discussion_without_votes_brings_its_first_replies(people):
    forum = make_forum("Talk")
    thread = make_thread(forum, people["asker"], "Talk", "Opening.")
    for n in range(5):
        make_reply(thread, people["helper"], f"Reply {n}.")
    body = writeup.write_up(thread, people["asker"]).current_revision.body
    assert "## 回答 Answers" in body
    assert "Reply 2." in body and "Reply 3." not in body


def test_the_thread_shows_where_it_was_written_up(app, question, people, login):
    template = '{% include "wiki/_thread_write_up.html" %}'
    client = login(people["voter"])
    with app.test_request_context():
        from flask_login import login_user

        login_user(people["voter"])
        html = render_template_string(template, thread=question)
        assert "Write this up as a page" in html
        assert f'action="/wiki/write-up/{question.id}"' in html
    response = client.post(f"/wiki/write-up/{question.id}")
    assert response.status_code == 302
    page = writeup.written_up_as(question.id)
    assert response.headers["Location"].endswith(f"{page.url}/edit")
    with app.test_request_context():
        from flask_login import login_user

        login_user(people["voter"])
        html = render_template_string(
            template, thread=db.session.get(Thread, question.id)
        )
        assert f'Written up as <a href="{page.url}">' in html
        assert "Write this up as a page" not in html
    html = client.get(page.url).get_data(as_text=True)
    assert "Written up from the thread" in html and question.url in html


def test_writing_up_twice_leads_to_the_existing_page(question, people, login):
    client = login(people["voter"])
    client.post(f"/wiki/write-up/{question.id}")
    page = writeup.written_up_as(question.id)
    response = client.post(f"/wiki/write-up/{question.id}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(page.url)
    assert db.session.query(ThreadWriteUp).count() == 1


def test_a_title_already_taken_gets_a_variant(question, people, write):
    write(question.title, "Someone else's page.")
    page = writeup.write_up(question, people["voter"])
    assert page.title == f"{question.title} — write-up"


def test_a_thread_the_viewer_cannot_read_is_a_404(make, login, people):
    sales = make.department("Sales")
    insider = make.user("insider", department=sales)
    forum = make_forum("Sales only", department=sales)
    thread = make_thread(forum, insider, "Secret pricing", "Only for sales.")
    response = login(people["other"]).post(f"/wiki/write-up/{thread.id}")
    assert response.status_code == 404
    assert login(people["other"]).post("/wiki/write-up/999999").status_code == 404
    # Readers of a restricted forum may not move it into the wiki everyone reads.
    assert login(insider).post(f"/wiki/write-up/{thread.id}").status_code == 403
    with pytest.raises(Forbidden):
        writeup.write_up(thread, insider)
    assert writeup.written_up_as(thread.id) is None


def test_deleted_page_frees_the_thread_for_a_new_write_up(question, people, make):
    page = writeup.write_up(question, people["voter"])
    service.delete_page(page, make.user("boss", role="moderator"))
    db.session.commit()
    assert writeup.written_up_as(question.id) is None
    again = writeup.write_up(question, people["voter"])
    assert again.id != page.id


def test_only_what_a_thread_shows_of_its_page_renews_the_thread(question, people):
    page = writeup.write_up(question, people["voter"])
    db.session.commit()

    def renews(change) -> bool:
        before = versions.read([versions.thread(question.id)])
        change()
        db.session.commit()
        return versions.read([versions.thread(question.id)]) != before

    # A new revision changes nothing the thread's page shows of the page, so
    # the thread's kept page stays kept.
    assert not renews(
        lambda: service.edit_page(
            page,
            "Reset it from the admin console.",
            people["voter"],
            base_revision=page.current_revision.number,
        )
    )
    assert renews(
        lambda: service.rename_page(page, "Resetting a password", page.created_by)
    )
