"""The account timeline: threads, replies and page revisions merged, newest
first, paged, and only what the viewer may see."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal import clock
from portal.api import service as api_service
from portal.auth import service as auth_service
from portal.extensions import db
from portal.forums import service as forums
from portal.forums.models import Post
from portal.wiki import service as wiki
from tests.api.conftest import ApiClient
from tests.forums.factories import make_forum, make_reply, make_thread


@pytest.fixture
def ticking(monkeypatch):
    """A clock that moves one hour forward at each call to ``tick()``."""
    moment = [datetime(2026, 3, 1, 9, tzinfo=UTC)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def tick():
        moment[0] += timedelta(hours=1)

    return tick


@pytest.fixture
def history(make, make_account, employee, ticking):
    acme = make_account("ACME")
    forum = make_forum("Questions", kind="questions")
    legal = make.department("Legal")
    secret = make_forum("Contracts", department=legal)
    lawyer = make.user("lawyer", department=legal)
    thread = make_thread(forum, employee, "ACME renewal?", accounts=[acme])
    ticking()
    make_reply(thread, lawyer, "Ask Li Wei.")
    ticking()
    wiki.create_page("ACME renewals", "Start early.", employee, accounts=[acme])
    db.session.commit()
    ticking()
    make_thread(secret, lawyer, "ACME contract clause 7", accounts=[acme])
    ticking()
    make_thread(forum, employee, "Unrelated")
    return acme, thread


def test_events_of_every_kind_newest_first(login, employee, history):
    acme, _thread = history
    page = login(employee).get(f"/accounts/{acme.id}/timeline")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    kinds = ("timeline-revision", "timeline-post", "timeline-thread")
    positions = [html.index(k) for k in kinds]
    assert positions == sorted(positions)  # revision, then reply, then the thread
    assert "ACME renewals" in html and "ACME renewal?" in html
    assert "Unrelated" not in html


def test_restricted_threads_only_for_their_readers(login, make, employee, history):
    acme, _thread = history
    outsider = (
        login(employee).get(f"/accounts/{acme.id}/timeline").get_data(as_text=True)
    )
    assert "clause 7" not in outsider
    lawyer = auth_service.get_user("lawyer")
    insider = login(lawyer).get(f"/accounts/{acme.id}/timeline").get_data(as_text=True)
    assert "clause 7" in insider


def test_deleted_posts_leave_the_timeline(login, make, employee, history):
    acme, thread = history
    reply = db.session.scalars(
        sa.select(Post).where(Post.thread_id == thread.id, Post.is_first.is_(False))
    ).one()
    forums.delete_post(reply, make.user("mod", role="moderator"))
    db.session.commit()
    html = login(employee).get(f"/accounts/{acme.id}/timeline").get_data(as_text=True)
    assert "timeline-post" not in html


def test_paging_with_the_before_cursor(app, employee, history):
    from portal.accounts import timeline

    acme, _thread = history
    first = timeline.collect(acme, employee, limit=2)
    assert [e.kind for e in first.events] == ["revision", "post"]
    assert first.older == first.events[-1].when
    second = timeline.collect(acme, employee, before=first.older, limit=2)
    assert [e.kind for e in second.events] == ["thread"]
    assert second.older is None


def test_account_page_shows_the_latest_events(login, employee, history):
    acme, _thread = history
    html = login(employee).get(f"/accounts/{acme.id}").get_data(as_text=True)
    assert "The whole timeline" in html and "ACME renewals" in html


def test_bad_cursor_is_400(login, employee, history):
    acme, _thread = history
    response = login(employee).get(f"/accounts/{acme.id}/timeline?before=yesterday")
    assert response.status_code == 400


def test_api_timeline(app, employee, history):
    acme, _thread = history
    _token, secret = api_service.create_token(employee, "tests")
    db.session.commit()
    api = lambda user: ApiClient(app.test_client(), secret)  # noqa: E731
    body = api(employee).get(f"/accounts/{acme.id}/timeline?per_page=2").get_json()
    assert [e["kind"] for e in body["items"]] == ["revision", "post"]
    assert body["items"][1]["actor"] == "lawyer"
    rest = (
        api(employee)
        .get(f"/accounts/{acme.id}/timeline", query_string={"before": body["older"]})
        .get_json()
    )
    assert [e["kind"] for e in rest["items"]] == ["thread"] and rest["older"] is None
    bad = api(employee).get(f"/accounts/{acme.id}/timeline?before=2026-01-01T00:00:00")
    assert bad.status_code == 400
