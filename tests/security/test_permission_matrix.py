"""Every route against every kind of person, in one table.

Each row names the people who may use a route; everyone else is refused:
anonymous visitors and departed colleagues are sent to the login page (401 on
the token API), the others get 403 or 404 (404 where even the existence of a
thing is private). A route without a row fails the suite, so a new route
cannot ship without someone deciding who may use it.

The table is checked one route per test. Routes that only read share one
small world; every writing route gets a fresh one, because a POST that is
allowed really happens (deleting the post, deactivating the user) and must not
change what the next cell sees.
"""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from portal import clock
from portal.accounts import service as accounts_service
from portal.api import service as api_service
from portal.auth import service as auth_service
from portal.experts import service as experts
from portal.extensions import db
from portal.files import service as files_service
from portal.forums import service as forums
from portal.handover import service as handover
from portal.handover.models import HandoverItem
from portal.notifications.models import MailMessage, Notification
from portal.tags import service as tags_service
from portal.wiki import service as wiki
from tests import factories
from tests.conftest import _empty_tables, app_on_empty_tables
from tests.forums.factories import make_forum

ROLES = ("anonymous", "departed", "employee", "moderator", "hr", "admin")
EVERYONE = frozenset(ROLES)
USERS = frozenset({"employee", "moderator", "hr", "admin"})
MODS = frozenset({"moderator", "admin"})
HR = frozenset({"hr", "admin"})
ADMIN = frozenset({"admin"})
# The world's employee wrote the thread, the page, the first post and owns the
# token and the notification; the moderator wrote the reply.
OWNER = frozenset({"employee"})
OWNER_OR_HR = frozenset({"employee", "hr", "admin"})
AUTHOR_OR_MODS = frozenset({"employee", "moderator", "admin"})
NOT_AUTHOR = frozenset({"moderator", "hr", "admin"})
OWNER_OR_ADMIN = frozenset({"employee", "admin"})
NOBODY = frozenset()

