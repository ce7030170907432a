"""Who is told about what, in the forums and the wiki."""

import sqlalchemy as sa

from portal.accounts import service as accounts_service
from portal.extensions import db
from portal.forums import service as forums_service
from portal.forums.models import Post
from portal.notifications import service
from tests.forums.factories import make_reply, make_thread


def test_authors_watch_their_threads_and_hear_replies(forum, alice, bob, inbox):
    thread = make_thread(forum, alice, "Renewal at ACME")
    assert service.is_watching(alice, "thread", thread.id)
    post = make_reply(thread, bob, "I met their CFO.")
    assert inbox(alice) == [("reply", "Renewal at ACME", post.url)]
    assert inbox(bob) == []  # never told about your own post
    # Replying makes you a watcher too.
    assert service.is_watching(bob, "thread", thread.id)
    later = make_reply(thread, alice, "Thanks!")
    assert inbox(bob) == [("reply", "Renewal at ACME", later.url)]


def test_forum_tag_and_account_watchers_hear_of_new_threads(
    forum, alice, bob, carol, make, inbox
):
    acme = accounts_service.create_account("ACME Manufacturing", "CRM-10004")
    db.session.commit()
    dave = make.user("dave")
    service.watch(bob, "forum", forum.id)
    tag = forums_service.tags_from_text("billing")[0]
    service.watch(carol, "tag", tag.id)
    service.watch(dave, "account", acme.id)
    service.watch(alice, "forum", forum.id)  # the author's own watch says nothing
    db.session.commit()
    thread = make_thread(
        forum, alice, "Invoice dispute", tags="billing", accounts=[acme]
    )
    for user in (bob, carol, dave):
        assert inbox(user) == [("new_thread", "Invoice dispute", thread.url)]
    assert inbox(alice) == []


def test_a_watcher_of_several_things_is_told_once(forum, alice, bob, inbox):
    tag = forums_service.tags_from_text("billing")[0]
    service.watch(bob, "forum", forum.id)
    service.watch(bob, "tag", tag.id)
    db.session.commit()
    make_thread(forum, alice, "Invoice dispute", tags="billing")
    assert len(inbox(bob)) == 1


def test_mentions_notify_once_and_beat_replies(forum, alice, bob, carol, inbox):
    thread = make_thread(forum, alice, "Who knows ACME?", "Ask @bob and @nobody.")
    first = _first(thread)
    assert inbox(bob) == [("mention", "Who knows ACME?", first.url)]
    post = make_reply(thread, carol, "@alice @carol see above")
    # Alice watches the thread and is mentioned: one notification, a mention.
    assert inbox(alice) == [("mention", "Who knows ACME?", post.url)]
    assert inbox(carol) == []  # mentioning yourself tells nobody


def _first(thread) -> Post:
    return db.session.scalar(
        sa.select(Post).where(Post.thread_id == thread.id, Post.is_first.is_(True))
    )


def test_an_edit_notifies_only_new_mentions(forum, alice, bob, carol, inbox):
    thread = make_thread(forum, alice, "Topic", "cc @bob")
    post = _first(thread)
    forums_service.edit_post(post, alice, "cc @bob and @carol")
    db.session.commit()
    assert inbox(bob) == [("mention", "Topic", post.url)]
    assert inbox(carol) == [("mention", "Topic", post.url)]


def test_restricted_forum_mentions_and_watchers_stay_inside(
    hr_forum, hr_dept, make, inbox
):
    insider = make.user("ines", department=hr_dept)
    outsider = make.user("otto")
    colleague = make.user("hana", department=hr_dept)
    # An outsider's old watch on the forum (before it was restricted) tells nothing.
    service.watch(outsider, "forum", hr_forum.id)
    service.watch(colleague, "forum", hr_forum.id)
    db.session.commit()
    make_thread(hr_forum, insider, "Salary review", "@otto @hana please read")
    assert inbox(outsider) == []
    assert [kind for kind, _, _ in inbox(colleague)] == ["mention"]


def test_accepted_answers_tell_the_answerer_and_the_asker(qa, alice, bob, make, inbox):
    moderator = make.user("mona", role="moderator")
    question = make_thread(qa, alice, "How to split an invoice?")
    answer = make_reply(question, bob, "Use a credit note.")
    before = len(inbox(alice))
    forums_service.accept_answer(question, answer, alice)
    db.session.commit()
    assert inbox(bob)[-1] == ("answer_accepted", "How to split an invoice?", answer.url)
    assert len(inbox(alice)) == before  # she did it herself
    forums_service.unaccept_answer(question, alice)
    forums_service.accept_answer(question, answer, moderator)
    db.session.commit()
    assert inbox(alice)[-1][0] == "answer_accepted_asker"


def test_departed_people_are_not_notified(forum, alice, bob, inbox):
    from portal.auth import service as auth_service

    thread = make_thread(forum, alice, "Topic", "@bob")
    auth_service.deactivate(alice, departed=True)
    db.session.commit()
    make_reply(thread, bob, "reply")
    assert [kind for kind, _, _ in inbox(alice)] == []


# --- the wiki's signals -----------------------------------------------------------


def test_page_watchers_hear_of_revisions_and_mentions_are_told(
    alice, bob, carol, inbox
):
    from portal.wiki import service as wiki

    page = wiki.create_page("ACME profile", "Written with @bob", alice)
    db.session.commit()
    # Created and first revised in one go: Bob is told once.
    assert inbox(bob) == [("mention", "ACME profile", page.url)]
    assert service.is_watching(alice, "page", page.id)
    service.watch(carol, "page", page.id)
    db.session.commit()
    wiki.edit_page(
        page,
        "Written with @bob, checked by @carol",
        bob,
        base_revision=page.current_revision.number,
    )
    db.session.commit()
    assert inbox(alice) == [("page_revised", "ACME profile", page.url)]
    assert inbox(carol) == [("mention", "ACME profile", page.url)]
    assert len(inbox(bob)) == 1  # not told of his own revision


def test_new_pages_reach_tag_watchers(alice, bob, inbox):
    from portal.wiki import service as wiki

    tag = forums_service.tags_from_text("renewal")[0]
    service.watch(bob, "tag", tag.id)
    db.session.commit()
    page = wiki.create_page("Renewal playbook", "Steps.", alice, tags="renewal")
    db.session.commit()
    assert inbox(bob) == [("new_page", "Renewal playbook", page.url)]
