"""API v1: forums, threads, posts, votes and accepted answers.

Every call goes through ``portal.forums.service`` as the token's owner, so a
restricted forum is exactly as closed as on the web: 404, as if it did not exist.
"""

from flask import request
from flask_login import current_user

from portal.api.common import (
    PAGING_PARAMS,
    endpoint,
    int_arg,
    iso,
    json_body,
    paged_schema,
    paginate,
    ref,
    string_field,
)
from portal.api.schemas import SCHEMAS
from portal.auth import service as auth_service
from portal.errors import Conflict, Forbidden, Invalid
from portal.extensions import db
from portal.forums import permissions
from portal.forums import service as forums
from portal.forums.models import Forum, Post, Thread
from portal.tags import service as tags_service

_TEXT = {"type": "string"}
_TIME = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS.update(
    {
        "Forum": {
            "type": "object",
            "required": ["id", "name", "slug", "kind", "url"],
            "properties": {
                "id": {"type": "integer"},
                "name": _TEXT,
                "slug": _TEXT,
                "description": _TEXT,
                "kind": {"enum": ["discussion", "questions"]},
                "department": {"type": ["string", "null"]},
                "thread_count": {"type": "integer"},
                "post_count": {"type": "integer"},
                "last_activity_at": _TIME,
                "url": _TEXT,
            },
        },
        "ForumInput": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 120},
                "slug": {"type": "string", "maxLength": 120},
                "description": {"type": "string", "maxLength": 500},
                "kind": {"enum": ["discussion", "questions"]},
                "department": {"type": ["string", "null"], "maxLength": 120},
            },
        },
        "Thread": {
            "type": "object",
            "required": ["id", "forum", "title", "author", "url"],
            "properties": {
                "id": {"type": "integer"},
                "forum": _TEXT,
                "title": _TEXT,
                "author": _TEXT,
                "question": {"type": "boolean"},
                "answered": {"type": "boolean"},
                "accepted_post": {"type": ["integer", "null"]},
                "reply_count": {"type": "integer"},
                "pinned": {"type": "boolean"},
                "locked": {"type": "boolean"},
                "tags": {"type": "array", "items": _TEXT},
                "accounts": {"type": "array", "items": {"type": "integer"}},
                "created_at": _TIME,
                "last_activity_at": _TIME,
                "url": _TEXT,
            },
        },
        "ThreadWithPosts": {
            "allOf": [
                {"$ref": "#/components/schemas/Thread"},
                {
                    "type": "object",
                    "required": ["posts", "page", "per_page", "total"],
                    "properties": {
                        "posts": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Post"},
                        },
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "total": {"type": "integer"},
                    },
                },
            ]
        },
        "ThreadInput": {
            "type": "object",
            "additionalProperties": False,
            "required": ["forum", "title", "body"],
            "properties": {
                "forum": {
                    "oneOf": [
                        {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                        {"type": "string", "minLength": 1, "maxLength": 120},
                    ]
                },
                "title": {"type": "string", "minLength": 1, "maxLength": 200},
                "body": {"type": "string", "minLength": 1},
                "tags": {"type": "array", "items": {"type": "string"}},
                "accounts": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                },
            },
        },
        "Post": {
            "type": "object",
            "required": ["id", "thread", "author", "deleted", "url"],
            "properties": {
                "id": {"type": "integer"},
                "thread": {"type": "integer"},
                "author": _TEXT,
                "body": {"type": ["string", "null"]},
                "body_html": {"type": ["string", "null"]},
                "score": {"type": "integer"},
                "accepted": {"type": "boolean"},
                "deleted": {"type": "boolean"},
                "created_at": _TIME,
                "edited_at": _TIME,
                "url": _TEXT,
            },
        },
        "PostInput": {
            "type": "object",
            "additionalProperties": False,
            "required": ["body"],
            "properties": {"body": {"type": "string", "minLength": 1}},
        },
        "VoteInput": {
            "type": "object",
            "additionalProperties": False,
            "required": ["value"],
            "properties": {"value": {"enum": [-1, 0, 1]}},
        },
    }
)


def forum_json(forum: Forum) -> dict:
    return {
        "id": forum.id,
        "name": forum.name,
        "slug": forum.slug,
        "description": forum.description,
        "kind": forum.kind,
        "department": forum.department.name if forum.department else None,
        "thread_count": forum.thread_count,
        "post_count": forum.post_count,
        "last_activity_at": iso(forum.last_activity_at),
        "url": forum.url,
    }