MATRIX: dict[str, frozenset] = {
    # core
    "GET /": USERS,
    "GET /healthz": EVERYONE,
    "GET /static/<path:filename>": EVERYONE,
    # auth
    "GET /login": EVERYONE,
    "POST /login": EVERYONE,
    "POST /logout": USERS,
    "GET /u/<username>": USERS,
    "GET /settings": USERS,
    "POST /settings": USERS,
    "GET /admin/users": ADMIN,
    "GET /admin/users/new": ADMIN,
    "POST /admin/users/new": ADMIN,
    "GET /admin/users/<int:user_id>/edit": ADMIN,
    "POST /admin/users/<int:user_id>/edit": ADMIN,
    "POST /admin/users/<int:user_id>/deactivate": ADMIN,
    "POST /admin/users/<int:user_id>/reactivate": ADMIN,
    "GET /admin/departments": ADMIN,
    "GET /admin/departments/new": ADMIN,
    "POST /admin/departments/new": ADMIN,
    "GET /admin/departments/<int:dept_id>/edit": ADMIN,
    "POST /admin/departments/<int:dept_id>/edit": ADMIN,
    # accounts
    "GET /accounts": USERS,
    "GET /accounts/new": USERS,
    "POST /accounts/new": USERS,
    "GET /accounts/import": ADMIN,
    "POST /accounts/import": ADMIN,
    "GET /accounts/<int:account_id>": USERS,
    "GET /accounts/<int:account_id>/timeline": USERS,
    "GET /accounts/<int:account_id>/edit": MODS,
    "POST /accounts/<int:account_id>/edit": MODS,
    "GET /accounts/<int:account_id>/profile/edit": USERS,
    "POST /accounts/<int:account_id>/profile/edit": USERS,
    # tags
    "GET /tags": USERS,
    "GET /tags/suggest": USERS,
    "GET /tags/<slug>": USERS,
    # forums
    "GET /forums": USERS,
    "GET /forums/threads": USERS,
    "GET /forums/new": USERS,
    "POST /forums/new": USERS,
    "GET /forums/<forum_slug>": USERS,
    "GET /forums/<forum_slug>/new": USERS,
    "POST /forums/<forum_slug>/new": USERS,
    "GET /forums/<forum_slug>/edit": ADMIN,
    "POST /forums/<forum_slug>/edit": ADMIN,
    "GET /forums/manage/new": ADMIN,
    "POST /forums/manage/new": ADMIN,
    "GET /forums/moderation": MODS,
    "POST /forums/preview": USERS,
    "GET /forums/t/<int:thread_id>": USERS,
    "GET /forums/t/<int:thread_id>/<slug>": USERS,
    "POST /forums/t/<int:thread_id>/reply": USERS,
    "POST /forums/t/<int:thread_id>/accept": AUTHOR_OR_MODS,
    "POST /forums/t/<int:thread_id>/unaccept": AUTHOR_OR_MODS,
    "POST /forums/t/<int:thread_id>/pin": MODS,
    "POST /forums/t/<int:thread_id>/lock": MODS,
    "POST /forums/t/<int:thread_id>/move": MODS,
    "GET /forums/posts/<int:post_id>": USERS,
    "GET /forums/posts/<int:post_id>/fragment": USERS,
    "GET /forums/posts/<int:post_id>/history": USERS,
    "GET /forums/posts/<int:post_id>/edit": AUTHOR_OR_MODS,
    "POST /forums/posts/<int:post_id>/edit": AUTHOR_OR_MODS,
    "POST /forums/posts/<int:post_id>/vote": NOT_AUTHOR,
    # The world's first post has a reply: only moderators delete it now.
    "POST /forums/posts/<int:post_id>/delete": MODS,
    "POST /forums/posts/<int:post_id>/restore": MODS,
    # wiki
    "GET /wiki": USERS,
    "GET /wiki/new": USERS,
    "POST /wiki/new": USERS,
    "GET /wiki/recent": USERS,
    "POST /wiki/preview": USERS,
    "GET /wiki/<slug>": USERS,
    "GET /wiki/<slug>/edit": USERS,
    "POST /wiki/<slug>/edit": USERS,
    "GET /wiki/<slug>/history": USERS,
    "GET /wiki/<slug>/diff": USERS,
    "GET /wiki/<slug>/links-here": USERS,
    "GET /wiki/<slug>/revisions/<int:number>": USERS,
    "GET /wiki/<slug>/rename": USERS,
    "POST /wiki/<slug>/rename": USERS,
    "POST /wiki/<slug>/revert/<int:number>": USERS,
    "POST /wiki/<slug>/state": MODS,  # to "validated", see FORMS
    "POST /wiki/<slug>/delete": MODS,
    "POST /wiki/<slug>/restore": MODS,
    "POST /wiki/write-up/<int:thread_id>": USERS,
    # incentives
    "GET /leaderboard": USERS,
    "GET /incentives/me": USERS,
    "GET /incentives/badges": USERS,
    "GET /u/<username>/points": OWNER_OR_HR,
    "GET /incentives/reports": HR,
    "GET /incentives/reports.csv": HR,
    "GET /incentives/reports/rows": HR,
    "GET /incentives/reports/people/<username>": HR,
    "GET /incentives/rules": ADMIN,
    "GET /incentives/rules/<key>": ADMIN,
    "POST /incentives/rules/<key>": ADMIN,
    "POST /incentives/rules/<key>/reset": ADMIN,
    "GET /incentives/settings": ADMIN,
    "POST /incentives/settings": ADMIN,
    "GET /incentives/suspicious": MODS,
    "POST /incentives/suspicious/reverse": MODS,
    # notifications
    "GET /notifications": USERS,
    "POST /notifications/read-all": USERS,
    "POST /notifications/<int:notification_id>/open": OWNER,
    "POST /watch": USERS,
    # API tokens on the web
    "GET /settings/tokens": USERS,
    "POST /settings/tokens": USERS,
    "POST /settings/tokens/<int:token_id>/revoke": OWNER,
    # e-mail
    "GET /settings/mail": USERS,
    "POST /settings/mail": USERS,
    # Unsubscribing works without logging in: the signed link is the key.
    "GET /mail/unsubscribe/<token>": EVERYONE,
    "POST /mail/unsubscribe/<token>": EVERYONE,
    "GET /admin/mail": ADMIN,
    "POST /admin/mail/flush": ADMIN,
    "POST /admin/mail/<int:mail_id>/retry": ADMIN,
    # handover: the world's employee is leaving, handing over to "target"
    "GET /handover": USERS,
    "GET /handover/new": HR,
    "POST /handover/new": HR,
    "GET /handover/<int:case_id>": OWNER_OR_HR,
    "POST /handover/<int:case_id>/refresh": HR,
    "POST /handover/<int:case_id>/transfer": HR,
    "POST /handover/<int:case_id>/close": HR,
    "POST /handover/<int:case_id>/items": HR,
    "GET /handover/items/<int:item_id>": OWNER_OR_HR,
    "POST /handover/items/<int:item_id>": OWNER,
    "POST /handover/items/<int:item_id>/draft": OWNER,
    "POST /handover/items/<int:item_id>/review": HR,
    "GET /accounts/risk": frozenset({"moderator", "hr", "admin"}),
    # files: the world's file is a text document the employee put on the account
    "POST /files/upload": USERS,
    "GET /files/<int:file_id>": USERS,
    "GET /files/<int:file_id>/download": USERS,
    "GET /files/<int:file_id>/thumbnail": USERS,
    "POST /files/<int:file_id>/versions": USERS,
    "POST /files/<int:file_id>/delete": AUTHOR_OR_MODS,
    "GET /accounts/<int:account_id>/files": USERS,
    "POST /api/v1/files": USERS,
    "GET /api/v1/files/<int:file_id>": USERS,
    "GET /api/v1/accounts/<int:account_id>/files": USERS,
    # search
    "GET /search": USERS,
    "GET /search/similar": USERS,
    "GET /api/v1/search": USERS,
    # experts: the world's employee declared the skill "crm"
    "GET /experts": USERS,
    "GET /experts/people/<username>/edit": OWNER_OR_ADMIN,
    "POST /experts/people/<username>/edit": OWNER_OR_ADMIN,
    "POST /experts/people/<username>/topics/<int:tag_id>": OWNER_OR_ADMIN,
    "POST /experts/skills/<int:skill_id>/remove": OWNER_OR_ADMIN,
    "POST /experts/skills/<int:skill_id>/endorse": NOT_AUTHOR,
    "POST /experts/ask/<int:thread_id>": USERS,
    "GET /api/v1/experts": USERS,
    "GET /api/v1/accounts/<int:account_id>/experts": USERS,
    "POST /api/v1/experts/ask": USERS,
    # the token API
    "GET /api/v1/openapi.json": EVERYONE,
    "POST /api/v1/tokens": EVERYONE,
    "DELETE /api/v1/tokens/current": USERS,
    "GET /api/v1/accounts": USERS,
    "POST /api/v1/accounts": USERS,
    "GET /api/v1/accounts/<int:account_id>": USERS,
    "PATCH /api/v1/accounts/<int:account_id>": MODS,
    "PUT /api/v1/accounts/by-ref/<crm_ref>": MODS,
    "GET /api/v1/accounts/<int:account_id>/timeline": USERS,
    "GET /api/v1/accounts/<int:account_id>/risk": USERS,
    "GET /api/v1/forums": USERS,
    "POST /api/v1/forums": ADMIN,
    "GET /api/v1/threads": USERS,
    "POST /api/v1/threads": USERS,
    "GET /api/v1/threads/<int:thread_id>": USERS,
    "POST /api/v1/threads/<int:thread_id>/posts": USERS,
    "POST /api/v1/posts/<int:post_id>/vote": NOT_AUTHOR,
    "POST /api/v1/posts/<int:post_id>/accept": AUTHOR_OR_MODS,
    "DELETE /api/v1/posts/<int:post_id>/accept": AUTHOR_OR_MODS,
    "GET /api/v1/wiki/<slug>": USERS,
    "PUT /api/v1/wiki/<slug>": USERS,
    "GET /api/v1/wiki/<slug>/revisions": USERS,
    "GET /api/v1/users/<username>": USERS,
    "POST /api/v1/users": ADMIN,
    "PATCH /api/v1/users/<username>": ADMIN,
    "GET /api/v1/users/<username>/points": OWNER_OR_HR,
    "GET /api/v1/reports/contributions": HR,
}


