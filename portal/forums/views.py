"""Forum pages: boards, thread lists, threads, writing, voting, moderating.

Every action is a POST form (CSRF-protected) that works without JavaScript;
``static/js/forums.js`` adds previews, similar questions and voting in place.
"""

import difflib
from datetime import datetime
from functools import partial
from typing import NamedTuple

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from portal import fragments, versions
from portal.accounts import service as accounts_service
from portal.accounts.models import CustomerAccount
from portal.auth.models import Department
from portal.auth.permissions import require
from portal.errors import (
    DomainError,
    Forbidden,
    Invalid,
    attach_to_form,
    flash_error,
    wants_json,
)
from portal.extensions import db
from portal.forums import permissions, service
from portal.forums.forms import (
    ForumForm,
    MoveForm,
    PostEditForm,
    ReplyForm,
    ThreadForm,
)
from portal.forums.models import Forum, Post, Thread
from portal.lru import LRU
from portal.tags import service as tags_service
from portal.tags.models import Tag

bp = Blueprint("forums", __name__)

# Rendered posts and thread-list rows, each shared by every reader who sees it
# the same way (portal/fragments.py).
POST_CACHE = "forums.post_html"
ROW_CACHE = "forums.thread_row_html"
PAGE_POSTS = "forums.page_posts"


@bp.record_once
def _fragment_caches(state) -> None:
    config = state.app.config
    state.app.extensions[POST_CACHE] = fragments.FragmentCache(
        config.get("FORUMS_POST_CACHE_SIZE", 2000)
    )
    state.app.extensions[ROW_CACHE] = fragments.FragmentCache(
        config.get("FORUMS_ROW_CACHE_SIZE", 2000)
    )
    # Which posts, by whom, each thread page shows: its whole page's key.
    state.app.extensions[PAGE_POSTS] = LRU(config.get("FORUMS_PAGE_POSTS_SIZE", 2000))


def _viewer():
    return current_user._get_current_object()


def _page_arg() -> int:
    page = request.args.get("page", 1, type=int)
    return page if page and page > 0 else 1


def _wants_preview() -> bool:
    return bool(request.form.get("preview"))


def _thread_location(thread: Thread, page: int = 1, anchor: str | None = None) -> str:
    return url_for(
        "forums.view_thread",
        thread_id=thread.id,
        slug=thread.slug,
        page=page if page > 1 else None,
        _anchor=anchor,
    )


def _post_location(post: Post) -> str:
    return url_for(
        "forums.view_thread",
        thread_id=post.thread_id,
        slug=post.thread.slug,
        page=service.page_of_post(post),
        _anchor=f"post-{post.id}",
    )


# --- forums and thread lists ----------------------------------------------------


@bp.route("/forums")
def list_forums():
    forums = service.readable_forums(_viewer())
    return render_template("forums/list.html", forums=forums)


def _filters() -> dict:
    """Read the list filters from the address; unknown tags and accounts are 404."""
    args = {
        "tag": request.args.get("tag", "").strip(),
        "account": request.args.get("account", "").strip(),
        "state": request.args.get("state", "").strip(),
    }
    tag = tags_service.get_by_slug(args["tag"]) if args["tag"] else None
    account = None
    if args["account"]:
        if not args["account"].isdigit():
            raise Invalid(_("The account filter takes an account id."))
        account = accounts_service.get_account(int(args["account"]))
    if args["state"] not in service.STATES:
        args["state"] = ""
    return {
        "args": args,
        "tag": tag,
        "account": account,
        "state": args["state"] or None,
    }


def _thread_list(forum: Forum | None, total_if_unfiltered: int):
    f = _filters()
    stmt = service.list_threads(
        _viewer(), forum=forum, tag=f["tag"], account=f["account"], state=f["state"]
    )
    filtered = any(f["args"].values())
    page = db.paginate(
        stmt,
        page=_page_arg(),
        per_page=service.THREADS_PER_PAGE,
        error_out=False,
        # Unfiltered, the forums' counters are the total: no COUNT needed.
        count=filtered,
    )
    if not filtered:
        page.total = total_if_unfiltered
    return page, f


@bp.route("/forums/<forum_slug>")
def view_forum(forum_slug: str):
    forum = service.get_forum(forum_slug, _viewer())
    page, f = _thread_list(forum, forum.thread_count)
    return render_template(
        "forums/threads.html",
        forum=forum,
        page=page,
        row_html=_thread_rows(page.items, forum),
        args=f["args"],
        tag=f["tag"],
        account=f["account"],
        active={k: v for k, v in f["args"].items() if v},
    )


