"""The forums' rules, called the way views, the API and the CLI call them."""

import threading

import pytest
import sqlalchemy as sa

from portal.accounts import service as accounts_service
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.extensions import db
from portal.forums import permissions, service
from portal.forums.models import (
    Forum,
    ModerationAction,
    Post,
    PostRevision,
    Thread,
    Vote,
)
from tests.conftest import on_postgres
from tests.forums.factories import make_forum, make_reply, make_thread


@pytest.fixture
def acme(app):
    account = accounts_service.create_account("ACME Manufacturing", "CRM-10004")
    db.session.commit()
    return account


# --- threads and posts ----------------------------------------------------------


def test_create_thread_links_tags_accounts_and_counts(discussion, employee, acme, sent):
    thread = service.create_thread(
        discussion,
        employee,
        "  客户 发票问题：How to   handle? ",
        "The customer disputes **two** invoices.",
        tags="billing, 发票",
        accounts="CRM-10004",
    )
    db.session.commit()
    assert thread.title == "客户 发票问题：How to handle?"
    assert thread.slug == "客户-发票问题-how-to-handle"
    assert thread.url == f"/forums/t/{thread.id}/" + (
        "%E5%AE%A2%E6%88%B7-%E5%8F%91%E7%A5%A8%E9%97%AE%E9%A2%98-how-to-handle"
    )
    assert [t.name for t in thread.tags] == ["billing", "发票"]
    assert thread.accounts == [acme]
    first = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id))
    assert first.is_first and "<strong>two</strong>" in first.body_html
    assert (thread.reply_count, thread.post_count) == (0, 1)
    forum = db.session.get(Forum, discussion.id)
    assert (forum.thread_count, forum.post_count) == (1, 1)
    assert forum.last_thread_id == thread.id
    ((sender, kwargs),) = sent["thread_created"]
    assert sender is thread and kwargs == {"author": employee, "post": first}
    ((sender, kwargs),) = sent["post_created"]
    assert sender is first and kwargs == {"author": employee, "thread": thread}


@pytest.mark.parametrize(
    ("title", "body", "field", "message"),
    [
        ("", "body", "title", "Title is required"),
        ("   ", "body", "title", "Title is required"),
        ("x" * 201, "body", "title", "at most 200"),
        ("A title", "", "body", "Write something"),
        ("A title", " \n\n ", "body", "Write something"),
        ("A title", "x" * 50_001, "body", "at most 50000"),
    ],
)
def test_bad_thread_input_is_refused(discussion, employee, title, body, field, message):
    with pytest.raises(Invalid) as e:
        service.create_thread(discussion, employee, title, body)
    assert e.value.details["field"] == field
    assert message in e.value.message


def test_a_body_of_exactly_50000_characters_is_accepted(discussion, employee):
    thread = make_thread(discussion, employee, "Long", "x" * 50_000)
    assert thread.post_count == 1


def test_unknown_account_is_refused_by_name(discussion, employee):
    with pytest.raises(Invalid) as e:
        service.create_thread(discussion, employee, "T", "B", accounts="CRM-404")
    assert e.value.details["field"] == "accounts"
    assert "CRM-404" in e.value.message


def test_accounts_by_name_or_reference_without_duplicates(discussion, employee, acme):
    thread = make_thread(discussion, employee, accounts="ACME Manufacturing，CRM-10004")
    assert thread.accounts == [acme]


def test_title_without_letters_still_gets_a_slug(discussion, employee):
    assert make_thread(discussion, employee, "？？？").slug == "thread"


def test_reply_updates_counters_and_last_activity(discussion, employee, make, sent):
    thread = make_thread(discussion, employee)
    other = make.user("kai")
    post = make_reply(thread, other, "me too")
    thread = db.session.get(Thread, thread.id)
    assert (thread.reply_count, thread.post_count) == (1, 2)
    assert thread.last_poster_id == other.id
    assert thread.last_activity_at == post.created_at
    assert db.session.get(Forum, discussion.id).post_count == 2
    assert sent["post_created"][-1] == (post, {"author": other, "thread": thread})