def _routes(app):
    out = {}
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out[f"{method} {rule.rule}"] = rule
    return out


def test_every_route_has_a_row(app):
    routes = set(_routes(app))
    missing = sorted(routes - set(MATRIX))
    stale = sorted(set(MATRIX) - routes)
    assert not missing, f"routes without a row in MATRIX: {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


def build_world(make):
    """A small world; returns the people by role and the values for URLs."""
    people = {
        "employee": make.user("emma"),
        "moderator": make.user("mod", role="moderator"),
        "hr": make.user("hr", role="hr"),
        "admin": make.user("root", role="admin"),
        "departed": make.user("gone"),
    }
    target = make.user("target")  # whom the admin pages change
    dept = make.department("Sales")
    auth_service.deactivate(people["departed"], departed=True)
    account = accounts_service.create_account("ACME", "CRM-1")
    forum = make_forum("Questions", kind="questions", slug="questions")
    thread = forums.create_thread(
        forum, people["employee"], "Renewal?", "How?", accounts=[account]
    )
    reply = forums.reply(thread, people["moderator"], "Like this.")
    first = thread_first_post(thread)
    page = wiki.create_page("Guide", "one", people["employee"])
    db.session.flush()
    wiki.edit_page(page, "two", people["employee"], base_revision=1)
    tag = tags_service.tags_from_text("crm")[0]
    skill = experts.add_skill(people["employee"], people["employee"], "crm", 2)
    token, _secret = api_service.create_token(people["employee"], "t")
    mail = MailMessage(
        user_id=people["employee"].id,
        kind="mention",
        to_addr="emma@example.com",
        subject="s",
        body_text="t",
        body_html="h",
        status="failed",
    )
    db.session.add(mail)
    document = files_service.upload(
        "ACME 续约要点\n".encode(),
        "notes.txt",
        people["employee"],
        f"account:{account.id}",
    )
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(picture, "PNG")
    image = files_service.upload(
        picture.getvalue(), "chart.png", people["employee"], f"account:{account.id}"
    )
    db.session.flush()
    case = handover.open_case(
        people["employee"],
        clock.now().date() + timedelta(days=30),
        [target],
        people["hr"],
    )
    db.session.flush()
    item = db.session.scalar(
        sa.select(HandoverItem).where(HandoverItem.case_id == case.id).limit(1)
    )
    db.session.commit()
    notification = db.session.scalar(
        sa.select(Notification).where(Notification.user_id == people["employee"].id)
    )
    values = {
        "account_id": account.id,
        "thread_id": thread.id,
        "post_id": first.id,
        "forum_slug": forum.slug,
        "username": "emma",
        "user_id": target.id,
        "dept_id": dept.id,
        "key": "answer_posted",
        "number": 1,
        "notification_id": notification.id if notification else 1,
        "token_id": token.id,
        "crm_ref": "CRM-1",
        "filename": "css/portal.css",
        "page_slug": page.slug,
        "tag_slug": tag.slug,
        "tag_id": tag.id,
        "skill_id": skill.id,
        "thread_slug": thread.slug,
        "reply_id": reply.id,
        "mail_id": mail.id,
        "case_id": case.id,
        "file_id": document.id,
        "image_id": image.id,
        "item_id": item.id,
        "token": "not-a-signed-token",
    }
    return people, values


