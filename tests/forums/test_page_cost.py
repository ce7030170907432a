"""The thread page's cost follows the page, not the thread or the forum."""

import pytest

from portal.extensions import db
from portal.forums import service
from tests.forums.factories import make_reply
from tests.querycount import queries_for


def _reply_and_vote(thread, make, reader, n):
    for i in range(n):
        post = make_reply(thread, make.user(), f"Answer {i}")
        service.vote(post, reader, 1 if i % 2 else -1)
        db.session.commit()


def test_thread_page_queries_do_not_grow_with_posts(
    login, make, question, asker, moderator
):
    # Answers by different people, voted on by the reader, one accepted and
    # one deleted: each post shows its author, the reader's vote and buttons.
    _reply_and_vote(question, make, moderator, 3)
    answers = [p for p in service.thread_posts(question).items if not p.is_first]
    service.accept_answer(question, answers[0], asker)
    service.delete_post(answers[1], moderator)
    db.session.commit()
    client = login(moderator)
    few = queries_for(client, question.url)
    _reply_and_vote(question, make, moderator, 12)
    assert queries_for(client, question.url) == few


def _buttons(html: str) -> dict[int, set[str]]:
    """Return ``{post_id: {action, …}}``: the buttons and links each post shows."""
    found = {}
    for chunk in html.split('<article id="post-')[1:]:
        post_id = int(chunk.split('"', 1)[0])
        body = chunk.split("</article>", 1)[0]
        found[post_id] = {
            action
            for action, marker in [
                ("vote", f"/forums/posts/{post_id}/vote"),
                ("edit", f"/forums/posts/{post_id}/edit"),
                ("delete", f"/forums/posts/{post_id}/delete"),
                ("restore", f"/forums/posts/{post_id}/restore"),
                ("accept", 'name="post_id"'),
                ("quote", f"quote={post_id}"),
            ]
            if marker in body
        }
    return found


@pytest.mark.parametrize(
    "who, expected",
    [
        # The asker: votes on others' answers, accepts any live answer, edits
        # and (with replies) cannot delete the question.
        (
            "asker",
            {
                "first": {"quote", "edit"},
                "mine": {"quote", "vote", "accept"},
                "other": {"quote", "vote", "accept"},
                "deleted": set(),
            },
        ),
        (
            "answerer",
            {
                "first": {"quote", "vote"},
                "mine": {"quote", "edit", "delete"},
                "other": {"quote", "vote"},
                "deleted": set(),
            },
        ),
        (
            "moderator",
            {
                "first": {"quote", "vote", "edit", "delete"},
                "mine": {"quote", "vote", "edit", "delete", "accept"},
                "other": {"quote", "vote", "edit", "delete", "accept"},
                "deleted": {"restore"},
            },
        ),
    ],
)
def test_each_post_shows_what_the_reader_may_do(
    request, login, who, expected, make, question, answerer, moderator
):
    posts = {
        "first": service.thread_posts(question).items[0],
        "mine": make_reply(question, answerer, "Mine"),
        "other": make_reply(question, make.user(), "Someone else's"),
        "deleted": make_reply(question, make.user(), "Gone"),
    }
    service.delete_post(posts["deleted"], moderator)
    db.session.commit()
    html = login(request.getfixturevalue(who)).get(question.url).get_data(True)
    shown = _buttons(html)
    if who != "moderator":
        # A deleted post is a placeholder for all but moderators.
        assert "This post was deleted." in html
    assert {name: shown[post.id] for name, post in posts.items()} == expected
