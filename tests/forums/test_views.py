"""The forum pages: what people see, what they can do, and what they are told."""

import re
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from portal.accounts import service as accounts_service
from portal.extensions import db
from portal.forums import service
from portal.forums.models import ModerationAction, Post, PostRevision, Thread, Vote
from tests.forums.factories import make_forum, make_reply, make_thread


def _first(thread) -> Post:
    return db.session.scalar(
        sa.select(Post).where(Post.thread_id == thread.id, Post.is_first.is_(True))
    )


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def acme(app):
    account = accounts_service.create_account("ACME Manufacturing", "CRM-10004")
    db.session.commit()
    return account


# --- forums and lists -----------------------------------------------------------


def test_forum_list_shows_counts_and_last_thread(login, employee, discussion, make):
    thread = make_thread(discussion, employee, "Renewal at ACME")
    make_reply(thread, make.user("kai", display_name="Kai Replier"))
    page = _text(login(employee).get("/forums"))
    assert "Key Account Stories" in page
    assert "Renewal at ACME" in page and "Kai Replier" in page
    row = page[page.index("Key Account Stories") :]
    assert re.search(r'forums-num">1<.*?forums-num">2<', row, re.S)


def test_restricted_forum_is_listed_only_for_its_department(
    login, hr_forum, insider, outsider, moderator
):
    assert "人力资源内部" in _text(login(insider).get("/forums"))
    assert "人力资源内部" in _text(login(moderator).get("/forums"))
    assert "人力资源内部" not in _text(login(outsider).get("/forums"))


def test_thread_list_paginates_thirty_a_page_pinned_first(
    login, discussion, employee, moderator
):
    threads = [make_thread(discussion, employee, f"Topic {n:02d}") for n in range(32)]
    service.set_pinned(threads[0], moderator, True)
    db.session.commit()
    client = login(employee)
    first = _text(client.get(f"/forums/{discussion.slug}"))
    titles = re.findall(r'class="forums-thread-title" href="[^"]+">([^<]+)<', first)
    assert len(titles) == 30
    assert titles[:3] == ["Topic 00", "Topic 31", "Topic 30"]
    assert "Page 1 of 2" in first and "32 threads" in first
    second = _text(client.get(f"/forums/{discussion.slug}?page=2"))
    assert re.findall(r'class="forums-thread-title" href="[^"]+">([^<]+)<', second) == [
        "Topic 02",
        "Topic 01",
    ]


def test_thread_list_filters(login, questions, asker, make, acme):
    make_thread(questions, asker, "About ACME billing", tags="billing", accounts=[acme])
    answered = make_thread(questions, asker, "Answered one")
    make_reply(answered, make.user("kai"))
    client = login(asker)
    by_tag = _text(client.get(f"/forums/{questions.slug}?tag=billing"))
    assert "About ACME billing" in by_tag and "Answered one" not in by_tag
    by_account = _text(client.get(f"/forums/{questions.slug}?account={acme.id}"))
    assert "About ACME billing" in by_account and "Answered one" not in by_account
    unanswered = _text(client.get(f"/forums/{questions.slug}?state=unanswered"))
    assert "About ACME billing" in unanswered and "Answered one" not in unanswered
    assert client.get(f"/forums/{questions.slug}?tag=nonexistent").status_code == 404
    everywhere = _text(client.get(f"/forums/threads?account={acme.id}"))
    assert "About ACME billing" in everywhere and "Answered one" not in everywhere