def thread_first_post(thread):
    return db.session.scalar(
        sa.select(forums.Post).where(
            forums.Post.thread_id == thread.id, forums.Post.is_first.is_(True)
        )
    )


# What a request sends where an empty form says nothing useful.
FORMS = {"POST /wiki/<slug>/state": {"state": "validated"}}


def _delete_page(people, values):
    wiki.delete_page(wiki.get_page(values["page_slug"]), people["admin"])


def _delete_reply(people, values):
    forums.delete_post(db.session.get(forums.Post, values["post_id"]), people["admin"])


def _deactivate(people, values):
    auth_service.deactivate(db.session.get(type(people["admin"]), values["user_id"]))


# What must be true before each person tries the route: restoring needs
# something deleted.
SETUP = {
    "POST /wiki/<slug>/restore": _delete_page,
    "POST /forums/posts/<int:post_id>/restore": _delete_reply,
    "POST /admin/users/<int:user_id>/reactivate": _deactivate,
}
# Routes whose allowed use changes what the next person would meet: each
# person meets the world afresh.
FRESH_PER_PERSON = {
    "POST /wiki/<slug>/delete",
    "POST /wiki/<slug>/restore",
    "POST /wiki/<slug>/state",
    "POST /forums/posts/<int:post_id>/delete",
    "POST /forums/posts/<int:post_id>/restore",
    "POST /admin/users/<int:user_id>/deactivate",
    "POST /admin/users/<int:user_id>/reactivate",
    "POST /settings/tokens/<int:token_id>/revoke",
    "POST /forums/t/<int:thread_id>/move",
    "POST /handover/<int:case_id>/close",
    "POST /handover/<int:case_id>/transfer",
    "POST /handover/items/<int:item_id>/review",
    "POST /files/<int:file_id>/delete",
    "POST /experts/skills/<int:skill_id>/remove",
    "POST /experts/skills/<int:skill_id>/endorse",
    "POST /experts/ask/<int:thread_id>",
}
# Where the allowed outcome is to be sent to the login page.
ENDS_AT_LOGIN = {"POST /logout"}