def test_reply_to_a_locked_thread_is_refused(discussion, employee, moderator):
    thread = make_thread(discussion, employee)
    service.set_locked(thread, moderator, True)
    db.session.commit()
    with pytest.raises(Conflict) as e:
        service.reply(thread, employee, "one more thing")
    assert "locked" in e.value.message
    # Nobody replies, not even a moderator: unlock first.
    with pytest.raises(Conflict):
        service.reply(thread, moderator, "one more thing")


def test_an_edit_keeps_the_previous_version(discussion, employee, sent):
    thread = make_thread(discussion, employee, body="first version")
    post = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id))
    created = post.created_at
    service.edit_post(post, employee, "second version")
    db.session.commit()
    service.edit_post(post, employee, "third version")
    db.session.commit()
    revisions = service.revisions(post)
    assert [(r.number, r.body) for r in revisions] == [
        (2, "second version"),
        (1, "first version"),
    ]
    assert revisions[1].created_at == created
    assert revisions[1].editor_id == employee.id
    assert post.body == "third version" and "third version" in post.body_html
    assert post.edited_at is not None
    assert [kw["previous_body"] for _, kw in sent["post_edited"]] == [
        "first version",
        "second version",
    ]


def test_an_unchanged_edit_keeps_no_version(discussion, employee, sent):
    thread = make_thread(discussion, employee, body="same")
    post = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id))
    service.edit_post(post, employee, "same\r\n")
    db.session.commit()
    assert service.revisions(post) == []
    assert post.edited_at is None
    assert sent["post_edited"] == []


def test_first_post_edit_changes_title_tags_and_accounts(
    discussion, employee, acme, sent
):
    thread = make_thread(discussion, employee, "Old title", tags="a")
    post = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id))
    service.edit_post(
        post,
        employee,
        post.body,
        title="续约谈判 notes",
        tags="b, c",
        accounts="CRM-10004",
    )
    db.session.commit()
    assert thread.title == "续约谈判 notes" and thread.slug == "续约谈判-notes"
    assert [t.name for t in thread.tags] == ["b", "c"]
    assert thread.accounts == [acme]
    assert service.revisions(post)[0].title == "Old title"
    assert [s for s, _ in sent["thread_updated"]] == [thread]


def test_only_author_and_moderators_edit(discussion, employee, make, moderator):
    thread = make_thread(discussion, employee)
    post = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id))
    with pytest.raises(Forbidden):
        service.edit_post(post, make.user("nosy"), "mine now")
    service.edit_post(post, moderator, "tidied up by a moderator")
    db.session.commit()
    log = db.session.scalars(sa.select(ModerationAction)).all()
    assert [(a.action, a.actor_id, a.post_id) for a in log] == [
        ("edit_post", moderator.id, post.id)
    ]


def test_author_cannot_edit_in_a_locked_thread(discussion, employee, moderator):
    thread = make_thread(discussion, employee)
    post = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id))
    service.set_locked(thread, moderator, True)
    db.session.commit()
    with pytest.raises(Forbidden) as e:
        service.edit_post(post, employee, "sneaky")
    assert "locked" in e.value.message


# --- deleting and restoring -----------------------------------------------------


def test_delete_leaves_a_placeholder_and_moderators_restore(
    discussion, employee, make, moderator, sent
):
    thread = make_thread(discussion, employee)
    author = make.user("kai")
    post = make_reply(thread, author)
    service.delete_post(post, author)
    db.session.commit()
    assert post.deleted_at is not None and post.deleted_by_id == author.id
    assert (thread.reply_count, thread.post_count) == (0, 2)
    assert db.session.get(Forum, discussion.id).post_count == 1
    assert sent["post_deleted"] == [(post, {"actor": author})]
    # Deleted by its author: nothing for the moderation log.
    assert db.session.scalar(sa.select(sa.func.count(ModerationAction.id))) == 0
    with pytest.raises(Forbidden):
        service.restore_post(post, author)
    service.restore_post(post, moderator)
    db.session.commit()
    assert post.deleted_at is None and thread.reply_count == 1
    assert db.session.get(Forum, discussion.id).post_count == 2
    assert sent["post_restored"] == [(post, {"actor": moderator})]
    actions = db.session.scalars(sa.select(ModerationAction.action)).all()
    assert actions == ["restore_post"]