def test_outsiders_get_404_for_the_restricted_forum_and_its_threads(
    login, secret_thread, outsider, insider
):
    first = _first(secret_thread)
    client = login(outsider)
    urls = [
        "/forums/hr-internal",
        "/forums/hr-internal/new",
        secret_thread.url,
        f"/forums/t/{secret_thread.id}",
        f"/forums/posts/{first.id}",
        f"/forums/posts/{first.id}/history",
        f"/forums/posts/{first.id}/fragment",
        f"/forums/posts/{first.id}/edit",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Salary review" not in _text(response)
    posts = [
        (f"/forums/t/{secret_thread.id}/reply", {"body": "let me in"}),
        (f"/forums/posts/{first.id}/vote", {"value": "1"}),
        (f"/forums/t/{secret_thread.id}/accept", {"post_id": str(first.id)}),
        (f"/forums/posts/{first.id}/delete", {}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 404, url
    listed = _text(client.get("/forums/threads"))
    assert "Salary review" not in listed
    assert login(insider).get(secret_thread.url).status_code == 200


# --- starting a thread ----------------------------------------------------------


def test_new_thread_form_preselects_the_account(login, questions, employee, acme):
    page = _text(login(employee).get(f"/forums/new?account={acme.id}"))
    assert 'value="CRM-10004"' in page
    assert "ACME Manufacturing" in page
    assert 'data-similar-for="title"' in page
    # Reached without a forum, a question goes to a Q&A forum by default.
    assert re.search(rf'<option selected value="{questions.id}">', page)


def test_posting_a_thread_redirects_to_its_readable_address(
    login, discussion, employee, acme
):
    response = login(employee).post(
        f"/forums/{discussion.slug}/new",
        data={
            "forum": discussion.id,
            "title": "交付延期：ACME 的补偿方案",
            "body": "客户要求赔偿。",
            "tags": "交付, escalation",
            "accounts": "CRM-10004",
        },
    )
    assert response.status_code == 302
    thread = db.session.scalar(sa.select(Thread))
    assert unquote(response.headers["Location"]) == (
        f"/forums/t/{thread.id}/交付延期-acme-的补偿方案"
    )
    assert thread.accounts == [acme]


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("", "I typed this carefully", "Title is required"),
        ("A fine title", "", "Write something first"),
        ("A fine title", "y" * 50_001, "at most 50000 characters"),
    ],
)
def test_bad_thread_input_keeps_what_was_typed(
    login, discussion, employee, title, body, message
):
    response = login(employee).post(
        f"/forums/{discussion.slug}/new",
        data={"forum": discussion.id, "title": title, "body": body, "tags": "kept-tag"},
    )
    assert response.status_code == 400
    page = _text(response)
    assert message in page
    if title:
        assert f'value="{title}"' in page
    if body:
        assert body[:1000] in page
    assert 'value="kept-tag"' in page
    assert db.session.scalar(sa.select(sa.func.count(Thread.id))) == 0


def test_preview_renders_without_posting(login, discussion, employee):
    response = login(employee).post(
        f"/forums/{discussion.slug}/new",
        data={
            "forum": discussion.id,
            "title": "Draft",
            "body": "Some **bold** words",
            "preview": "1",
        },
    )
    assert response.status_code == 200
    page = _text(response)
    assert "<strong>bold</strong>" in page
    assert "Some **bold** words" in page  # still in the textarea
    assert db.session.scalar(sa.select(sa.func.count(Thread.id))) == 0


def test_preview_endpoint_returns_sanitized_html(login, employee):
    client = login(employee)
    response = client.post("/forums/preview", data={"body": "*hi* <script>x</script>"})
    assert response.status_code == 200
    assert "<em>hi</em>" in _text(response) and "<script>" not in _text(response)
    empty = client.post("/forums/preview", data={"body": ""})
    assert empty.status_code == 400 and "Write something" in _text(empty)


# --- a thread -------------------------------------------------------------------


def test_a_wrong_slug_redirects_to_the_canonical_address(login, discussion, employee):
    thread = make_thread(discussion, employee, "续约谈判 Renewal")
    client = login(employee)
    for url in (f"/forums/t/{thread.id}", f"/forums/t/{thread.id}/old-title?page=1"):
        response = client.get(url)
        assert response.status_code == 301
        assert unquote(response.headers["Location"]).startswith(
            f"/forums/t/{thread.id}/续约谈判-renewal"
        )
    assert client.get(thread.url).status_code == 200


def test_missing_thread_is_a_clear_404(login, employee):
    response = login(employee).get("/forums/t/999999")
    assert response.status_code == 404
    assert "There is no thread 999999" in _text(response)
    reply = login(employee).post("/forums/t/999999/reply", data={"body": "hello"})
    assert reply.status_code == 404


def test_reply_lands_on_its_post(login, discussion, employee, make):
    thread = make_thread(discussion, employee)
    response = login(make.user("kai")).post(
        f"/forums/t/{thread.id}/reply", data={"body": "My reply"}
    )
    post = db.session.scalar(sa.select(Post).where(Post.is_first.is_(False)))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"?page=1#post-{post.id}")