# Where a route needs another value than the usual one for a name.
VALUES = {"GET /files/<int:file_id>/thumbnail": {"file_id": "image_id"}}


def _url(rule, values, route="") -> str:
    args = {}
    for name in rule.arguments:
        if name in VALUES.get(route, {}):
            args[name] = values[VALUES[route][name]]
            continue
        if name == "slug":
            if rule.endpoint.startswith("tags."):
                args[name] = values["tag_slug"]
            elif rule.endpoint.startswith("forums."):
                args[name] = values["thread_slug"]
            else:
                args[name] = values["page_slug"]
        else:
            assert name in values, f"add a value for <{name}> to the world fixture"
            args[name] = values[name]
    return rule.build(args, append_unknown=False)[1]


def _outcome(app, role, people, method, url, form=None) -> str:
    """'allowed', 'login' (sent to log in / 401) or 'refused' (403/404)."""
    api = url.startswith("/api/v1/")
    headers = {}
    if role == "anonymous":
        client = app.test_client()
    elif api:
        client = app.test_client()
        user = people[role]
        if role == "departed":
            # A token made before leaving stops working when they leave.
            headers["Authorization"] = "Bearer " + _departed_token(user)
        else:
            _t, secret = api_service.create_token(user, "matrix")
            db.session.commit()
            headers["Authorization"] = f"Bearer {secret}"
    else:
        client = app.test_client(user=people[role])
    kwargs = {"headers": headers}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        kwargs["json" if api else "data"] = form or {}
    response = client.open(url, method=method, **kwargs)
    status = response.status_code
    location = response.headers.get("Location", "")
    response.close()  # a static file is streamed from an open file
    if status == 401 or (status in (301, 302, 303) and "/login" in location):
        return "login"
    if status in (403, 404):
        return "refused"
    assert status < 500, f"{method} {url} as {role}: {status}"
    return "allowed"


def _departed_token(user) -> str:
    return "tacit_not_a_live_token_of_" + user.username


READS = sorted(r for r in MATRIX if r.startswith("GET ") and r not in SETUP)
WRITES = sorted(set(MATRIX) - set(READS))


@pytest.fixture(scope="class")
def read_world(_schema, database_url, tmp_path_factory):
    """One world for every route that only reads: the cells cannot disturb
    each other, and the world is built once instead of once per route. It is
    emptied when the class of reading tests ends, before any writing test."""
    instance = tmp_path_factory.mktemp("matrix")
    with app_on_empty_tables(database_url, instance) as app:
        people, values = build_world(factories.Factories())
        yield app, people, values


def _check(app, route, worlds) -> None:
    """Ask the route as every role, each in the world ``worlds(role)`` gives,
    and fail with every cell that differs from the row."""
    routes = _routes(app)
    if route not in routes:
        pytest.fail(f"{route} is in MATRIX but not in the app")
    method = route.split(" ", 1)[0]
    rule = routes[route]
    allowed = MATRIX[route]
    wrong = {}
    for role in ROLES:
        people, values = worlds(role)
        url = _url(rule, values, route)
        got = _outcome(app, role, people, method, url, FORMS.get(route))
        if role in allowed:
            expected = "login" if route in ENDS_AT_LOGIN else "allowed"
        elif role in ("anonymous", "departed"):
            expected = "login"
        else:
            expected = "refused"
        if got != expected:
            wrong[role] = f"{got}, expected {expected}"
    assert not wrong, f"{route}: {wrong}"


class TestReadingRoutes:
    @pytest.mark.parametrize("route", READS)
    def test_obeys_its_row(self, read_world, route):
        app, people, values = read_world
        _check(app, route, lambda role: (people, values))


@pytest.mark.parametrize("route", WRITES)
def test_writing_route_obeys_its_row(app, make, route):
    world = []

    def worlds(role):
        if not world or route in FRESH_PER_PERSON:
            if world:
                db.session.remove()
                _empty_tables()
            world[:] = build_world(make)
            if route in SETUP:
                SETUP[route](*world)
                db.session.commit()
        return world

    _check(app, route, worlds)