def thread_json(thread: Thread) -> dict:
    return {
        "id": thread.id,
        "forum": thread.forum.slug,
        "title": thread.title,
        "author": thread.author.username,
        "question": thread.is_question,
        "answered": thread.accepted_post_id is not None,
        "accepted_post": thread.accepted_post_id,
        "reply_count": thread.reply_count,
        "pinned": thread.pinned,
        "locked": thread.locked,
        "tags": [tag.name for tag in thread.tags],
        "accounts": [account.id for account in thread.accounts],
        "created_at": iso(thread.created_at),
        "last_activity_at": iso(thread.last_activity_at),
        "url": thread.url,
    }


def post_json(post: Post) -> dict:
    # A deleted post keeps its place, but not its words.
    deleted = post.deleted_at is not None
    return {
        "id": post.id,
        "thread": post.thread_id,
        "author": post.author.username,
        "body": None if deleted else post.body,
        "body_html": None if deleted else str(post.body_html),
        "score": post.score,
        "accepted": post.thread.accepted_post_id == post.id,
        "deleted": deleted,
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "url": post.url,
    }


# --- forums ----------------------------------------------------------------------


@endpoint(
    "/forums",
    "GET",
    summary="The forums you may read",
    tag="forums",
    response={
        "type": "object",
        "properties": {"items": {"type": "array", "items": ref("Forum")}},
    },
    errors=(401, 429),
)
def list_forums():
    return {"items": [forum_json(f) for f in forums.readable_forums(current_user)]}


@endpoint(
    "/forums",
    "POST",
    summary="Create a forum (administrators); a department makes it restricted",
    tag="forums",
    body=ref("ForumInput"),
    response=ref("Forum"),
    status=201,
    errors=(400, 401, 403, 404, 409, 429),
)
def create_forum():
    if not permissions.can_manage_forums(current_user):
        raise Forbidden("Only administrators create forums.")
    data = json_body(
        allowed={"name", "slug", "description", "kind", "department"},
        required={"name"},
    )
    for key in ("name", "slug", "description", "kind", "department"):
        string_field(data, key)
    department = data.get("department")
    forum = forums.create_forum(
        data["name"],
        slug=data.get("slug") or None,
        description=data.get("description") or "",
        kind=data.get("kind") or "discussion",
        department=auth_service.get_department(department) if department else None,
    )
    db.session.commit()
    return forum_json(forum), 201


# --- threads ---------------------------------------------------------------------


@endpoint(
    "/threads",
    "GET",
    summary="Threads you may read, newest activity first",
    tag="forums",
    params=[
        {
            "name": "forum",
            "in": "query",
            "schema": {"type": "string", "maxLength": 120},
        },
        {"name": "account", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "tag", "in": "query", "schema": {"type": "string", "maxLength": 120}},
        {
            "name": "state",
            "in": "query",
            "schema": {"enum": ["unanswered", "unaccepted"]},
        },
        *PAGING_PARAMS,
    ],
    response=paged_schema("Thread"),
)
def list_threads():
    from portal.accounts import service as accounts_service

    forum_ref = request.args.get("forum")
    forum = forums.get_forum(forum_ref, current_user) if forum_ref else None
    account_id = int_arg("account")
    account = accounts_service.get_account(account_id) if account_id else None
    tag_ref = request.args.get("tag")
    tag = tags_service.get_by_slug(tag_ref) if tag_ref else None
    state = request.args.get("state") or None
    if state not in (None, *forums.STATES):
        raise Invalid("state is unanswered or unaccepted.", details={"field": "state"})
    stmt = forums.list_threads(
        current_user, forum=forum, tag=tag, account=account, state=state
    )
    return paginate(stmt, thread_json)


def _thread_input() -> dict:
    data = json_body(
        allowed={"forum", "title", "body", "tags", "accounts"},
        required={"forum", "title", "body"},
    )
    string_field(data, "title")
    string_field(data, "body")
    for key in ("tags", "accounts"):
        value = data.get(key)
        if value is not None and not isinstance(value, list):
            raise Invalid(f"{key} must be a list.", details={"field": key})
    if not all(isinstance(t, str) for t in data.get("tags") or []):
        raise Invalid("tags must be a list of names.", details={"field": "tags"})
    if not all(
        isinstance(a, int) and not isinstance(a, bool)
        for a in data.get("accounts") or []
    ):
        raise Invalid("accounts must be a list of ids.", details={"field": "accounts"})
    return data


