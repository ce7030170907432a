"""E-mail notifications: who is mailed what, in which language, and how the
queue gets it to a real SMTP server, even one that is down for a while."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from portal import clock, signals
from portal.extensions import db
from portal.forums import service as forums_service
from portal.notifications import mail
from portal.notifications.models import MailMessage
from tests.forums.factories import make_reply, make_thread
from tests.notifications.conftest import html_part, text_part


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def ann(make):
    return make.user("ann", display_name="Ann Author", email="ann@example.com")


@pytest.fixture
def ben(make):
    return make.user("ben", display_name="Ben Reader", email="ben@example.com")


@pytest.fixture
def wei(make):
    return make.user("wei", display_name="李伟", email="wei@example.com", locale="zh")


def flush_all():
    result = mail.flush()
    return result


def test_a_mention_is_mailed_at_once_as_text_and_html(
    forum, ann, ben, smtp, outbox, inbox
):
    make_thread(forum, ann, "Renewal at ACME", "Ask @ben about the CFO.")
    [queued] = outbox(ben)
    assert queued.status == "queued" and queued.kind == "mention"
    assert smtp.received == []  # nothing leaves before the queue is flushed

    assert flush_all().sent == 1
    [message] = smtp.messages_to("ben@example.com")
    assert message["Subject"] == "[Tacit] Ann Author mentioned you in “Renewal at ACME”"
    assert message["From"] == "Tacit <tacit@example.com>"
    assert message.is_multipart()
    text, html = text_part(message), html_part(message)
    link = "https://tacit.example.com" + inbox(ben)[0][2]
    for part in (text, html):
        assert "Ann Author mentioned you in “Renewal at ACME”" in part
        assert link in part
        assert "Replying by e-mail is not supported" in part
        assert "https://tacit.example.com/mail/unsubscribe/" in part
        assert "https://tacit.example.com/settings/mail" in part
    assert "<a href=" in html
    assert message["List-Unsubscribe"].startswith(
        "<https://tacit.example.com/mail/unsubscribe/"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert db.session.get(MailMessage, queued.id).status == "sent"


def test_mails_speak_the_recipients_language(forum, ann, wei, smtp):
    make_thread(forum, ann, "续约问题", "请 @wei 看看")
    flush_all()
    [message] = smtp.messages_to("wei@example.com")
    assert message["Subject"] == "[Tacit] Ann Author 在“续约问题”中提到了你"
    text = text_part(message)
    assert "李伟" in text
    assert "不支持通过回复邮件" in text
    assert "Replying by e-mail" not in text
    assert 'lang="zh-Hans"' in html_part(message)


def test_each_kind_follows_the_persons_choice(forum, ann, ben, smtp, outbox):
    thread = make_thread(forum, ben, "Pricing question")  # ben watches his thread
    # Replies come in the daily digest by default: no mail now.
    make_reply(thread, ann, "An answer.")
    assert outbox(ben) == []

    mail.set_preference(ben, "reply", "immediately")
    db.session.commit()
    make_reply(thread, ann, "More.")
    assert [m.kind for m in outbox(ben)] == ["reply"]

    mail.set_preference(ben, "reply", "never")
    mail.set_preference(ben, "mention", "never")
    db.session.commit()
    make_reply(thread, ann, "Even more, @ben.")
    assert len(outbox(ben)) == 1  # neither the reply nor the mention
    # The in-app notification is still there.
    assert service_unread(ben) == 3


def service_unread(user) -> int:
    from portal.notifications.service import unread_count

    return unread_count(user)


def test_no_address_or_no_server_means_no_mail(forum, ann, make, app, outbox):
    nomail = make.user("nomail")
    make_thread(forum, ann, "Hello", "Hi @nomail")
    assert outbox(nomail) == []
    app.config["MAIL_SERVER"] = None
    ben = make.user("ben2", email="ben2@example.com")
    make_thread(forum, ann, "Hello again", "Hi @ben2")
    assert outbox(ben) == []


def test_a_rolled_back_action_queues_no_mail(forum, ann, ben, outbox):
    thread = make_thread(forum, ann, "Renewal")
    forums_service.reply(thread, ann, "Hey @ben")
    db.session.rollback()
    assert outbox(ben) == []


def test_no_mail_about_a_forum_the_recipient_cannot_read(
    hr_forum, hr_dept, make, ben, outbox
):
    hr_person = make.user("hrp", email="hrp@example.com", department=hr_dept)
    make_thread(hr_forum, hr_person, "Salary review", "cc @ben")
    assert outbox(ben) == []


def _request(thread):
    """A stand-in for the experts package's ExpertRequest."""
    return SimpleNamespace(id=1, thread=thread, thread_id=thread.id)