@bp.route("/forums/threads")
def list_threads():
    forums = service.readable_forums(_viewer())
    page, f = _thread_list(None, sum(forum.thread_count for forum in forums))
    return render_template(
        "forums/threads.html",
        forum=None,
        page=page,
        row_html=_thread_rows(page.items, None),
        args=f["args"],
        tag=f["tag"],
        account=f["account"],
        active={k: v for k, v in f["args"].items() if v},
    )


# --- new thread -----------------------------------------------------------------


@bp.route("/forums/new", methods=["GET", "POST"])
@bp.route("/forums/<forum_slug>/new", methods=["GET", "POST"])
def new_thread(forum_slug: str | None = None):
    viewer = _viewer()
    forum = service.get_forum(forum_slug, viewer) if forum_slug else None
    forums = service.readable_forums(viewer)
    if not forums:
        abort(404)
    form = ThreadForm()
    form.forum.choices = [(f.id, f.name) for f in forums]
    linked_accounts: list[CustomerAccount] = []
    if request.method == "GET":
        questions = [f for f in forums if f.kind == "questions"]
        default = forum or (questions[0] if questions else forums[0])
        form.forum.data = default.id
        form.title.data = request.args.get("title", "")[:200]
        account_id = request.args.get("account", type=int)
        account = db.session.get(CustomerAccount, account_id) if account_id else None
        if account is not None:
            form.accounts.data = account.crm_ref
            linked_accounts = [account]
        tag_slug = request.args.get("tag", "")
        if tag_slug:
            tag = db.session.scalar(sa.select(Tag).where(Tag.slug == tag_slug))
            if tag is not None:
                form.tags.data = tag.name
    status = 200
    preview = None
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            try:
                target = service.get_forum_by_id(form.forum.data, viewer)
                linked_accounts = service.resolve_accounts(form.accounts.data)
                if _wants_preview():
                    preview = service.preview(form.body.data)
                else:
                    thread = service.create_thread(
                        target,
                        viewer,
                        form.title.data,
                        form.body.data,
                        tags=form.tags.data,
                        accounts=form.accounts.data,
                    )
            except DomainError as e:
                db.session.rollback()
                attach_to_form(form, e)
                status = e.status
            else:
                if preview is None:
                    db.session.commit()
                    flash(_("Your thread is posted."), "success")
                    return redirect(thread.url)
    selected = next((f for f in forums if f.id == form.forum.data), forum)
    return render_template(
        "forums/new_thread.html",
        form=form,
        forum=selected,
        preview=preview,
        linked_accounts=linked_accounts,
    ), status


# --- a thread -------------------------------------------------------------------


def _render_thread(
    thread: Thread,
    page: int,
    *,
    form: ReplyForm | None = None,
    preview: Markup | None = None,
    status: int = 200,
):
    viewer = _viewer()
    posts = service.thread_posts(thread, page)
    if not posts.items and page > 1:
        abort(404)
    form = form or ReplyForm()
    if request.method == "GET" and not form.body.data:
        quote_id = request.args.get("quote", type=int)
        quoted = db.session.get(Post, quote_id) if quote_id else None
        if quoted is not None and quoted.thread_id == thread.id and not quoted.deleted:
            form.body.data = service.quote(quoted)
    form.page.data = posts.page
    move_form = None
    if permissions.can_moderate(viewer, thread.forum):
        move_form = MoveForm()
        move_form.forum.choices = [
            (f.id, f.name) for f in service.movable_forums(thread, viewer)
        ]
    return render_template(
        "forums/thread.html",
        thread=thread,
        forum=thread.forum,
        posts=posts,
        form=form,
        preview=preview,
        move_form=move_form,
        post_html=_post_html(viewer, thread, posts.items),
    ), status


# --- rendered fragments ------------------------------------------------------


class Author(NamedTuple):
    """What a fragment shows of a person (``user_link``)."""

    username: str
    display_name: str
    departed: bool


def _author(user) -> Author | None:
    if user is None:
        return None
    return Author(user.username, user.display_name, user.departed)


def _reader() -> tuple:
    """What every fragment's HTML depends on besides its data: the reader's
    language and time zone, and where the portal is mounted (``url_for``)."""
    return (str(get_locale()), str(get_timezone()), request.script_root)


