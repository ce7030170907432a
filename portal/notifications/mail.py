"""E-mail: what each person wants mailed, the outbox, sending, unsubscribe links.

A notification is mailed to its recipient immediately, in a digest, or not at
all, as they chose for its kind. Mails are rendered in the recipient's language
and written to the ``mail_queue`` table in the transaction of what caused them,
so a rollback sends nothing; ``flush()`` (``flask --app portal mail flush``,
run from cron) sends what is due over SMTP and keeps what fails for a later
attempt, so a mail server that is down delays mail but loses none.

A mail never says more than its recipient may read on the site: notifications
about threads are checked against the forums' permission predicates when they
are queued, and again when a digest is written.
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date
from email.utils import make_msgid, parseaddr

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from portal import clock
from portal.auth.models import User
from portal.extensions import db
from portal.forums.models import Thread
from portal.forums.permissions import can_read_thread
from portal.notifications.labels import mail_kind_label, notification_text
from portal.notifications.models import (
    MAIL_MODES,
    MailMessage,
    MailPreference,
    Notification,
)

log = logging.getLogger(__name__)

# Kinds of mail a person chooses for, in the order the settings page shows them,
# with the notifications each covers and its default.
MAIL_KINDS = {
    "mention": (("mention",), "immediately"),
    "reply": (("reply",), "daily"),
    "answer": (("answer_accepted", "answer_accepted_asker"), "daily"),
    "expert_asked": (("expert_asked",), "immediately"),
    "question_escalated": (("question_escalated",), "immediately"),
    "watched": (("new_thread", "new_page", "page_revised"), "weekly"),
    "handover_task": (("handover_task",), "immediately"),
}
KIND_OF = {n: kind for kind, (kinds, _d) in MAIL_KINDS.items() for n in kinds}
DEFAULT_MODES = {kind: default for kind, (_k, default) in MAIL_KINDS.items()}

RETRY_BASE = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=6)
# A claimed mail waits this long before another flush may try it: time enough to
# send, short enough that a flush that died does not hold mail for long.
CLAIM_LEASE = timedelta(minutes=10)
UNSUBSCRIBE_SALT = "tacit-mail-unsubscribe"
ERROR_LEN = 1000


def init_app(app) -> None:
    """Read the mail settings from the environment unless the app was given them."""
    import os

    def env_bool(name: str) -> bool:
        return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}

    defaults = {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT") or 25),
        "MAIL_USE_TLS": env_bool("MAIL_USE_TLS"),
        "MAIL_USE_SSL": env_bool("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER")
        or "Tacit <tacit@localhost>",
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT") or 10),
        "MAIL_UNSUBSCRIBE_DAYS": int(os.environ.get("MAIL_UNSUBSCRIBE_DAYS") or 90),
        "PORTAL_URL": os.environ.get("PORTAL_URL") or "http://127.0.0.1:5000",
    }
    for name, value in defaults.items():
        app.config.setdefault(name, value)


def enabled() -> bool:
    """Mail is queued only where a server is configured (``MAIL_SERVER``)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def absolute(path: str) -> str:
    """Return the address of ``path`` on the portal, for links in mails."""
    if path.startswith(("http://", "https://")):
        return path
    return current_app.config["PORTAL_URL"].rstrip("/") + "/" + path.lstrip("/")


def _path(endpoint: str, **values) -> str:
    # Mails are written in CLI commands too, where there is no request to
    # build URLs from: build the path, then put the portal's address before it.
    adapter = current_app.url_map.bind("localhost")
    return adapter.build(endpoint, values)


# --- preferences ----------------------------------------------------------------


def offered_kinds() -> list[str]:
    """The kinds the settings page offers: handover tasks once that package runs."""
    return [
        kind
        for kind in MAIL_KINDS
        if kind != "handover_task" or "handover" in current_app.blueprints
    ]


def preferences(user) -> dict[str, str]:
    """Return ``{mail kind: mode}`` for ``user``, defaults filled in."""
    modes = dict(DEFAULT_MODES)
    rows = db.session.execute(
        sa.select(MailPreference.kind, MailPreference.mode).where(
            MailPreference.user_id == user.id
        )
    )
    modes.update({kind: mode for kind, mode in rows if kind in modes})
    return modes


def _modes_of(user_ids: set[int], kind: str) -> dict[int, str]:
    """Return ``{user id: mode}`` for one mail kind, in one query."""
    modes = dict.fromkeys(user_ids, DEFAULT_MODES[kind])
    if user_ids:
        rows = db.session.execute(
            sa.select(MailPreference.user_id, MailPreference.mode).where(
                MailPreference.user_id.in_(user_ids), MailPreference.kind == kind
            )
        )
        modes.update(dict(rows.all()))
    return modes