def test_others_cannot_delete_and_deleting_twice_is_a_conflict(
    discussion, employee, make, moderator
):
    thread = make_thread(discussion, employee)
    post = make_reply(thread, make.user("kai"))
    with pytest.raises(Forbidden):
        service.delete_post(post, employee)
    service.delete_post(post, moderator)
    db.session.commit()
    with pytest.raises(Conflict):
        service.delete_post(post, moderator)
    assert db.session.scalars(sa.select(ModerationAction.action)).all() == [
        "delete_post"
    ]


def test_deleting_the_first_post_deletes_the_thread(discussion, employee, moderator):
    thread = make_thread(discussion, employee)
    first = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id))
    service.delete_post(first, employee)
    db.session.commit()
    assert thread.deleted_at is not None
    forum = db.session.get(Forum, discussion.id)
    assert (forum.thread_count, forum.post_count) == (0, 0)
    with pytest.raises(NotFound):
        service.get_thread(thread.id, employee)
    assert service.get_thread(thread.id, moderator) is thread
    service.restore_post(first, moderator)
    db.session.commit()
    assert thread.deleted_at is None
    assert (forum.thread_count, forum.post_count) == (1, 1)


def test_author_cannot_delete_a_first_post_that_has_replies(discussion, employee, make):
    thread = make_thread(discussion, employee)
    make_reply(thread, make.user("kai"))
    first = db.session.scalar(
        sa.select(Post).where(Post.thread_id == thread.id, Post.is_first.is_(True))
    )
    with pytest.raises(Forbidden) as e:
        service.delete_post(first, employee)
    assert "moderator" in e.value.message


# --- votes ----------------------------------------------------------------------


def _first(thread) -> Post:
    return db.session.scalar(
        sa.select(Post).where(Post.thread_id == thread.id, Post.is_first.is_(True))
    )


def test_vote_change_and_withdraw(discussion, employee, make, sent):
    post = _first(make_thread(discussion, employee))
    voter = make.user("vic")
    service.vote(post, voter, 1)
    db.session.commit()
    assert post.score == 1
    service.vote(post, voter, -1)
    db.session.commit()
    assert post.score == -1
    service.vote(post, voter, 0)
    db.session.commit()
    assert post.score == 0
    assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 0
    assert [(kw["value"], kw["previous"]) for _, kw in sent["vote_cast"]] == [
        (1, 0),
        (-1, 1),
    ]
    assert [kw["previous"] for _, kw in sent["vote_withdrawn"]] == [-1]
    assert all(kw["voter"] is voter for _, kw in sent["vote_cast"])


def test_a_second_identical_vote_is_not_counted_twice(discussion, employee, make, sent):
    post = _first(make_thread(discussion, employee))
    voter = make.user("vic")
    service.vote(post, voter, 1)
    db.session.commit()
    service.vote(post, voter, 1)
    db.session.commit()
    assert post.score == 1
    assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 1
    assert len(sent["vote_cast"]) == 1


def test_votes_from_different_people_add_up(discussion, employee, make):
    post = _first(make_thread(discussion, employee))
    for name, value in [("a1", 1), ("a2", 1), ("a3", -1)]:
        service.vote(post, make.user(name), value)
    db.session.commit()
    assert post.score == 1


def test_no_vote_on_your_own_post(discussion, employee):
    post = _first(make_thread(discussion, employee))
    with pytest.raises(Forbidden) as e:
        service.vote(post, employee, 1)
    assert "own post" in e.value.message
    assert post.score == 0


def test_no_vote_on_a_deleted_post_and_only_up_or_down(discussion, employee, make):
    thread = make_thread(discussion, employee)
    reply = make_reply(thread, make.user("kai"))
    with pytest.raises(Invalid):
        service.vote(reply, employee, 2)
    service.delete_post(reply, reply.author)
    db.session.commit()
    with pytest.raises(Conflict):
        service.vote(reply, employee, 1)