def test_reply_to_a_locked_thread_is_refused_with_the_text_kept(
    login, discussion, employee, moderator
):
    thread = make_thread(discussion, employee)
    service.set_locked(thread, moderator, True)
    db.session.commit()
    client = login(employee)
    page = _text(client.get(thread.url))
    assert "This thread is locked" in page
    response = client.post(
        f"/forums/t/{thread.id}/reply", data={"body": "But I have more to say"}
    )
    assert response.status_code == 409
    assert "locked" in _text(response)
    assert "But I have more to say" in _text(response)
    assert thread.reply_count == 0


def test_empty_or_huge_reply_is_refused_with_the_text_kept(login, discussion, employee):
    thread = make_thread(discussion, employee)
    client = login(employee)
    empty = client.post(f"/forums/t/{thread.id}/reply", data={"body": "  "})
    assert empty.status_code == 400 and "Write something first" in _text(empty)
    huge = client.post(f"/forums/t/{thread.id}/reply", data={"body": "z" * 50_001})
    assert huge.status_code == 400 and "at most 50000" in _text(huge)
    assert "z" * 50_001 in _text(huge)


def test_reply_preview_shows_above_the_form(login, discussion, employee):
    thread = make_thread(discussion, employee)
    response = login(employee).post(
        f"/forums/t/{thread.id}/reply", data={"body": "`code`", "preview": "1"}
    )
    assert response.status_code == 200
    assert "<code>code</code>" in _text(response)
    assert db.session.get(Thread, thread.id).reply_count == 0


def test_quote_reply_prefills_the_reply_box(login, discussion, employee, make):
    thread = make_thread(discussion, employee, body="We shipped late twice.")
    post = _first(thread)
    page = _text(login(make.user("kai")).get(f"{thread.url}?quote={post.id}"))
    assert "[Emma Employee wrote:](/forums/posts/" in page
    assert "&gt; We shipped late twice." in page


