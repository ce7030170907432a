"""Daily and weekly digests: what is in them, and never the same one twice."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal import clock
from portal.extensions import db
from portal.forums import service as forums_service
from portal.notifications import digest, mail
from portal.notifications.models import DigestSend, MailMessage
from tests.forums.factories import make_reply, make_thread
from tests.notifications.conftest import html_part, text_part

YESTERDAY = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # a Thursday
TODAY = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def at(monkeypatch):
    """``at(moment)``: from now on, ``clock.now()`` is ``moment``."""

    def _at(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)

    return _at


@pytest.fixture
def people(make):
    return {
        name: make.user(name, display_name=name.title(), email=f"{name}@example.com")
        for name in ("ann", "ben", "cai", "dan")
    }


def digest_mails(user=None):
    stmt = sa.select(MailMessage).where(MailMessage.kind.like("digest_%"))
    if user is not None:
        stmt = stmt.where(MailMessage.user_id == user.id)
    return list(db.session.scalars(stmt.order_by(MailMessage.id)))


def test_windows_are_the_last_closed_day_and_week():
    assert digest.window("daily", TODAY) == (
        datetime(2026, 11, 26, tzinfo=UTC),
        datetime(2026, 11, 27, tzinfo=UTC),
    )
    # Friday 27 November: the last whole week ran Monday 16 to Monday 23.
    assert digest.window("weekly", TODAY) == (
        datetime(2026, 11, 16, tzinfo=UTC),
        datetime(2026, 11, 23, tzinfo=UTC),
    )
    with pytest.raises(ValueError):
        digest.window("hourly", TODAY)


def test_the_daily_digest_gathers_yesterday_by_kind(forum, people, at, smtp):
    ann, ben = people["ann"], people["ben"]
    at(YESTERDAY)
    thread = make_thread(forum, ben, "Pricing for ACME")
    make_reply(thread, ann, "First answer.")  # reply: daily by default
    make_reply(thread, ann, "Second answer.")
    make_reply(thread, ann, "And @ben, look.")  # mention: mailed at once, not here
    at(TODAY)
    make_reply(thread, ann, "Today's reply waits for tomorrow.")

    result = digest.send_digests("daily")
    assert result.queued == 1
    [queued] = digest_mails(ben)
    assert queued.subject == (
        "[Tacit] Your daily digest: 2 updates since the last digest"
    )
    mail.flush()
    [message] = [
        m for m in smtp.messages_to("ben@example.com") if "digest" in m["Subject"]
    ]
    text, html = text_part(message), html_part(message)
    for part in (text, html):
        assert "Replies in threads you watch" in part
        assert part.count("Ann replied to “Pricing for ACME”") == 2
        assert "mentioned you" not in part
        assert "/mail/unsubscribe/" in part
        assert "Replying by e-mail is not supported" in part
        assert "2026-11-26" in part


def test_running_twice_sends_one_digest(forum, people, at, runner):
    ann, ben = people["ann"], people["ben"]
    at(YESTERDAY)
    thread = make_thread(forum, ben, "Twice")
    make_reply(thread, ann, "Reply.")
    at(TODAY)
    first = runner.invoke(args=["digest", "send", "--period", "daily"])
    assert first.exit_code == 0, first.output
    assert "queued 1" in first.output
    second = runner.invoke(args=["digest", "send", "--period", "daily"])
    assert "queued 0" in second.output
    assert len(digest_mails(ben)) == 1
    # Later the same day, still the same window.
    at(TODAY + timedelta(hours=12))
    assert digest.send_digests("daily").queued == 0
    # The next day is a new window, with nothing new in it.
    at(TODAY + timedelta(days=1))
    assert digest.send_digests("daily").queued == 0
    assert len(digest_mails(ben)) == 1


def test_a_crash_half_way_loses_no_digest_and_sends_none_twice(
    forum, people, at, monkeypatch
):
    ann = people["ann"]
    at(YESTERDAY)
    watchers = [people["ben"], people["cai"], people["dan"]]
    for person in watchers:
        make_reply(make_thread(forum, person, f"Thread of {person.username}"), ann)
    at(TODAY)

    real = digest._render
    calls = []

    def crash_on_the_second(user, *args):
        calls.append(user.username)
        if len(calls) == 2:
            raise RuntimeError("the server was switched off")
        return real(user, *args)

    monkeypatch.setattr(digest, "_render", crash_on_the_second)
    with pytest.raises(RuntimeError):
        digest.send_digests("daily")
    assert [m.user_id for m in digest_mails()] == [people["ben"].id]
    # The crashed person's claim rolled back with their mail.
    assert db.session.scalar(sa.select(sa.func.count(DigestSend.id))) == 1

    monkeypatch.setattr(digest, "_render", real)
    assert digest.send_digests("daily").queued == 2
    assert sorted(m.user_id for m in digest_mails()) == sorted(p.id for p in watchers)
    sends = db.session.scalars(sa.select(DigestSend)).all()
    assert all(s.mail_id is not None for s in sends)


def test_weekly_and_never(forum, people, at):
    ann, ben, cai = people["ann"], people["ben"], people["cai"]
    mail.set_preference(ben, "reply", "weekly")
    mail.set_preference(cai, "reply", "never")
    db.session.commit()
    at(datetime(2026, 11, 18, 9, tzinfo=UTC))  # a Wednesday of the last week
    for person in (ben, cai):
        make_reply(make_thread(forum, person, f"Week of {person.username}"), ann)
    at(TODAY)
    assert digest.send_digests("daily").queued == 0
    assert digest.send_digests("weekly").queued == 1
    [weekly] = digest_mails(ben)
    assert weekly.subject.startswith("[Tacit] Your weekly digest: 1 update")
    assert digest_mails(cai) == []
    assert digest.send_digests("weekly").queued == 0


def test_a_digest_leaves_out_what_its_reader_can_no_longer_read(
    forum, hr_forum, people, at, make
):
    ann, ben = people["ann"], people["ben"]
    at(YESTERDAY)
    secret = make_thread(forum, ben, "Soon moved to HR")
    make_reply(secret, ann, "Reply one.")
    kept = make_thread(forum, ben, "Stays open")
    make_reply(kept, ann, "Reply two.")
    forums_service.move_thread(secret, make.user("moder", role="moderator"), hr_forum)
    db.session.commit()
    at(TODAY)
    digest.send_digests("daily")
    [queued] = digest_mails(ben)
    assert "Stays open" in queued.body_text
    assert "Soon moved to HR" not in queued.body_text
    assert "Soon moved to HR" not in queued.body_html


def test_a_chinese_digest(forum, people, at, make):
    ann = people["ann"]
    li = make.user("lina", display_name="李娜", email="lina@example.com", locale="zh")
    at(YESTERDAY)
    make_reply(make_thread(forum, li, "报价问题"), ann, "回复")
    at(TODAY)
    digest.send_digests("daily")
    [queued] = digest_mails(li)
    assert queued.subject == "[Tacit] 你的每日摘要: 自上次摘要以来有 1 条更新"
    assert "你关注的主题中的回复" in queued.body_text
    assert "不支持通过回复邮件作答" in queued.body_html


def test_digest_send_without_a_server_says_so(app, runner):
    app.config["MAIL_SERVER"] = None
    result = runner.invoke(args=["digest", "send", "--period", "daily"])
    assert "MAIL_SERVER is not set" in result.output
    result = runner.invoke(args=["digest", "send", "--period", "monthly"])
    assert result.exit_code != 0