def test_questions_routed_to_experts_notify_and_mail(
    qa, ann, ben, wei, smtp, inbox, outbox
):
    thread = make_thread(qa, ann, "How do we bill ACME?")
    signals.expert_asked.send(
        _request(thread), thread=thread, asker=ann, experts=[ben, wei, ann]
    )
    db.session.commit()
    assert inbox(ben) == [("expert_asked", "How do we bill ACME?", thread.url)]
    assert inbox(ann) == []  # never the asker
    flush_all()
    [message] = smtp.messages_to("ben@example.com")
    assert message["Subject"] == (
        "[Tacit] Ann Author asks you, as an expert: “How do we bill ACME?”"
    )
    [chinese] = smtp.messages_to("wei@example.com")
    assert "专家" in chinese["Subject"]


def test_escalations_notify_and_mail_only_readers(
    hr_forum, hr_dept, make, ben, smtp, inbox, outbox
):
    hr_person = make.user("hrp", email="hrp@example.com", department=hr_dept)
    expert = make.user("hre", email="hre@example.com", department=hr_dept)
    thread = make_thread(hr_forum, hr_person, "Leave policy for contractors?")
    signals.question_escalated.send(
        _request(thread), thread=thread, round=2, experts=[expert, ben]
    )
    db.session.commit()
    assert [n[0] for n in inbox(expert)] == ["question_escalated"]
    assert inbox(ben) == []  # ben may not read the HR forum
    assert outbox(ben) == []
    flush_all()
    [message] = smtp.messages_to("hre@example.com")
    assert "was passed on to you" in message["Subject"]
    # Nobody left to ask: nothing to send, and no error.
    signals.question_escalated.send(
        _request(thread), thread=thread, round=3, experts=[]
    )
    db.session.commit()


def test_a_thread_moved_out_of_reach_is_not_mailed(
    forum, hr_forum, ann, ben, make, smtp, outbox
):
    thread = make_thread(forum, ann, "Soon restricted")
    notification = SimpleNamespace(target="thread", target_id=thread.id)
    assert mail.may_read(ben, notification)
    forums_service.move_thread(thread, make.user("moder", role="moderator"), hr_forum)
    db.session.commit()
    assert not mail.may_read(ben, notification)


# --- the queue --------------------------------------------------------------------


def test_a_down_server_delays_mail_and_loses_none(
    forum, ann, ben, smtp, outbox, monkeypatch
):
    start = clock.now()
    smtp.stop()
    make_thread(forum, ann, "Outage", "@ben are you there?")
    [queued] = outbox(ben)

    result = flush_all()
    assert (result.sent, result.retrying) == (0, 1)
    queued = db.session.get(MailMessage, queued.id)
    assert queued.status == "queued" and queued.attempts == 1
    assert "Connection refused" in queued.last_error or queued.last_error
    first_retry = queued.next_attempt_at
    assert first_retry > start

    # Not due yet: the next flush leaves it alone.
    assert flush_all().retrying == 0 and queued.attempts == 1

    # Still down later: it waits longer each time.
    monkeypatch.setattr(clock, "now", lambda: first_retry + timedelta(seconds=1))
    assert flush_all().retrying == 1
    queued = db.session.get(MailMessage, queued.id)
    assert queued.attempts == 2
    assert queued.next_attempt_at - first_retry > mail.RETRY_BASE

    # Back up: it goes out, once.
    smtp.start()
    later = queued.next_attempt_at + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert flush_all().sent == 1
    assert len(smtp.messages_to("ben@example.com")) == 1
    assert db.session.get(MailMessage, queued.id).status == "sent"
    assert flush_all().sent == 0
    assert len(smtp.received) == 1


def test_backoff_doubles_and_is_capped():
    assert mail.backoff(1) == timedelta(minutes=1)
    assert mail.backoff(2) == timedelta(minutes=2)
    assert mail.backoff(5) == timedelta(minutes=16)
    assert mail.backoff(30) == mail.RETRY_MAX