@pytest.mark.skipif(
    not on_postgres(), reason="SQLite serializes writers and hides the race"
)
def test_concurrent_identical_votes_count_once(app, discussion, employee, make):
    post = _first(make_thread(discussion, employee))
    voter = make.user("vic")
    post_id, voter_id = post.id, voter.id
    db.session.remove()
    barrier = threading.Barrier(4)
    real_existing = service._existing_vote
    errors = []
    local = threading.local()

    def slow_existing(p, v):
        found = real_existing(p, v)
        if not getattr(local, "waited", False):
            # Everyone has looked and seen no vote before anyone inserts.
            local.waited = True
            barrier.wait(timeout=10)
        return found

    def click():
        try:
            with app.app_context():
                from portal.auth.models import User

                service.vote(
                    db.session.get(Post, post_id), db.session.get(User, voter_id), 1
                )
                db.session.commit()
                db.session.remove()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    service._existing_vote = slow_existing
    try:
        workers = [threading.Thread(target=click) for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=30)
    finally:
        service._existing_vote = real_existing
    assert errors == []
    assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 1
    assert db.session.get(Post, post_id).score == 1


# --- questions and accepted answers ---------------------------------------------


def test_accept_change_and_withdraw_an_answer(question, asker, make, sent):
    first = make_reply(question, make.user("a1"), "answer one")
    second = make_reply(question, make.user("a2"), "answer two")
    assert question.state == "answered"
    service.accept_answer(question, first, asker)
    db.session.commit()
    assert question.accepted_post_id == first.id and question.state == "accepted"
    ((sender, kw),) = sent["answer_accepted"]
    assert sender is first
    assert kw == {"thread": question, "actor": asker, "asker": asker, "previous": None}

    service.accept_answer(question, second, asker)
    db.session.commit()
    assert question.accepted_post_id == second.id
    assert sent["answer_unaccepted"] == [(first, {"thread": question, "actor": asker})]
    assert sent["answer_accepted"][-1][1]["previous"] is first

    service.unaccept_answer(question, asker)
    db.session.commit()
    assert question.accepted_post_id is None and question.state == "answered"
    assert sent["answer_unaccepted"][-1][0] is second
    # The asker's own acceptance is not moderation.
    assert db.session.scalar(sa.select(sa.func.count(ModerationAction.id))) == 0


def test_states_of_a_question(question, make):
    assert question.state == "unanswered"
    assert question.is_question
    make_reply(question, make.user("a1"))
    assert db.session.get(Thread, question.id).state == "answered"


def test_accept_in_a_discussion_is_refused(discussion, employee, make):
    thread = make_thread(discussion, employee)
    reply = make_reply(thread, make.user("kai"))
    assert thread.state == "open"
    with pytest.raises(Conflict) as e:
        service.accept_answer(thread, reply, employee)
    assert "discussion" in e.value.message
    assert thread.accepted_post_id is None


def test_only_the_asker_or_a_moderator_accepts(question, make, moderator, asker):
    answer = make_reply(question, make.user("a1"))
    with pytest.raises(Forbidden):
        service.accept_answer(question, answer, make.user("nosy"))
    service.accept_answer(question, answer, moderator)
    db.session.commit()
    assert question.accepted_post_id == answer.id
    log = db.session.scalars(sa.select(ModerationAction)).all()
    assert [(a.action, a.actor_id) for a in log] == [("accept", moderator.id)]


def test_the_question_or_another_threads_post_is_not_an_answer(
    question, questions, asker, make
):
    with pytest.raises(Invalid):
        service.accept_answer(question, _first(question), asker)
    elsewhere = make_thread(questions, asker, "Another question")
    foreign = make_reply(elsewhere, make.user("a1"))
    with pytest.raises(Invalid):
        service.accept_answer(question, foreign, asker)


def test_deleting_the_accepted_answer_unaccepts_it(question, asker, make, sent):
    answer = make_reply(question, make.user("a1"))
    service.accept_answer(question, answer, asker)
    db.session.commit()
    service.delete_post(answer, answer.author)
    db.session.commit()
    assert question.accepted_post_id is None
    assert sent["answer_unaccepted"][-1][0] is answer