def set_preference(user, kind: str, mode: str) -> None:
    """Choose how ``user`` hears about ``kind`` by e-mail.

    :raises ValueError: for an unknown kind or mode (forms offer only known ones).
    """
    if kind not in MAIL_KINDS or mode not in MAIL_MODES:
        raise ValueError(f"unknown mail kind or mode: {kind!r}, {mode!r}")
    row = db.session.scalar(
        sa.select(MailPreference).where(
            MailPreference.user_id == user.id, MailPreference.kind == kind
        )
    )
    if row is None:
        db.session.add(
            MailPreference(
                user_id=user.id, kind=kind, mode=mode, updated_at=clock.now()
            )
        )
    elif row.mode != mode:
        row.mode = mode
        row.updated_at = clock.now()
    db.session.flush()


# --- unsubscribe tokens -----------------------------------------------------------


class _ClockSigner(TimestampSigner):
    """Dates tokens by ``clock.now()``, so that tests can let them expire."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT, signer=_ClockSigner
    )


def unsubscribe_token(user, kind: str) -> str:
    return _serializer().dumps([user.id, kind])


class TokenExpired(Exception):
    """The link is genuine but too old."""


class TokenInvalid(Exception):
    """The link was not made by this portal, or was changed."""


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """Return the person and the mail kind an unsubscribe link is for.

    :raises TokenExpired: when the link is older than ``MAIL_UNSUBSCRIBE_DAYS``.
    :raises TokenInvalid: when it was tampered with or names nobody.
    """
    max_age = int(current_app.config["MAIL_UNSUBSCRIBE_DAYS"]) * 86400
    try:
        user_id, kind = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenExpired() from None
    except (BadSignature, ValueError, TypeError):
        raise TokenInvalid() from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or kind not in MAIL_KINDS:
        raise TokenInvalid()
    return user, kind


def unsubscribe_url(user, kind: str) -> str:
    return absolute(
        _path("notifications.unsubscribe", token=unsubscribe_token(user, kind))
    )


# --- queueing -------------------------------------------------------------------


def may_read(user, notification: Notification) -> bool:
    """Tell whether ``user`` may still read what ``notification`` is about."""
    if notification.target == "thread":
        thread = db.session.get(Thread, notification.target_id)
        return thread is not None and can_read_thread(user, thread)
    return True


def _mailable(user) -> bool:
    return bool(user.email) and user.is_active


def html_lang(user) -> str:
    return "zh-Hans" if _locale(user) == "zh" else "en"


def _locale(user) -> str:
    languages = current_app.config.get("LANGUAGES", ["en"])
    return user.locale if user.locale in languages else "en"


def queue(
    user,
    *,
    kind: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe: str | None,
    flush_now: bool = True,
) -> MailMessage:
    """Put one mail to ``user`` in the outbox; ``flush()`` sends it once the
    transaction has committed. ``flush_now=False`` leaves the flush to the
    caller, who adds many."""
    message = MailMessage(
        user_id=user.id,
        kind=kind,
        to_addr=user.email,
        # One line: a title never breaks into the headers.
        subject=" ".join(subject.split())[:300],
        body_text=text,
        body_html=html,
        unsubscribe_url=unsubscribe,
        status="queued",
        attempts=0,
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    db.session.add(message)
    if flush_now:
        db.session.flush()
    return message


def _common(user, kind: str) -> dict:
    return {
        "user": user,
        "kind_label": mail_kind_label(kind),
        "unsubscribe_url": unsubscribe_url(user, kind),
        "settings_url": absolute(_path("notifications.mail_settings")),
        "portal_url": absolute("/"),
        "lang": html_lang(user),
    }


def queue_notification(
    user, notification: Notification, *, flush_now: bool = True
) -> MailMessage | None:
    """Mail one notification to its recipient now, in their language."""
    kind = KIND_OF.get(notification.kind)
    if kind is None or not _mailable(user) or not may_read(user, notification):
        return None
    with force_locale(_locale(user)):
        context = _common(user, kind)
        context.update(
            text=notification_text(notification), url=absolute(notification.url)
        )
        subject = "[Tacit] " + context["text"]
        text = render_template("notifications/mail/notification.txt", **context)
        html = render_template("notifications/mail/notification.html", **context)
    return queue(
        user,
        kind=kind,
        subject=subject,
        text=text,
        html=html,
        unsubscribe=context["unsubscribe_url"],
        flush_now=flush_now,
    )


def queue_notifications(rows: list[Notification]) -> list[MailMessage]:
    """Mail the notifications just written whose recipients want them now."""
    if not rows or not enabled():
        return []
    by_kind: dict[str, list[Notification]] = {}
    for row in rows:
        kind = KIND_OF.get(row.kind)
        if kind is not None:
            by_kind.setdefault(kind, []).append(row)
    queued = []
    for kind, kind_rows in by_kind.items():
        modes = _modes_of({row.user_id for row in kind_rows}, kind)
        wanted = [row for row in kind_rows if modes[row.user_id] == "immediately"]
        if not wanted:
            continue
        users = {
            u.id: u
            for u in db.session.scalars(
                sa.select(User).where(User.id.in_({row.user_id for row in wanted}))
            )
        }
        for row in wanted:
            message = queue_notification(users[row.user_id], row, flush_now=False)
            if message is not None:
                queued.append(message)
    if queued:
        db.session.flush()
    return queued


# --- sending --------------------------------------------------------------------


@dataclass
class FlushResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: doubling, capped."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)


def build_message(mail: MailMessage) -> EmailMessage:
    """Return the multipart (text and HTML) message for an outbox row."""
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to_addr
    message["Date"] = rfc2822_date(mail.created_at)
    domain = parseaddr(config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2]
    message["Message-ID"] = make_msgid(f"tacit-{mail.id}", domain=domain or None)
    # Tell mail programs this is automatic, so they send no out-of-office replies.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Tacit-Kind"] = mail.kind
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
    message.set_content(mail.body_text)
    message.add_alternative(mail.body_html, subtype="html")
    return message


def _connect() -> smtplib.SMTP:
    config = current_app.config
    timeout = config["MAIL_TIMEOUT"]
    if config.get("MAIL_USE_SSL"):
        conn = smtplib.SMTP_SSL(
            config["MAIL_SERVER"],
            config["MAIL_PORT"],
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        conn = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            conn.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            conn.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        conn.close()
        raise
    return conn


def _permanent(error: Exception) -> bool:
    """A refusal a retry cannot fix: the server rejected the address for good."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return False