def test_a_refused_address_fails_and_an_admin_can_retry(
    forum, ann, ben, smtp, outbox, admin, login
):
    smtp.refuse.add("ben@example.com")
    make_thread(forum, ann, "Bounce", "@ben")
    result = flush_all()
    assert result.failed == 1
    [failed] = outbox(ben)
    assert failed.status == "failed" and "550" in failed.last_error

    client = login(admin)
    page = client.get("/admin/mail?show=failed")
    assert page.status_code == 200
    assert "ben@example.com" in page.text and "550" in page.text
    home = client.get("/")
    assert "Mail is not getting through: 1 failed" in home.text

    smtp.refuse.clear()
    response = client.post(f"/admin/mail/{failed.id}/retry")
    assert response.status_code == 303
    assert db.session.get(MailMessage, failed.id).status == "queued"
    assert client.post("/admin/mail/flush").status_code == 303
    assert len(smtp.messages_to("ben@example.com")) == 1


def test_only_admins_see_the_queue(login, employee, admin):
    assert login(employee).get("/admin/mail").status_code == 403
    assert login(employee).post("/admin/mail/flush").status_code == 403
    assert login(admin).get("/admin/mail").status_code == 200
    assert login(admin).get("/admin/mail?show=nonsense").status_code == 200


def test_the_mail_flush_command(forum, ann, ben, smtp, runner):
    make_thread(forum, ann, "CLI", "@ben")
    result = runner.invoke(args=["mail", "flush"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(smtp.received) == 1
    smtp.stop()
    make_thread(forum, ann, "CLI again", "@ben")
    result = runner.invoke(args=["mail", "flush"])
    assert result.exit_code == 1
    assert "retrying later 1" in result.output


# --- settings and unsubscribing ---------------------------------------------------


def test_the_settings_page_saves_each_kind(login, ben):
    client = login(ben)
    page = client.get("/settings/mail")
    assert page.status_code == 200
    assert "Questions routed to you as an expert" in page.text
    assert "ben@example.com" in page.text
    assert "Handover tasks" in page.text  # the handover package runs
    form = dict.fromkeys(mail.offered_kinds(), "weekly")
    form["mention"] = "never"
    response = client.post("/settings/mail", data=form)
    assert response.status_code == 303
    assert mail.preferences(ben)["mention"] == "never"
    assert mail.preferences(ben)["expert_asked"] == "weekly"

    form["mention"] = "hourly"
    response = client.post("/settings/mail", data=form)
    assert response.status_code == 400
    assert mail.preferences(ben)["mention"] == "never"


def test_the_settings_page_says_when_there_is_no_address(login, employee):
    page = login(employee).get("/settings/mail")
    assert "You have no e-mail address yet" in page.text


def _unsubscribe_path(message) -> str:
    url = message["List-Unsubscribe"].strip("<>")
    return url.removeprefix("https://tacit.example.com")


def test_the_unsubscribe_link_works_without_logging_in(forum, ann, ben, smtp, client):
    make_thread(forum, ann, "Hi", "@ben")
    flush_all()
    path = _unsubscribe_path(smtp.messages_to("ben@example.com")[0])
    page = client.get(path)
    assert page.status_code == 200
    assert "Stop sending ben@example.com e-mails about: Someone mentions you?" in (
        page.text
    )
    assert mail.preferences(ben)["mention"] == "immediately"  # a GET changes nothing
    done = client.post(path)
    assert done.status_code == 200
    assert "gets no more e-mails about" in done.text
    assert mail.preferences(ben)["mention"] == "never"
    assert mail.preferences(ben)["expert_asked"] == "immediately"


def test_a_tampered_unsubscribe_link_is_refused(ben, client):
    token = mail.unsubscribe_token(ben, "mention")
    payload, _, rest = token.partition(".")
    forged = mail._serializer().dumps([ben.id + 1, "mention"]).partition(".")[0]
    for bad in (forged + "." + rest, token[:-2] + "xx", "garbage"):
        response = client.post(f"/mail/unsubscribe/{bad}")
        assert response.status_code == 400
        assert "not valid" in response.text
    assert mail.preferences(ben)["mention"] == "immediately"


def test_an_expired_unsubscribe_link_says_so(ben, client, monkeypatch):
    token = mail.unsubscribe_token(ben, "mention")
    later = clock.now() + timedelta(days=91)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = client.post(f"/mail/unsubscribe/{token}")
    assert response.status_code == 410
    assert "expired" in response.text
    assert mail.preferences(ben)["mention"] == "immediately"


def test_a_token_for_an_unknown_kind_is_refused(ben, client):
    token = mail._serializer().dumps([ben.id, "everything"])
    assert client.get(f"/mail/unsubscribe/{token}").status_code == 400


def test_queue_counts(forum, ann, ben, smtp):
    make_thread(forum, ann, "Count", "@ben")
    assert mail.queue_counts()["queued"] == 1
    flush_all()
    counts = mail.queue_counts()
    assert counts["sent"] == 1 and counts["queued"] == 0
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 1


def test_unsubscribing_with_csrf_protection_on_and_no_login(app, forum, ann, ben, smtp):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    path = mail.unsubscribe_url(ben, "reply").removeprefix("https://tacit.example.com")
    assert client.post(path).status_code == 400  # no token: refused
    assert mail.preferences(ben)["reply"] == "daily"
    page = client.get(path)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    done = client.post(path, data={"csrf_token": token.group(1)})
    assert done.status_code == 200
    assert mail.preferences(ben)["reply"] == "never"


def test_titles_are_escaped_in_html_and_kept_on_one_line(forum, ann, ben, smtp):
    make_thread(forum, ann, "<script>alert(1)</script> & more", "@ben")
    flush_all()
    [message] = smtp.messages_to("ben@example.com")
    html = html_part(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "<script>alert(1)</script> & more" in text_part(message)
    assert "\n" not in message["Subject"]


def test_mail_to_someone_who_left_is_not_sent(forum, ann, ben, smtp, outbox):
    make_thread(forum, ann, "Before the farewell", "@ben")
    ben.left_at = clock.now()
    ben.active = False
    db.session.commit()
    result = flush_all()
    assert result.failed == 1 and smtp.received == []
    assert outbox(ben)[0].last_error == "The recipient is no longer active."


def test_an_unreachable_server_is_tried_once_per_run(forum, ann, ben, wei, smtp):
    smtp.stop()
    make_thread(forum, ann, "Both of you", "@ben @wei")
    result = flush_all()
    assert (result.sent, result.retrying) == (0, 2)
    assert all(m.attempts == 1 for m in db.session.scalars(sa.select(MailMessage)))


def test_a_server_that_wants_a_login_it_cannot_get(app, forum, ann, ben, smtp):
    # The test server offers no AUTH: the login fails, the mail waits.
    app.config["MAIL_USERNAME"] = "tacit"
    app.config["MAIL_PASSWORD"] = "secret"
    make_thread(forum, ann, "Login", "@ben")
    result = flush_all()
    assert result.retrying == 1 and smtp.received == []
    app.config["MAIL_USERNAME"] = None
    db.session.execute(sa.update(MailMessage).values(next_attempt_at=clock.now()))
    db.session.commit()
    assert flush_all().sent == 1


def test_accepted_answers_and_watched_things_by_choice(
    qa, forum, ann, ben, smtp, outbox
):
    from portal.notifications import service as notifications
    from portal.wiki import service as wiki

    for kind in ("answer", "watched"):
        mail.set_preference(ben, kind, "immediately")
    notifications.watch(ben, "forum", forum.id)
    db.session.commit()

    question = make_thread(qa, ann, "Who owns billing?")
    answer = make_reply(question, ben, "Finance does.")
    forums_service.accept_answer(question, answer, ann)
    db.session.commit()
    make_thread(forum, ann, "A new story")
    page = wiki.create_page("Billing owners", "Finance.", ben)
    db.session.commit()
    wiki.edit_page(page, "Finance, then Legal.", ann, base_revision=1)
    db.session.commit()
    assert [m.kind for m in outbox(ben)] == ["answer", "watched", "watched"]
    flush_all()
    subjects = [m["Subject"] for m in smtp.messages_to("ben@example.com")]
    assert subjects == [
        "[Tacit] Ann Author accepted your answer to “Who owns billing?”",
        "[Tacit] Ann Author started “A new story”",
        "[Tacit] Ann Author edited the page “Billing owners”",
    ]
