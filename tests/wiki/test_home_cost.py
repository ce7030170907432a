"""The wiki's review block on the home page: the pages the viewer should
review, found with a fixed number of queries however many are due."""

from datetime import timedelta

from portal import clock
from portal.extensions import db
from tests.querycount import queries_for


def _due(page):
    page.created_at = clock.now() - timedelta(days=400)
    db.session.commit()


def test_home_lists_the_pages_the_viewer_should_review(
    login, write, revise, author, make
):
    mine = write("Renewal terms", "What the renewal says.\n" * 5)
    theirs = write("Their notes", "x")
    # Someone else wrote most of it: they review it, not the first author.
    revise(theirs, "A much longer text by another colleague.\n" * 20, make.user("xu"))
    for page in (mine, theirs):
        _due(page)
    html = login(author).get("/").get_data(as_text=True)
    block = html.split("Pages for you to review", 1)[1].split("</section>", 1)[0]
    assert "Renewal terms" in block
    assert "Their notes" not in block


def test_home_queries_do_not_grow_with_pages_due(login, write, author, make):
    client = login(author)
    _due(write("Due 0", "Text.\n" * 3))
    few = queries_for(client, "/")
    for n in range(1, 6):
        page = write(f"Due {n}", "Text.\n" * 3)
        _due(page)
    assert queries_for(client, "/") == few