def test_permalink_redirects_to_the_right_page(login, discussion, employee, make):
    thread = make_thread(discussion, employee)
    other = make.user("kai")
    posts = [make_reply(thread, other, f"reply {n}") for n in range(25)]
    client = login(employee)
    response = client.get(f"/forums/posts/{posts[-1].id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"?page=2#post-{posts[-1].id}")
    page2 = _text(client.get(response.headers["Location"]))
    assert f'id="post-{posts[-1].id}"' in page2
    assert client.get(f"{thread.url}?page=9").status_code == 404


def test_question_page_shows_state_and_accepted_answer_first(
    login, question, asker, make
):
    old = make_reply(question, make.user("a1"), "An early answer")
    good = make_reply(question, make.user("a2"), "The right answer")
    client = login(asker)
    assert "Answered" in _text(client.get(question.url))
    response = client.post(
        f"/forums/t/{question.id}/accept", data={"post_id": str(good.id)}
    )
    assert response.status_code == 302
    page = _text(client.get(question.url))
    assert "Accepted answer" in page
    assert page.index(f'id="post-{good.id}"') < page.index(f'id="post-{old.id}"')
    response = client.post(f"/forums/t/{question.id}/unaccept")
    assert response.status_code == 302
    assert db.session.get(Thread, question.id).accepted_post_id is None


def test_accept_in_a_discussion_or_with_a_foreign_post_is_refused(
    login, discussion, question, employee, asker, make
):
    thread = make_thread(discussion, employee)
    reply = make_reply(thread, make.user("kai"))
    response = login(employee).post(
        f"/forums/t/{thread.id}/accept", data={"post_id": str(reply.id)}
    )
    assert response.status_code == 409
    assert "only answers to questions can be accepted" in _text(response)
    foreign = login(asker).post(
        f"/forums/t/{question.id}/accept", data={"post_id": str(reply.id)}
    )
    assert foreign.status_code == 400
    assert "not an answer in this thread" in _text(foreign)
    missing = login(asker).post(
        f"/forums/t/{question.id}/accept", data={"post_id": "999999"}
    )
    assert missing.status_code == 400


# --- votes ----------------------------------------------------------------------


def test_vote_by_form_and_by_fetch(login, discussion, employee, make):
    post = _first(make_thread(discussion, employee))
    client = login(make.user("vic"))
    response = client.post(f"/forums/posts/{post.id}/vote", data={"value": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#post-{post.id}")
    again = client.post(
        f"/forums/posts/{post.id}/vote",
        data={"value": "1"},
        headers={"Accept": "application/json"},
    )
    assert again.get_json() == {"post_id": post.id, "score": 1, "vote": 1}
    page = _text(client.get(post.thread.url))
    assert 'aria-pressed="true"' in page
    assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 1


def test_self_vote_is_refused_with_a_message(login, discussion, employee):
    post = _first(make_thread(discussion, employee))
    client = login(employee)
    response = client.post(f"/forums/posts/{post.id}/vote", data={"value": "1"})
    assert response.status_code == 403
    assert "You cannot vote on your own post" in _text(response)
    as_json = client.post(
        f"/forums/posts/{post.id}/vote",
        data={"value": "1"},
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 403
    assert as_json.get_json()["error"]["message"] == "You cannot vote on your own post."
    assert post.score == 0
    # No vote buttons on your own post.
    assert "data-vote-form" not in _text(client.get(post.thread.url))


def test_bad_vote_value_is_a_400(login, discussion, employee, make):
    post = _first(make_thread(discussion, employee))
    response = login(make.user("vic")).post(
        f"/forums/posts/{post.id}/vote", data={"value": "lots"}
    )
    assert response.status_code == 400
    assert "A vote is up or down" in _text(response)


# --- editing, history, deleting -------------------------------------------------


def test_edit_keeps_history_visible(login, discussion, employee, make):
    thread = make_thread(discussion, employee, "Title v1", body="Body v1")
    post = _first(thread)
    client = login(employee)
    form = _text(client.get(f"/forums/posts/{post.id}/edit"))
    assert "Body v1" in form and 'value="Title v1"' in form
    response = client.post(
        f"/forums/posts/{post.id}/edit",
        data={"title": "Title v2", "body": "Body v2", "tags": "", "accounts": ""},
    )
    assert response.status_code == 302
    history = _text(client.get(f"/forums/posts/{post.id}/history"))
    assert "Body v1" in history and "Body v2" in history
    assert "Version 2" in history and "Version 1" in history
    assert "<del>Body v1</del>" in history and "<ins>Body v2</ins>" in history
    assert "<del>Title v1</del>" in history
    assert db.session.scalar(sa.select(sa.func.count(PostRevision.id))) == 1
    assert (
        login(make.user("nosy")).get(f"/forums/posts/{post.id}/edit").status_code == 403
    )


def test_edit_with_an_empty_body_keeps_the_form(login, discussion, employee):
    post = _first(make_thread(discussion, employee, body="Original"))
    response = login(employee).post(
        f"/forums/posts/{post.id}/edit",
        data={"title": "Still here", "body": ""},
    )
    assert response.status_code == 400
    assert "Write something first" in _text(response)
    assert 'value="Still here"' in _text(response)
    assert db.session.get(Post, post.id).body == "Original"


def test_delete_and_restore_through_the_pages(
    login, discussion, employee, moderator, make
):
    thread = make_thread(discussion, employee)
    kai = make.user("kai")
    post = make_reply(thread, kai, "Regrettable words")
    client = login(kai)
    assert client.post(f"/forums/posts/{post.id}/delete").status_code == 302
    page = _text(login(employee).get(thread.url))
    assert "This post was deleted." in page and "Regrettable words" not in page
    assert client.post(f"/forums/posts/{post.id}/restore").status_code == 403
    mod = login(moderator)
    assert "Regrettable words" in _text(mod.get(thread.url))  # moderators see it
    assert mod.post(f"/forums/posts/{post.id}/restore").status_code == 302
    assert "Regrettable words" in _text(login(employee).get(thread.url))


def test_moderators_pin_lock_move_and_the_log_lists_it(
    login, discussion, questions, employee, moderator
):
    thread = make_thread(discussion, employee, "To be moderated")
    client = login(employee)
    assert (
        client.post(f"/forums/t/{thread.id}/pin", data={"value": "1"}).status_code
        == 403
    )
    assert client.get("/forums/moderation").status_code == 403
    mod = login(moderator)
    assert (
        mod.post(f"/forums/t/{thread.id}/pin", data={"value": "1"}).status_code == 302
    )
    assert (
        mod.post(f"/forums/t/{thread.id}/lock", data={"value": "1"}).status_code == 302
    )
    response = mod.post(f"/forums/t/{thread.id}/move", data={"forum": questions.id})
    assert response.status_code == 302
    assert db.session.get(Thread, thread.id).forum_id == questions.id
    log = _text(mod.get("/forums/moderation"))
    for label in ("Pinned", "Locked", "Moved", "Mona Moderator", "To be moderated"):
        assert label in log
    assert db.session.scalar(sa.select(sa.func.count(ModerationAction.id))) == 3
    bad = mod.post(f"/forums/t/{thread.id}/move", data={"forum": "999999"})
    assert bad.status_code == 404


def test_admins_create_forums_and_reserved_addresses_are_refused(
    login, admin, employee
):
    assert login(employee).get("/forums/manage/new").status_code == 403
    client = login(admin)
    refused = client.post(
        "/forums/manage/new",
        data={
            "name": "Moderation",
            "slug": "moderation",
            "kind": "discussion",
            "department_id": "0",
        },
    )
    assert refused.status_code == 400 and "reserved" in _text(refused)
    response = client.post(
        "/forums/manage/new",
        data={"name": "Product Feedback", "kind": "discussion", "department_id": "0"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/forums/product-feedback"


# --- a fixed number of queries --------------------------------------------------


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _count(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._count)


def _thread_with_posts(forum, asker, voters, accounts, n_posts):
    thread = make_thread(
        forum, asker, f"Thread with {n_posts}", tags="billing, 发票", accounts=accounts
    )
    answers = []
    for n in range(n_posts - 1):
        author = voters[n % len(voters)]
        answers.append(make_reply(thread, author, f"Answer {n} from @{asker.username}"))
    for n, post in enumerate(answers):
        voter = voters[(n + 1) % len(voters)]
        service.vote(post, voter, 1 if n % 3 else -1)
    service.edit_post(answers[0], answers[0].author, "Edited answer")
    service.accept_answer(thread, answers[-1], asker)
    service.delete_post(answers[1], answers[1].author)
    db.session.commit()
    return thread


def _queries(client, url) -> int:
    db.session.expire_all()
    with QueryCounter(db.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_thread_page_queries_do_not_grow_with_posts(
    login, questions, asker, make, acme
):
    voters = [make.user(f"voter{n}") for n in range(6)]
    other = accounts_service.create_account("Northwind Retail", "CRM-10005")
    small = _thread_with_posts(questions, asker, voters, [acme, other], 3)
    big = _thread_with_posts(questions, asker, voters, [acme, other], 20)
    client = login(voters[0])
    assert _queries(client, small.url) == _queries(client, big.url)
    moderator = login(make.user("modq", role="moderator"))
    assert _queries(moderator, small.url) == _queries(moderator, big.url)


def test_thread_list_queries_do_not_grow_with_threads(
    login, discussion, employee, make, acme
):
    other = accounts_service.create_account("Northwind Retail", "CRM-10005")
    authors = [make.user(f"author{n}") for n in range(5)]
    few = make_forum("Few")
    many = make_forum("Many")
    for forum, count in ((few, 3), (many, 30)):
        for n in range(count):
            thread = make_thread(
                forum,
                authors[n % 5],
                f"{forum.name} {n}",
                tags=[f"tag{n % 4}", "common"],
                accounts=[acme, other] if n % 2 else [acme],
            )
            make_reply(thread, authors[(n + 1) % 5])
    client = login(employee)
    assert _queries(client, few.url) == _queries(client, many.url)
    filtered_few = _queries(client, f"{few.url}?tag=common&account={acme.id}")
    filtered_many = _queries(client, f"{many.url}?tag=common&account={acme.id}")
    assert filtered_few == filtered_many
    assert _queries(client, "/forums/threads") == _queries(
        client, "/forums/threads?page=2"
    )