class PostView(NamedTuple):
    """All that ``forums/_post.html`` shows of one post to one reader.

    With the language, the time zone and the body, it is the key of the post's
    rendered HTML: a reader with another vote, other rights, or who sees the
    post after an edit, a vote, an acceptance or a rename, has another key.
    """

    id: int
    url: str
    first: bool
    deleted: bool
    created_at: datetime
    created_ago: str  # "3 hours ago": changes with the clock
    edited_at: datetime | None
    score: int
    author: Author | None
    thread_id: int
    thread_slug: str
    accepted: bool
    may: permissions.PostActions
    mine: int  # the reader's vote: -1, 0 or +1


def _post_html(viewer, thread: Thread, posts: list[Post]) -> list[Markup]:
    """Return the HTML of ``posts`` (of ``thread``) as ``viewer`` sees them.

    The reader's votes and what they may do with each post are worked out once
    for the page; each post is rendered once for everyone who sees it the same
    way and kept in the fragment cache (``portal/fragments.py``).
    """
    votes = service.votes_by(viewer, [p.id for p in posts])
    actions = permissions.post_actions(viewer, thread, posts)
    time_ago = current_app.jinja_env.filters["time_ago"]
    reader = _reader()
    cache = current_app.extensions[POST_CACHE]
    values = {"csrf": fragments.csrf_token()}
    html = []
    for post in posts:
        view = PostView(
            id=post.id,
            url=post.url,
            first=post.is_first,
            deleted=post.deleted_at is not None,
            created_at=post.created_at,
            created_ago=time_ago(post.created_at),
            edited_at=post.edited_at,
            score=post.score,
            author=_author(post.author),
            thread_id=thread.id,
            thread_slug=thread.slug,
            accepted=thread.accepted_post_id == post.id,
            may=actions[post.id],
            mine=votes.get(post.id, 0),
        )
        body = post.body_html
        key = (view, hash(body), len(body), post.updated_at, reader)
        render = partial(
            render_template,
            "forums/_post.html",
            p=view,
            body=body,
            token=fragments.hole("csrf"),
        )
        html.append(cache.get(key, render).fill(values))
    return html


class Label(NamedTuple):
    """A tag (``slug``, ``name``) or an account (``url``, ``crm_ref``, ``name``)
    on a thread, as ``forums/_macros.html``'s ``labels`` shows it."""

    slug: str | None = None
    name: str = ""
    url: str | None = None
    crm_ref: str | None = None


class ThreadRow(NamedTuple):
    """All that ``forums/_thread_row.html`` shows of a thread in a list: with
    the language and the time zone, the key of the row's rendered HTML. The
    list's query decides who sees the thread; the row is the same for all."""

    id: int
    url: str
    title: str
    is_question: bool
    state: str
    pinned: bool
    locked: bool
    deleted_at: datetime | None
    created_at: datetime
    created_ago: str
    author: Author | None
    tags: tuple[Label, ...]
    accounts: tuple[Label, ...]
    reply_count: int
    last_activity_at: datetime
    last_ago: str
    last_poster: Author | None
    forum: tuple[str, str] | None  # (url, name) on the list of all forums
    list_forum_slug: str | None  # the forum whose list this is; labels filter it


def _thread_rows(threads: list[Thread], forum: Forum | None) -> list[Markup]:
    """Return the rows of a thread list, each rendered once for all readers."""
    time_ago = current_app.jinja_env.filters["time_ago"]
    reader = _reader()
    cache = current_app.extensions[ROW_CACHE]
    html = []
    for thread in threads:
        row = ThreadRow(
            id=thread.id,
            url=thread.url,
            title=thread.title,
            is_question=thread.is_question,
            state=thread.state,
            pinned=thread.pinned,
            locked=thread.locked,
            deleted_at=thread.deleted_at,
            created_at=thread.created_at,
            created_ago=time_ago(thread.created_at),
            author=_author(thread.author),
            tags=tuple(Label(slug=t.slug, name=t.name) for t in thread.tags),
            accounts=tuple(
                Label(url=a.url, crm_ref=a.crm_ref, name=a.name)
                for a in thread.accounts
            ),
            reply_count=thread.reply_count,
            last_activity_at=thread.last_activity_at,
            last_ago=time_ago(thread.last_activity_at),
            last_poster=_author(thread.last_poster),
            forum=None if forum else (thread.forum.url, thread.forum.name),
            list_forum_slug=forum.slug if forum else None,
        )
        render = partial(render_template, "forums/_thread_row.html", r=row)
        html.append(cache.get((row, reader), render).fill({}))
    return html