@endpoint(
    "/threads",
    "POST",
    summary="Start a thread (a question in a questions forum)",
    tag="forums",
    body=ref("ThreadInput"),
    response=ref("Thread"),
    status=201,
    errors=(400, 401, 404, 429),
)
def create_thread():
    data = _thread_input()
    forum_ref = data["forum"]
    if isinstance(forum_ref, bool) or not isinstance(forum_ref, int | str):
        raise Invalid("forum is an id or a slug.", details={"field": "forum"})
    if isinstance(forum_ref, int):
        forum = forums.get_forum_by_id(forum_ref, current_user)
    else:
        forum = forums.get_forum(forum_ref, current_user)
    thread = forums.create_thread(
        forum,
        current_user,
        data["title"],
        data["body"],
        tags=data.get("tags") or [],
        accounts=data.get("accounts") or [],
    )
    db.session.commit()
    return thread_json(thread), 201


@endpoint(
    "/threads/{thread_id}",
    "GET",
    summary="A thread with one page of its posts (20 a page)",
    tag="forums",
    params=[
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}
    ],
    response=ref("ThreadWithPosts"),
)
def get_thread(thread_id: int):
    thread = forums.get_thread(thread_id, current_user)
    pagination = forums.thread_posts(thread, int_arg("page", 1))
    return {
        **thread_json(thread),
        "posts": [post_json(post) for post in pagination.items],
        "page": pagination.page,
        "per_page": pagination.per_page,
        "total": pagination.total,
    }


@endpoint(
    "/threads/{thread_id}/posts",
    "POST",
    summary="Reply to a thread",
    tag="forums",
    body=ref("PostInput"),
    response=ref("Post"),
    status=201,
    errors=(400, 401, 404, 409, 429),
)
def create_post(thread_id: int):
    thread = forums.get_thread(thread_id, current_user)
    data = json_body(allowed={"body"}, required={"body"})
    post = forums.reply(thread, current_user, string_field(data, "body"))
    db.session.commit()
    return post_json(post), 201


# --- votes and answers -----------------------------------------------------------


@endpoint(
    "/posts/{post_id}/vote",
    "POST",
    summary="Vote on a post: 1 up, -1 down, 0 withdraws your vote",
    tag="forums",
    body=ref("VoteInput"),
    response=ref("Post"),
    errors=(400, 401, 403, 404, 409, 429),
)
def vote_post(post_id: int):
    post = forums.get_post(post_id, current_user)
    if post.author_id == current_user.id:
        raise Forbidden("You cannot vote on your own post.")
    data = json_body(allowed={"value"}, required=set())
    value = data.get("value")
    if isinstance(value, bool) or value not in (-1, 0, 1):
        raise Invalid("value is 1, -1 or 0.", details={"field": "value"})
    forums.vote(post, current_user, value)
    db.session.commit()
    return post_json(post)


@endpoint(
    "/posts/{post_id}/accept",
    "POST",
    summary="Accept a post as the answer to its question (the asker or moderators)",
    tag="forums",
    response=ref("Thread"),
    errors=(400, 401, 403, 404, 409, 429),
)
def accept_post(post_id: int):
    post = forums.get_post(post_id, current_user)
    thread = forums.accept_answer(post.thread, post, current_user)
    db.session.commit()
    return thread_json(thread)


@endpoint(
    "/posts/{post_id}/accept",
    "DELETE",
    summary="Withdraw the acceptance of this answer",
    tag="forums",
    response=ref("Thread"),
    errors=(401, 403, 404, 409, 429),
)
def unaccept_post(post_id: int):
    post = forums.get_post(post_id, current_user)
    thread = post.thread
    if not permissions.can_accept(current_user, thread):
        raise Forbidden("Only the asker and moderators can withdraw an acceptance.")
    if thread.accepted_post_id != post.id:
        raise Conflict("This post is not the accepted answer.")
    forums.unaccept_answer(thread, current_user)
    db.session.commit()
    return thread_json(thread)