def test_answers_are_ordered_accepted_then_score_then_date(question, asker, make):
    voters = [make.user(f"v{i}") for i in range(3)]
    old = make_reply(question, make.user("a1"), "oldest")
    best = make_reply(question, make.user("a2"), "best")
    newer = make_reply(question, make.user("a3"), "newest")
    accepted = make_reply(question, make.user("a4"), "accepted")
    for voter in voters:
        service.vote(best, voter, 1)
    service.vote(newer, voters[0], 1)
    service.accept_answer(question, accepted, asker)
    db.session.commit()
    posts = service.thread_posts(question).items
    assert [p.body for p in posts] == [
        _first(question).body,
        "accepted",
        "best",
        "newest",
        "oldest",
    ]
    assert service.page_of_post(old) == 1


def test_a_discussion_reads_in_order_and_permalinks_find_the_page(
    discussion, employee, make
):
    thread = make_thread(discussion, employee)
    other = make.user("kai")
    posts = [make_reply(thread, other, f"reply {n}") for n in range(44)]
    page3 = service.thread_posts(thread, 3)
    assert page3.total == 45 and page3.pages == 3
    assert [p.body for p in page3.items] == [f"reply {n}" for n in range(39, 44)]
    assert service.page_of_post(posts[0]) == 1
    assert service.page_of_post(posts[18]) == 1  # the 20th post
    assert service.page_of_post(posts[19]) == 2
    assert service.page_of_post(posts[-1]) == 3


def test_quote_attributes_and_quotes_every_line(discussion, employee):
    post = _first(make_thread(discussion, employee, body="line one\n\nline two"))
    text = service.quote(post)
    assert text.startswith(f"[Emma Employee wrote:](/forums/posts/{post.id})\n")
    assert "> line one\n>\n> line two\n\n" in text


# --- moderation -----------------------------------------------------------------


def test_pin_lock_and_move_are_for_moderators_and_logged(
    discussion, questions, employee, moderator, make, sent
):
    thread = make_thread(discussion, employee)
    make_reply(thread, make.user("kai"))
    for action in (
        lambda: service.set_pinned(thread, employee, True),
        lambda: service.set_locked(thread, employee, True),
        lambda: service.move_thread(thread, employee, questions),
    ):
        with pytest.raises(Forbidden):
            action()
    service.set_pinned(thread, moderator, True)
    service.set_locked(thread, moderator, True)
    service.move_thread(thread, moderator, questions)
    db.session.commit()
    assert thread.pinned and thread.locked and thread.forum_id == questions.id
    old, new = db.session.get(Forum, discussion.id), db.session.get(Forum, questions.id)
    assert (old.thread_count, old.post_count) == (0, 0)
    assert (new.thread_count, new.post_count) == (1, 2)
    log = db.session.scalars(
        sa.select(ModerationAction).order_by(ModerationAction.id)
    ).all()
    assert [(a.action, a.actor_id, a.thread_id) for a in log] == [
        ("pin", moderator.id, thread.id),
        ("lock", moderator.id, thread.id),
        ("move", moderator.id, thread.id),
    ]
    assert "Key Account Stories" in log[2].detail
    assert sent["thread_moved"] == [(thread, {"actor": moderator, "old_forum": old})]
    with pytest.raises(Invalid):
        service.move_thread(thread, moderator, questions)


# --- restricted forums ----------------------------------------------------------


def test_a_restricted_forum_is_invisible_to_outsiders(
    secret_thread, hr_forum, insider, outsider, moderator, admin
):
    for user in (insider, moderator, admin):
        assert service.get_thread(secret_thread.id, user) is secret_thread
    with pytest.raises(NotFound):
        service.get_thread(secret_thread.id, outsider)
    with pytest.raises(NotFound):
        service.get_forum("hr-internal", outsider)
    assert hr_forum not in service.readable_forums(outsider)
    listed = db.session.scalars(service.list_threads(outsider)).all()
    assert secret_thread not in listed
    assert secret_thread in db.session.scalars(service.list_threads(insider)).all()