@bp.route("/forums/t/<int:thread_id>")
@bp.route("/forums/t/<int:thread_id>/<slug>")
def view_thread(thread_id: int, slug: str | None = None):
    thread = service.get_thread(thread_id, _viewer())
    if slug != thread.slug:
        # The slug only decorates the address; send everyone to the current one.
        args = request.args.to_dict()
        return redirect(
            url_for(
                "forums.view_thread", thread_id=thread.id, slug=thread.slug, **args
            ),
            301,
        )
    page = _page_arg()
    return fragments.render_page(
        _thread_page_key(thread, page), lambda: _render_thread(thread, page)[0]
    )


def _thread_page_key(thread: Thread, page: int) -> tuple | None:
    """What page ``page`` of ``thread`` shows that depends on who reads it,
    with the versions of what it shows (``fragments.render_page``).

    The reader's rights there follow from their reading scope and from
    whether they wrote the thread or a post on the page (``permissions.
    post_actions``); the other packages' parts of the page (the write-up, the
    experts asked) ask nothing else of them. Add their votes on the page and
    whether they watch the thread, and readers with the same answers see the
    same page. Moderators' pages are not kept (their tools list the forums),
    nor a page whose form quotes a post.
    """
    viewer = _viewer()
    if request.args.get("quote") or permissions.can_moderate(viewer, thread.forum):
        return None
    # The accounts' names are on the page: their versions count too.
    subjects = (
        versions.thread(thread.id),
        versions.ALL,
        *(versions.account(a.id) for a in thread.accounts),
    )
    post_ids, authors = versions.remembered(
        current_app.extensions[PAGE_POSTS],
        (thread.id, page),
        subjects,
        lambda: _page_posts(thread, page),
    )
    involved = viewer.id == thread.author_id or viewer.id in authors
    watching = current_app.jinja_env.globals.get("watching_now")
    return (
        thread.id,
        page,
        versions.read(subjects),
        permissions.reading_scope(viewer),
        viewer.id if involved else None,
        tuple(sorted(service.votes_by(viewer, list(post_ids)).items())),
        watching("thread", thread.id) if watching else None,
    )


def _page_posts(thread: Thread, page: int) -> tuple[tuple[int, ...], frozenset]:
    posts = service.thread_posts(thread, page).items
    return tuple(p.id for p in posts), frozenset(p.author_id for p in posts)


@bp.route("/forums/t/<int:thread_id>/reply", methods=["POST"])
def reply_thread(thread_id: int):
    viewer = _viewer()
    thread = service.get_thread(thread_id, viewer)
    form = ReplyForm()
    page = form.page.data or 1
    if not form.validate_on_submit():
        return _render_thread(thread, page, form=form, status=400)
    try:
        if _wants_preview():
            return _render_thread(
                thread, page, form=form, preview=service.preview(form.body.data)
            )
        post = service.reply(thread, viewer, form.body.data)
        location = _post_location(post)
    except DomainError as e:
        db.session.rollback()
        attach_to_form(form, e)
        return _render_thread(thread, page, form=form, status=e.status)
    db.session.commit()
    return redirect(location)


@bp.route("/forums/posts/<int:post_id>")
def view_post(post_id: int):
    post = service.get_post(post_id, _viewer())
    return redirect(_post_location(post))


@bp.route("/forums/posts/<int:post_id>/fragment")
def post_fragment(post_id: int):
    """One post as HTML, for the reader: what live updates insert."""
    viewer = _viewer()
    post = service.get_post(post_id, viewer)
    return _post_html(viewer, post.thread, [post])[0]