def _claim(limit: int) -> list[int]:
    """Take up to ``limit`` due mails for this flush and commit the claim.

    On PostgreSQL a concurrent flush skips rows another one has locked; the
    lease in ``next_attempt_at`` keeps them from a later flush while they are
    being sent.
    """
    now = clock.now()
    ids = list(
        db.session.scalars(
            sa.select(MailMessage.id)
            .where(MailMessage.status == "queued", MailMessage.next_attempt_at <= now)
            .order_by(MailMessage.next_attempt_at, MailMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        db.session.execute(
            sa.update(MailMessage)
            .where(MailMessage.id.in_(ids))
            .values(
                next_attempt_at=now + CLAIM_LEASE, attempts=MailMessage.attempts + 1
            )
        )
    db.session.commit()
    return ids


def _failed_attempt(mail: MailMessage, error: Exception, result: FlushResult) -> None:
    text = f"{type(error).__name__}: {error}"[:ERROR_LEN]
    mail.last_error = text
    result.errors.append(text)
    if _permanent(error):
        mail.status = "failed"
        result.failed += 1
    else:
        mail.next_attempt_at = clock.now() + backoff(mail.attempts)
        result.retrying += 1


def flush(limit: int = 200) -> FlushResult:
    """Send the mail that is due; commit after each, so nothing is sent twice
    because a later one failed.

    A server that cannot be reached leaves every claimed mail queued for a
    later attempt, later each time (``backoff``).
    """
    result = FlushResult()
    if not enabled():
        return result
    ids = _claim(limit)
    if not ids:
        return result
    conn = None
    for index, mail_id in enumerate(ids):
        mail = db.session.get(MailMessage, mail_id)
        if mail is None or mail.status != "queued":
            continue
        if mail.user is not None and not mail.user.is_active:
            # They left after it was queued: the site no longer lets them read it.
            mail.status = "failed"
            mail.last_error = "The recipient is no longer active."
            result.failed += 1
            db.session.commit()
            continue
        try:
            message = build_message(mail)
        except (ValueError, UnicodeError) as error:
            mail.status = "failed"
            mail.last_error = f"{type(error).__name__}: {error}"[:ERROR_LEN]
            result.failed += 1
            result.errors.append(mail.last_error)
            db.session.commit()
            continue
        if conn is None:
            try:
                conn = _connect()
            except (OSError, smtplib.SMTPException) as error:
                # The server cannot be reached: the rest waits for a later run
                # rather than each waiting for its own connection to time out.
                log.warning("mail server unreachable: %s", error)
                for rest_id in ids[index:]:
                    rest = db.session.get(MailMessage, rest_id)
                    if rest is not None and rest.status == "queued":
                        _failed_attempt(rest, error, result)
                db.session.commit()
                break
        try:
            conn.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            log.warning("mail %s not sent: %s", mail.id, error)
            _failed_attempt(mail, error, result)
            if not isinstance(error, smtplib.SMTPRecipientsRefused):
                conn = _close(conn)  # reconnect for the next one
        else:
            mail.status = "sent"
            mail.sent_at = clock.now()
            mail.last_error = None
            result.sent += 1
        db.session.commit()
    _close(conn)
    return result


def _close(conn) -> None:
    if conn is None:
        return None
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        conn.close()
    return None


def retry(mail: MailMessage) -> None:
    """Queue a failed or waiting mail for the next flush."""
    mail.status = "queued"
    mail.next_attempt_at = clock.now()
    db.session.flush()


def queue_counts() -> dict[str, int]:
    """Return how many mails are in each state, and how many wait after a failure."""
    counts = dict.fromkeys(("queued", "sent", "failed"), 0)
    counts.update(
        dict(
            db.session.execute(
                sa.select(MailMessage.status, sa.func.count()).group_by(
                    MailMessage.status
                )
            ).all()
        )
    )
    counts["retrying"] = (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                MailMessage.status == "queued", MailMessage.attempts > 0
            )
        )
        or 0
    )
    return counts
