"""What the forums show on account, tag, profile and home pages."""

from datetime import timedelta

import pytest

from portal import clock, signals
from portal.accounts import service as accounts_service
from portal.extensions import db
from tests.forums.factories import make_reply, make_thread


def _text(response) -> str:
    return response.get_data(as_text=True)


def _panels(app, login, signal, sender, viewer, **kwargs) -> str:
    """Render the forums' answer to a panel signal, the way composed pages do
    (through ``render_panels``), as ``viewer`` sees it."""
    from flask import render_template_string
    from flask_login import login_user

    from portal.forums import panels as forum_panels

    mine = {
        signals.account_panels: forum_panels.account_panel,
        signals.tag_panels: forum_panels.tag_panel,
        signals.profile_panels: forum_panels.profile_panel,
        signals.home_panels: forum_panels.home_panel,
    }[signal]
    with app.test_request_context("/"):
        login_user(viewer)
        panel = (
            mine(sender, viewer=viewer, **kwargs)
            if signal is not signals.home_panels
            else mine(viewer)
        )
        if panel is None:
            return ""
        return render_template_string(
            '{% from "_macros.html" import render_panels %}{{ render_panels(panels) }}',
            panels=[panel],
        )


@pytest.fixture
def acme(app):
    account = accounts_service.create_account("ACME Manufacturing", "CRM-10004")
    db.session.commit()
    return account


def test_account_panel_lists_visible_threads_newest_first(
    app, login, discussion, hr_forum, insider, outsider, acme, monkeypatch
):
    start = clock.now() - timedelta(days=30)
    for n in range(12):
        at = start + timedelta(days=n)
        monkeypatch.setattr(clock, "now", lambda at=at: at)
        make_thread(discussion, insider, f"ACME topic {n:02d}", accounts=[acme])
    make_thread(hr_forum, insider, "ACME salary matter", accounts=[acme])
    monkeypatch.undo()
    page = _panels(app, login, signals.account_panels, acme, outsider)
    titles = [f"ACME topic {n:02d}" for n in range(11, 1, -1)]
    positions = [page.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "ACME topic 01" not in page  # ten at most
    assert "ACME salary matter" not in page
    assert "Ask a question about this account" in page
    assert f"/forums/new?account={acme.id}" in page
    assert "ACME salary matter" in _panels(
        app, login, signals.account_panels, acme, insider
    )


def test_account_without_threads_invites_a_question(app, login, employee, acme):
    page = _panels(app, login, signals.account_panels, acme, employee)
    assert "No questions about ACME Manufacturing yet — ask the first one." in page


def test_tag_panel_lists_only_visible_threads(
    app, login, discussion, hr_forum, insider, outsider
):
    thread = make_thread(discussion, insider, "Billing in general", tags="billing")
    make_thread(hr_forum, insider, "Billing of salaries", tags="billing")
    page = _panels(app, login, signals.tag_panels, thread.tags[0], outsider)
    assert "Billing in general" in page and "Billing of salaries" not in page


def test_profile_panel_lists_threads_and_answers(
    app, login, questions, discussion, hr_forum, insider, outsider, asker
):
    make_thread(discussion, insider, "My public thread")
    make_thread(hr_forum, insider, "My HR thread")
    question = make_thread(questions, asker, "A question")
    make_reply(question, insider, "My answer")
    page = _panels(app, login, signals.profile_panels, insider, outsider)
    assert "My public thread" in page and "A question" in page
    assert "My HR thread" not in page


def test_home_panel_shows_latest_threads(app, login, discussion, employee):
    make_thread(discussion, employee, "Fresh on the home page")
    page = _panels(app, login, signals.home_panels, employee, employee)
    assert "Fresh on the home page" in page


def test_receivers_are_connected(app, discussion, employee, acme):
    make_thread(discussion, employee, "Connected", accounts=[acme])
    answers = signals.collect_panels(signals.account_panels, acme, viewer=employee)
    assert any(p.template == "forums/_thread_panel.html" for p in answers)


def test_account_timeline_events(discussion, hr_forum, insider, outsider, acme):
    make_thread(discussion, insider, "Visible", accounts=[acme])
    make_thread(hr_forum, insider, "Hidden", accounts=[acme])
    answers = signals.account_timeline.send(
        acme, viewer=outsider, before=None, limit=10
    )
    events = [
        e for _, result in answers if result for e in result if e.kind == "thread"
    ]
    assert [e.title for e in events] == ["Visible"]