@bp.route("/forums/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    viewer = _viewer()
    post = service.get_post(post_id, viewer)
    require(permissions.can_edit_post(viewer, post))
    thread = post.thread
    form = PostEditForm()
    if request.method == "GET":
        form.body.data = post.body
        if post.is_first:
            form.title.data = thread.title
            form.tags.data = ", ".join(t.name for t in thread.tags)
            form.accounts.data = ", ".join(a.crm_ref for a in thread.accounts)
    status = 200
    preview = None
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            try:
                if _wants_preview():
                    preview = service.preview(form.body.data)
                else:
                    first = post.is_first
                    service.edit_post(
                        post,
                        viewer,
                        form.body.data,
                        title=form.title.data if first else None,
                        tags=form.tags.data if first else None,
                        accounts=form.accounts.data if first else None,
                    )
                    location = _post_location(post)
            except DomainError as e:
                db.session.rollback()
                attach_to_form(form, e)
                status = e.status
            else:
                if preview is None:
                    db.session.commit()
                    flash(_("Your changes are saved."), "success")
                    return redirect(location)
    return render_template(
        "forums/edit_post.html",
        form=form,
        post=post,
        thread=thread,
        forum=thread.forum,
        preview=preview,
    ), status


def _line_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return ``(op, line)`` pairs, op one of ``" "``, ``"-"``, ``"+"``."""
    return [
        (line[0], line[2:])
        for line in difflib.ndiff(old.splitlines(), new.splitlines())
        if line[:1] in (" ", "-", "+")
    ]


@bp.route("/forums/posts/<int:post_id>/history")
def post_history(post_id: int):
    viewer = _viewer()
    post = service.get_post(post_id, viewer)
    require(permissions.can_view_history(viewer, post))
    thread = post.thread
    revisions = service.revisions(post)
    current = {
        "number": len(revisions) + 1,
        "title": thread.title if post.is_first else None,
        "body": post.body,
        "body_html": post.body_html,
        "editor": post.edited_by or post.author,
        "created_at": post.edited_at or post.created_at,
    }
    versions = [current] + [
        {
            "number": r.number,
            "title": r.title,
            "body": r.body,
            "body_html": r.body_html,
            "editor": r.editor,
            "created_at": r.created_at,
        }
        for r in revisions
    ]
    for newer, older in zip(versions, versions[1:], strict=False):
        newer["diff"] = _line_diff(older["body"], newer["body"])
        newer["title_changed"] = (older["title"] or "") != (newer["title"] or "")
        newer["old_title"] = older["title"]
    return render_template(
        "forums/history.html",
        post=post,
        thread=thread,
        forum=thread.forum,
        versions=versions,
    )


# --- actions on posts and threads -----------------------------------------------


def _refused(thread: Thread, error: DomainError, page: int = 1):
    """Show a refused action on the thread page, with the reason and its status."""
    db.session.rollback()
    if wants_json():
        return jsonify(
            {"error": {"code": error.code, "message": error.message}}
        ), error.status
    flash_error(error)
    return _render_thread(thread, page, status=error.status)


@bp.route("/forums/posts/<int:post_id>/vote", methods=["POST"])
def vote_post(post_id: int):
    viewer = _viewer()
    post = service.get_post(post_id, viewer)
    thread = post.thread
    page = service.page_of_post(post)
    try:
        value = request.form.get("value", type=int)
        service.vote(post, viewer, value)
        score, location = post.score, _post_location(post)
    except DomainError as e:
        return _refused(thread, e, page)
    db.session.commit()
    if wants_json():
        return jsonify({"post_id": post_id, "score": score, "vote": value})
    return redirect(location)


@bp.route("/forums/t/<int:thread_id>/accept", methods=["POST"])
def accept_answer(thread_id: int):
    viewer = _viewer()
    thread = service.get_thread(thread_id, viewer)
    try:
        if thread.is_question and not permissions.can_accept(viewer, thread):
            raise Forbidden(_("Only the asker and moderators can accept an answer."))
        post_id = request.form.get("post_id", type=int)
        post = db.session.get(Post, post_id) if post_id else None
        if post is None or post.thread_id != thread.id:
            raise Invalid(_("That post is not an answer in this thread."))
        service.accept_answer(thread, post, viewer)
    except DomainError as e:
        return _refused(thread, e)
    db.session.commit()
    flash(_("The answer is accepted."), "success")
    return redirect(_thread_location(thread, anchor=f"post-{post.id}"))


@bp.route("/forums/t/<int:thread_id>/unaccept", methods=["POST"])
def unaccept_answer(thread_id: int):
    viewer = _viewer()
    thread = service.get_thread(thread_id, viewer)
    try:
        service.unaccept_answer(thread, viewer)
    except DomainError as e:
        return _refused(thread, e)
    db.session.commit()
    flash(_("The answer is no longer accepted."), "success")
    return redirect(_thread_location(thread))


@bp.route("/forums/posts/<int:post_id>/delete", methods=["POST"])
def delete_post(post_id: int):
    viewer = _viewer()
    post = service.get_post(post_id, viewer)
    thread = post.thread
    page = service.page_of_post(post)
    try:
        service.delete_post(post, viewer)
    except DomainError as e:
        return _refused(thread, e, page)
    db.session.commit()
    if post.is_first:
        flash(_("The thread is deleted."), "success")
        if permissions.can_read_thread(viewer, thread):
            return redirect(thread.url)
        return redirect(thread.forum.url)
    flash(_("The post is deleted."), "success")
    return redirect(_thread_location(thread, page, f"post-{post.id}"))


@bp.route("/forums/posts/<int:post_id>/restore", methods=["POST"])
def restore_post(post_id: int):
    viewer = _viewer()
    post = service.get_post(post_id, viewer)
    thread = post.thread
    page = service.page_of_post(post)
    try:
        service.restore_post(post, viewer)
    except DomainError as e:
        return _refused(thread, e, page)
    db.session.commit()
    flash(_("The post is restored."), "success")
    return redirect(_thread_location(thread, page, f"post-{post.id}"))


def _flag() -> bool:
    return request.form.get("value") == "1"


@bp.route("/forums/t/<int:thread_id>/pin", methods=["POST"])
def pin_thread(thread_id: int):
    viewer = _viewer()
    thread = service.get_thread(thread_id, viewer)
    require(permissions.can_moderate(viewer, thread.forum))
    service.set_pinned(thread, viewer, _flag())
    db.session.commit()
    flash(
        _("The thread is pinned.") if thread.pinned else _("The thread is unpinned."),
        "success",
    )
    return redirect(thread.url)


@bp.route("/forums/t/<int:thread_id>/lock", methods=["POST"])
def lock_thread(thread_id: int):
    viewer = _viewer()
    thread = service.get_thread(thread_id, viewer)
    require(permissions.can_moderate(viewer, thread.forum))
    service.set_locked(thread, viewer, _flag())
    db.session.commit()
    flash(
        _("The thread is locked.") if thread.locked else _("The thread is unlocked."),
        "success",
    )
    return redirect(thread.url)


@bp.route("/forums/t/<int:thread_id>/move", methods=["POST"])
def move_thread(thread_id: int):
    viewer = _viewer()
    thread = service.get_thread(thread_id, viewer)
    require(permissions.can_moderate(viewer, thread.forum))
    try:
        forum_id = request.form.get("forum", type=int)
        if not forum_id:
            raise Invalid(_("Choose a forum."), details={"field": "forum"})
        target = service.get_forum_by_id(forum_id, viewer)
        service.move_thread(thread, viewer, target)
    except DomainError as e:
        return _refused(thread, e)
    db.session.commit()
    flash(_("The thread is moved to %(forum)s.", forum=target.name), "success")
    return redirect(thread.url)


@bp.route("/forums/moderation")
def moderation_log():
    require(permissions.can_moderate(_viewer()))
    page = db.paginate(
        service.moderation_log(), page=_page_arg(), per_page=50, error_out=False
    )
    return render_template("forums/moderation.html", page=page)


@bp.route("/forums/preview", methods=["POST"])
def preview_post():
    """Return the HTML a post body would show (for the editor's preview tab)."""
    try:
        html = service.preview(request.form.get("body", ""))
    except Invalid as e:
        return Markup('<p class="forums-preview-empty">{}</p>').format(e.message), 400
    return html


# --- managing forums ------------------------------------------------------------


def _department_choices():
    depts = db.session.scalars(sa.select(Department).order_by(Department.name))
    return [(0, _("Everyone"))] + [(d.id, d.name) for d in depts]


@bp.route("/forums/manage/new", methods=["GET", "POST"])
@bp.route("/forums/<forum_slug>/edit", methods=["GET", "POST"])
def edit_forum(forum_slug: str | None = None):
    viewer = _viewer()
    require(permissions.can_manage_forums(viewer))
    forum = service.get_forum(forum_slug, viewer) if forum_slug else None
    form = ForumForm(obj=forum)
    form.department_id.choices = _department_choices()
    if request.method == "GET" and forum is not None:
        form.department_id.data = forum.department_id or 0
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            dept = (
                db.session.get(Department, form.department_id.data)
                if form.department_id.data
                else None
            )
            fields = {
                "slug": form.slug.data,
                "description": form.description.data or "",
                "kind": form.kind.data,
                "department": dept,
                "position": form.position.data,
            }
            try:
                if forum is None:
                    forum = service.create_forum(form.name.data, **fields)
                else:
                    service.update_forum(forum, name=form.name.data, **fields)
            except DomainError as e:
                db.session.rollback()
                attach_to_form(form, e)
                status = e.status
            else:
                db.session.commit()
                flash(_("Forum %(name)s saved.", name=forum.name), "success")
                return redirect(forum.url)
    return render_template("forums/forum_form.html", form=form, forum=forum), status