def test_readable_forums_clause_matches_can_read_forum(
    hr_forum, discussion, insider, outsider, moderator, employee
):
    forums = db.session.scalars(sa.select(Forum)).all()
    for user in (insider, outsider, moderator, employee):
        by_clause = set(
            db.session.scalars(
                sa.select(Forum.id).where(permissions.readable_forums_clause(user))
            )
        )
        by_predicate = {f.id for f in forums if permissions.can_read_forum(user, f)}
        assert by_clause == by_predicate
    assert not permissions.can_read_forum(None, discussion)


def test_outsiders_cannot_post_reply_or_vote_there(secret_thread, hr_forum, outsider):
    with pytest.raises(NotFound):
        service.create_thread(hr_forum, outsider, "Hi", "Let me in")
    with pytest.raises(NotFound):
        service.reply(secret_thread, outsider, "Let me in")
    with pytest.raises(NotFound):
        service.vote(_first(secret_thread), outsider, 1)


# --- lists ----------------------------------------------------------------------


def test_list_filters_by_tag_account_and_state(questions, asker, make, acme):
    billing = make_thread(questions, asker, "Billing", tags="billing", accounts=[acme])
    answered = make_thread(questions, asker, "Answered", tags="renewal")
    accepted = make_thread(questions, asker, "Accepted")
    make_reply(answered, make.user("a1"))
    answer = make_reply(accepted, make.user("a2"))
    service.accept_answer(accepted, answer, asker)
    db.session.commit()

    def titles(**filters):
        stmt = service.list_threads(asker, forum=questions, **filters)
        return [t.title for t in db.session.scalars(stmt)]

    tag = billing.tags[0]
    assert titles(tag=tag) == ["Billing"]
    assert titles(account=acme) == ["Billing"]
    assert titles(state="unanswered") == ["Billing"]
    assert titles(state="unaccepted") == ["Answered", "Billing"]
    assert titles() == ["Accepted", "Answered", "Billing"]


def test_pinned_threads_come_first_in_their_forum(discussion, employee, moderator):
    old = make_thread(discussion, employee, "Old but pinned")
    make_thread(discussion, employee, "New")
    service.set_pinned(old, moderator, True)
    db.session.commit()
    stmt = service.list_threads(employee, forum=discussion)
    assert [t.title for t in db.session.scalars(stmt)] == ["Old but pinned", "New"]


def test_recount_rebuilds_counters(discussion, employee, make):
    thread = make_thread(discussion, employee)
    reply = make_reply(thread, make.user("kai"))
    service.vote(reply, employee, 1)
    db.session.commit()
    db.session.execute(sa.update(Thread).values(reply_count=7, post_count=9))
    db.session.execute(sa.update(Post).values(score=5))
    db.session.execute(sa.update(Forum).values(thread_count=0, post_count=0))
    db.session.commit()
    service.recount()
    db.session.commit()
    db.session.expire_all()
    thread = db.session.get(Thread, thread.id)
    assert (thread.reply_count, thread.post_count) == (1, 2)
    assert db.session.get(Post, reply.id).score == 1
    assert db.session.get(Post, _first(thread).id).score == 0
    forum = db.session.get(Forum, discussion.id)
    assert (forum.thread_count, forum.post_count, forum.last_thread_id) == (
        1,
        2,
        thread.id,
    )


def test_forum_slugs_are_unique_and_not_reserved(app):
    make_forum("Sales", slug="sales")
    with pytest.raises(Conflict):
        service.create_forum("Sales again", slug="sales")
    for reserved in ("t", "posts", "moderation", "new", "threads"):
        with pytest.raises(Invalid):
            service.create_forum("X", slug=reserved)
    assert service.create_forum("销售与续约").slug == "销售与续约"


def test_revisions_table_keeps_html(discussion, employee):
    post = _first(make_thread(discussion, employee, body="*old*"))
    service.edit_post(post, employee, "new")
    db.session.commit()
    revision = db.session.scalar(sa.select(PostRevision))
    assert "<em>old</em>" in revision.body_html
