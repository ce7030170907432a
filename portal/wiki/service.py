"""Operations on wiki pages: create, edit without lost updates, revert, rename,
delete and restore, knowledge states, account profiles, and the queries the
pages list.

Services flush and never commit; the caller commits once. When a flush fails
on a unique constraint (two people doing the same thing at once) the service
raises a domain error and the caller's rollback discards the failed flush.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import joinedload, selectinload

from portal import clock, markup, signals
from portal.accounts.models import CustomerAccount
from portal.auth.models import User
from portal.auth.permissions import is_moderator
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.extensions import db
from portal.tags.models import Tag
from portal.tags.service import tags_from_text
from portal.wiki import contributors, permissions
from portal.wiki.diff import change_size as _change_size
from portal.wiki.merge import MergeResult, merge3
from portal.wiki.models import (
    STATES,
    Page,
    PageRedirect,
    Revision,
    WikiLink,
    page_accounts,
    page_tags,
)

MAX_TITLE = 200
MAX_BODY = 200_000
MAX_SUMMARY = 300
DEFAULT_REVIEW_AFTER_DAYS = 365
# Paths under /wiki/ that are pages of the wiki itself, not wiki pages.
RESERVED_SLUGS = frozenset({"new", "recent", "preview", "write-up"})
PROFILE_SUFFIX = " — 客户档案 profile"

_SPACES = re.compile(r"\s+")
_ACCOUNT_SPLIT = re.compile(r"[,，、;；\n]+")


class EditConflict(Conflict):
    """The edit did not start from the page's current revision.

    Raised with status 409 when someone saved the page after the editor's base
    revision, and 400 when the base revision is missing or unknown. It carries
    what the conflict page needs to keep the editor's text: the page id, the
    base revision number (None when unknown) and the submitted text.
    """

    def __init__(
        self,
        message: str,
        *,
        page_id: int,
        base: int | None,
        mine: str,
        summary: str = "",
        status: int = 409,
    ):
        super().__init__(message, details={"field": "body"})
        self.status = status
        self.page_id = page_id
        self.base = base
        self.mine = mine
        self.summary = summary


@dataclass
class ConflictView:
    """What the conflict page shows: both versions and the text to edit."""

    page: Page
    current: Revision
    base: Revision | None
    mine: str
    merge: MergeResult | None  # None when the base is unknown
    text: str  # what goes into the editor

    @property
    def clean(self) -> bool:
        return self.merge is not None and self.merge.clean

    @property
    def retry(self) -> bool:
        """Nobody saved the page after all: the save only has to be repeated."""
        return self.base is not None and self.base.number == self.current.number


# --- validation -----------------------------------------------------------------------


def clean_title(title: str | None) -> tuple[str, str]:
    """Return the title with its whitespace collapsed, and its slug.

    :raises Invalid: when the title is empty, too long, has no letters or
        digits, or names a path the wiki uses itself.
    """
    title = _SPACES.sub(" ", title or "").strip()
    if not title:
        raise Invalid(_("A page needs a title."), details={"field": "title"})
    if len(title) > MAX_TITLE:
        raise Invalid(
            _("A title is at most %(n)d characters.", n=MAX_TITLE),
            details={"field": "title"},
        )
    slug = markup.slugify(title)
    if not slug:
        raise Invalid(
            _("A title needs at least one letter or digit."),
            details={"field": "title"},
        )
    if slug in RESERVED_SLUGS:
        raise Invalid(
            _(
                "“%(title)s” is a name the wiki uses itself; choose another.",
                title=title,
            ),
            details={"field": "title"},
        )
    return title, slug


def clean_body(body: str | None) -> str:
    """Return the Markdown with the browser's line endings made ``\\n``.

    :raises Invalid: when it is empty or longer than 200,000 characters.
    """
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    if not body.strip():
        raise Invalid(
            _("The page is empty: write something."), details={"field": "body"}
        )
    if len(body) > MAX_BODY:
        limit, length = format(MAX_BODY, ","), format(len(body), ",")
        raise Invalid(
            _(
                "A page is at most %(max)s characters; this text has %(n)s. Split it "
                "into several pages and link them with [[…]].",
                max=limit,
                n=length,
            ),
            details={"field": "body"},
        )
    return body


def _clean_summary(summary: str | None) -> str:
    summary = _SPACES.sub(" ", summary or "").strip()
    if len(summary) > MAX_SUMMARY:
        raise Invalid(
            _("An edit summary is at most %(n)d characters.", n=MAX_SUMMARY),
            details={"field": "summary"},
        )
    return summary


def parse_accounts(value) -> list[CustomerAccount]:
    """Resolve accounts given as objects or as text: names or CRM references.

    :raises Invalid: when a name matches no account, or several.
    """
    if not value:
        return []
    if isinstance(value, list | tuple) and all(
        isinstance(v, CustomerAccount) for v in value
    ):
        return list(dict.fromkeys(value))
    items = value if isinstance(value, list | tuple) else _ACCOUNT_SPLIT.split(value)
    found: list[CustomerAccount] = []
    for item in items:
        label = _SPACES.sub(" ", str(item)).strip()
        if not label:
            continue
        matches = list(
            db.session.scalars(
                sa.select(CustomerAccount).where(
                    sa.func.lower(CustomerAccount.crm_ref) == label.lower()
                )
            )
        ) or list(
            db.session.scalars(
                sa.select(CustomerAccount).where(CustomerAccount.name == label).limit(2)
            )
        )
        if not matches:
            raise Invalid(
                _("There is no customer account called %(name)s.", name=label),
                details={"field": "accounts"},
            )
        if len(matches) > 1:
            raise Invalid(
                _(
                    "Several accounts are called %(name)s; give its CRM reference.",
                    name=label,
                ),
                details={"field": "accounts"},
            )
        if matches[0] not in found:
            found.append(matches[0])
    return found


def accounts_text(accounts: list[CustomerAccount]) -> str:
    """Return accounts as the form field shows them: names, comma-separated."""
    return ", ".join(a.name for a in accounts)


# --- looking pages up -----------------------------------------------------------------


def find_page(slug: str) -> Page | None:
    """Return the page (deleted or not) whose slug is ``slug``, or None."""
    return db.session.scalar(
        sa.select(Page)
        .where(Page.slug == slug)
        .options(
            joinedload(Page.current_revision).joinedload(Revision.author),
            selectinload(Page.tags),
            selectinload(Page.accounts),
        )
    )


def redirect_target(slug: str) -> Page | None:
    """Return the page that used to be called ``slug``, or None."""
    return db.session.scalar(
        sa.select(Page).join(PageRedirect).where(PageRedirect.old_slug == slug)
    )


def get_page(slug: str, viewer=None) -> Page:
    """Return the page ``slug`` as ``viewer`` may see it.

    :raises NotFound: when there is no such page, or it is deleted and the
        viewer is not a moderator.
    """
    page = find_page(slug)
    if page is None or (
        viewer is not None and not permissions.can_view_page(viewer, page)
    ):
        raise NotFound(_("There is no wiki page %(slug)s.", slug=slug))
    return page


def get_revision(page: Page, number) -> Revision:
    """Return revision ``number`` of ``page``.

    :raises NotFound: when the page has no such revision.
    """
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 0
    revision = db.session.scalar(
        sa.select(Revision)
        .where(Revision.page_id == page.id, Revision.number == number)
        .options(joinedload(Revision.author))
    )
    if revision is None:
        raise NotFound(
            _("This page has no revision %(n)s.", n=number),
        )
    return revision


def profile_page(account: CustomerAccount) -> Page | None:
    """Return the five-layer profile page of ``account`` (even deleted), or None."""
    return db.session.scalar(
        sa.select(Page)
        .where(Page.account_id == account.id)
        .options(joinedload(Page.current_revision).joinedload(Revision.author))
    )


def slug_owner(slug: str) -> Page | None:
    """Return the page that holds ``slug``, as its name or a former name."""
    return db.session.scalar(
        sa.select(Page).where(Page.slug == slug)
    ) or redirect_target(slug)


def _taken(slug: str, title: str) -> Conflict:
    owner = slug_owner(slug)
    if owner.slug != slug:
        message = _(
            "“%(title)s” is a former title of the page “%(other)s”; links to it "
            "already lead there.",
            title=title,
            other=owner.title,
        )
    elif owner.deleted:
        message = _(
            "A deleted page is called “%(title)s”; a moderator can restore it.",
            title=owner.title,
        )
    else:
        message = _("A page called “%(title)s” already exists.", title=owner.title)
    return Conflict(
        message,
        details={"field": "title", "url": owner.url, "title": owner.title},
    )


# --- rendering and links --------------------------------------------------------------


def existing_slugs(slugs) -> set[str]:
    """Return which of ``slugs`` lead to a live page, by name or former name."""
    slugs = set(slugs)
    if not slugs:
        return set()
    live = set(
        db.session.scalars(
            sa.select(Page.slug).where(Page.slug.in_(slugs), Page.deleted_at.is_(None))
        )
    )
    moved = set(
        db.session.scalars(
            sa.select(PageRedirect.old_slug)
            .join(Page, Page.id == PageRedirect.page_id)
            .where(PageRedirect.old_slug.in_(slugs), Page.deleted_at.is_(None))
        )
    )
    return live | moved


def render(body: str) -> Markup:
    """Render a page body: links to missing pages red, mentions of nobody plain."""
    slugs = {markup.slugify(t) for t in markup.wiki_links(body)}
    existing = existing_slugs(slugs)
    names = markup.mentions(body)
    users = (
        set(
            db.session.scalars(sa.select(User.username).where(User.username.in_(names)))
        )
        if names
        else set()
    )
    return markup.render(
        body,
        page_exists=lambda title: markup.slugify(title) in existing,
        user_exists=lambda name: name in users,
    )


def preview(body: str) -> Markup:
    """Render ``body`` as it would look saved.

    :raises Invalid: when the body is empty or too long.
    """
    return render(clean_body(body))


def _set_links(page: Page, body: str) -> None:
    """Make the link table hold the links of ``body``, the current text."""
    slugs = {markup.slugify(t) for t in markup.wiki_links(body)} - {"", page.slug}
    db.session.execute(sa.delete(WikiLink).where(WikiLink.from_page_id == page.id))
    if slugs:
        db.session.execute(
            sa.insert(WikiLink),
            [{"from_page_id": page.id, "to_slug": s} for s in sorted(slugs)],
        )


def _slugs_of(page: Page) -> set[str]:
    """Return the page's slug and its former slugs."""
    old = db.session.scalars(
        sa.select(PageRedirect.old_slug).where(PageRedirect.page_id == page.id)
    )
    return {page.slug, *old}


def _rerender_linking(slugs: set[str], *, skip: int | None = None) -> None:
    """Re-render the current text of pages linking to ``slugs``.

    Called when pages appear or disappear, so that links turn blue or red.
    """
    db.session.flush()
    pages = db.session.scalars(
        sa.select(Page)
        .where(
            Page.id.in_(
                sa.select(WikiLink.from_page_id).where(WikiLink.to_slug.in_(slugs))
            ),
            Page.id != (skip or 0),
        )
        .options(joinedload(Page.current_revision))
    )
    for page in pages:
        if page.current_revision is not None:
            page.current_revision.body_html = render(page.current_revision.body)


# --- creating and editing -------------------------------------------------------------


def create_page(
    title: str,
    body: str,
    author: User,
    *,
    summary: str = "",
    tags=None,
    accounts=None,
    state: str = "published",
    account: CustomerAccount | None = None,
) -> Page:
    """Create a page with its first revision.

    ``tags`` is text ("a, b") or a list of names; ``accounts`` text (names or
    CRM references) or a list of accounts; ``account`` makes the page that
    account's profile. ``state`` is "draft" or "published".

    :raises Forbidden: when the author may not create pages.
    :raises Invalid: when the title or body is empty or too long, or a tag or
        account is not understood.
    :raises Conflict: when a page (or a former title of a page) already has
        this title's slug; ``details["url"]`` links to it.
    """
    if not permissions.can_create_page(author):
        raise Forbidden(_("You may not create wiki pages."))
    title, slug = clean_title(title)
    body = clean_body(body)
    summary = _clean_summary(summary)
    if state not in ("draft", "published"):
        raise Invalid(
            _("A new page is a draft or published."), details={"field": "state"}
        )
    if slug_owner(slug) is not None:
        raise _taken(slug, title)
    tag_list = tags_from_text(tags) if tags else []
    account_list = parse_accounts(accounts)
    if account is not None and account not in account_list:
        account_list.insert(0, account)
    now = clock.now()
    page = Page(
        title=title,
        slug=slug,
        state=state,
        created_by=author,
        account=account,
        tags=tag_list,
        accounts=account_list,
        revision_count=1,
        created_at=now,
        updated_at=now,
    )
    revision = Revision(
        page=page,
        number=1,
        title=title,
        body=body,
        body_html=render(body),
        summary=summary,
        author=author,
        created_at=now,
        size=len(body),
        change_size=len(body),
    )
    page.current_revision = revision
    db.session.add_all([page, revision])
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        # Someone created a page with this title, or this account's profile,
        # a moment ago.
        raise Conflict(
            _(
                "A page called “%(title)s” was just created by someone else.",
                title=title,
            ),
            details={"field": "title"},
        ) from None
    _set_links(page, body)
    _rerender_linking({slug}, skip=page.id)
    signals.page_created.send(page, author=author, revision=revision)
    signals.page_revised.send(
        page, author=author, revision=revision, previous=None, change_size=len(body)
    )
    return page


def _lock(page: Page) -> Page:
    """Lock the page row until the transaction ends and reload it.

    On PostgreSQL a second save of the same page waits here until the first
    commits, then sees its revision. SQLite serialises writers anyway and has
    no row locks; the unique (page, number) constraint catches what slips by.
    """
    return db.session.execute(
        sa.select(Page)
        .where(Page.id == page.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _base_number(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def edit_page(
    page: Page,
    body: str,
    author: User,
    *,
    base_revision,
    summary: str = "",
    tags=None,
    accounts=None,
) -> Revision | None:
    """Save a new revision of ``page`` made from revision ``base_revision``.

    Tags and accounts are left alone when None. Returns the new revision, or
    None when nothing changed. A validated page edited by anyone but a
    moderator goes back to published: its text is no longer the text that was
    validated, and nobody validates their own change.

    :raises Forbidden: when the author may not edit the page.
    :raises Invalid: when the body is empty or too long.
    :raises EditConflict: (409) when someone saved the page after the base
        revision, (400) when the base revision is missing or unknown.
    """
    if not permissions.can_edit_page(author, page):
        raise Forbidden(_("You may not edit this page."))
    body = clean_body(body)
    summary = _clean_summary(summary)
    base = _base_number(base_revision)
    tag_list = tags_from_text(tags) if tags is not None else None
    account_list = parse_accounts(accounts) if accounts is not None else None
    page = _lock(page)
    current = db.session.get(Revision, page.current_revision_id)
    if base is None or base > current.number:
        raise EditConflict(
            _(
                "This edit does not say which version of the page it started from. "
                "Your text is kept below: compare it with the current version and "
                "save again."
            ),
            page_id=page.id,
            base=None,
            mine=body,
            summary=summary,
            status=400,
        )
    if base != current.number:
        raise EditConflict(
            _(
                "Someone saved this page while you were editing it. Nothing was "
                "overwritten: review the changes and save again."
            ),
            page_id=page.id,
            base=base,
            mine=body,
            summary=summary,
        )
    meta_changed = False
    if tag_list is not None and {t.id for t in tag_list} != {t.id for t in page.tags}:
        page.tags = tag_list
        meta_changed = True
    if account_list is not None:
        if page.account is not None and page.account not in account_list:
            account_list.insert(0, page.account)  # a profile stays on its account
        if {a.id for a in account_list} != {a.id for a in page.accounts}:
            page.accounts = account_list
            meta_changed = True
    if body == current.body and not meta_changed:
        return None
    return _add_revision(page, current, body, author, summary)


def _add_revision(
    page: Page, current: Revision, body: str, author: User, summary: str
) -> Revision:
    now = clock.now()
    size = _change_size(current.body, body)
    revision = Revision(
        page=page,
        number=current.number + 1,
        title=page.title,
        body=body,
        body_html=render(body) if body != current.body else current.body_html,
        summary=summary,
        author=author,
        created_at=now,
        size=len(body),
        change_size=size,
    )
    db.session.add(revision)
    page.current_revision = revision
    page.revision_count = (page.revision_count or 0) + 1
    page.updated_at = now
    old_state = page.state
    # A failed flush expires every object: keep what the conflict needs.
    page_id, base = page.id, current.number
    # Validation certifies a text someone else checked: a change by anyone but
    # a moderator is unchecked until validated again.
    if page.state == "validated" and not is_moderator(author):
        page.state = "published"
    try:
        db.session.flush()
    except (sa.exc.IntegrityError, sa.exc.OperationalError) as error:
        if isinstance(error, sa.exc.OperationalError) and not _sqlite_busy(error):
            raise
        # Another save took this revision number between our read and our
        # write, or (SQLite) another write made our snapshot stale. Either way
        # nothing is saved and the editor's text goes back to them.
        raise EditConflict(
            _(
                "Someone saved this page while you were editing it. Nothing was "
                "overwritten: review the changes and save again."
            ),
            page_id=page_id,
            base=base,
            mine=body,
            summary=summary,
        ) from None
    _set_links(page, body)
    signals.page_revised.send(
        page, author=author, revision=revision, previous=current, change_size=size
    )
    if page.state != old_state:
        signals.page_state_changed.send(
            page, actor=author, old_state=old_state, new_state=page.state
        )
    return revision


def _sqlite_busy(error: sa.exc.OperationalError) -> bool:
    """Tell whether SQLite refused a write because another one came first.

    In WAL mode a transaction that read before another connection committed
    cannot write any more ("database is locked"); it must start over.
    """
    return db.engine.dialect.name == "sqlite" and "locked" in str(error.orig)


def conflict_view(page_id: int, base: int | None, mine: str) -> ConflictView:
    """Gather what the conflict page shows, from the database as it is now.

    With a known base, the editor's changes are merged with the ones saved
    since: when they do not overlap the editor gets the merged text to review,
    otherwise their own text, untouched.
    """
    page = db.session.get(Page, page_id)
    current = db.session.get(Revision, page.current_revision_id)
    base_revision = None
    result = None
    text = mine
    if base is not None:
        base_revision = db.session.scalar(
            sa.select(Revision).where(
                Revision.page_id == page_id, Revision.number == base
            )
        )
    if base_revision is not None:
        result = merge3(
            base_revision.body,
            current.body,
            mine,
            labels=(
                _("saved by others (revision %(n)d)", n=current.number),
                _("your text"),
            ),
        )
        if result.clean:
            text = result.text
    return ConflictView(
        page=page,
        current=current,
        base=base_revision,
        mine=mine,
        merge=result,
        text=text,
    )


def revert_page(page: Page, number, actor: User) -> Revision:
    """Make the text of revision ``number`` the page's text, as a new revision.

    :raises NotFound: when there is no such revision.
    :raises Invalid: when the current text already is that text.
    :raises Forbidden: when the actor may not edit the page.
    """
    if not permissions.can_revert_page(actor, page):
        raise Forbidden(_("You may not edit this page."))
    old = get_revision(page, number)
    current = page.current_revision
    if old.body == current.body:
        raise Invalid(
            _(
                "The page already reads as revision %(n)d does; nothing to revert.",
                n=old.number,
            )
        )
    return edit_page(
        page,
        old.body,
        actor,
        base_revision=current.number,
        summary=_("Reverted to revision %(n)d", n=old.number),
    )


def rename_page(page: Page, new_title: str, actor: User) -> Page:
    """Give ``page`` a new title; its old slug keeps leading to it.

    :raises Forbidden: when the actor may not rename the page.
    :raises Invalid: when the new title is unusable or the same as the old.
    :raises Conflict: when another page has, or had, that title.
    """
    if not permissions.can_rename_page(actor, page):
        raise Forbidden(_("You may not rename this page."))
    title, slug = clean_title(new_title)
    if title == page.title:
        raise Invalid(
            _("The page is already called “%(title)s”.", title=title),
            details={"field": "title"},
        )
    old_title, old_slug = page.title, page.slug
    if slug != old_slug:
        owner = slug_owner(slug)
        if owner is not None and owner.id != page.id:
            raise _taken(slug, title)
        # Back to a former name: that name is no longer a redirect.
        db.session.execute(sa.delete(PageRedirect).where(PageRedirect.old_slug == slug))
        db.session.add(PageRedirect(old_slug=old_slug, page_id=page.id))
        page.slug = slug
    page.title = title
    page.updated_at = clock.now()
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(
            _(
                "A page called “%(title)s” was just created by someone else.",
                title=title,
            ),
            details={"field": "title"},
        ) from None
    if slug != old_slug:
        _rerender_linking({slug}, skip=page.id)
    signals.page_renamed.send(page, actor=actor, old_title=old_title, old_slug=old_slug)
    return page


def delete_page(page: Page, actor: User) -> Page:
    """Hide ``page`` from everyone but moderators; links to it turn red.

    :raises Forbidden: when the actor is not a moderator, or the page is
        already deleted.
    """
    if not permissions.can_delete_page(actor, page):
        raise Forbidden(_("Only moderators delete pages."))
    page.deleted_at = clock.now()
    _rerender_linking(_slugs_of(page), skip=page.id)
    signals.page_deleted.send(page, actor=actor)
    return page


def restore_page(page: Page, actor: User) -> Page:
    """Bring a deleted page back; links to it turn blue again.

    :raises Forbidden: when the actor is not a moderator, or the page is not
        deleted.
    """
    if not permissions.can_restore_page(actor, page):
        raise Forbidden(_("Only moderators restore pages."))
    page.deleted_at = None
    _rerender_linking(_slugs_of(page), skip=page.id)
    signals.page_restored.send(page, actor=actor)
    return page


# --- knowledge states -----------------------------------------------------------------


def change_state(page: Page, new_state: str, actor: User) -> Page:
    """Move ``page`` to ``new_state`` (KCS: draft, published, validated, archived).

    Validating records the review time. Validating a page that is already
    validated confirms it: the review time moves, the state does not.

    :raises Invalid: when the state is unknown or the page is already in it.
    :raises Forbidden: when the actor may not make this move.
    """
    if new_state not in STATES:
        raise Invalid(_("Unknown state %(state)s.", state=new_state))
    if new_state == page.state == "validated":
        if not permissions.can_validate_page(actor, page):
            raise Forbidden(_("Only moderators and the page's experts validate it."))
        page.last_reviewed_at = clock.now()
        db.session.flush()
        return page
    if new_state == page.state:
        raise Invalid(_("The page is already in that state."))
    if not permissions.can_change_state(actor, page, new_state):
        if permissions.TRANSITIONS.get(page.state, {}).get(new_state) == "validate":
            raise Forbidden(_("Only moderators and the page's experts validate it."))
        raise Forbidden(_("You may not move this page to that state."))
    old_state = page.state
    page.state = new_state
    if new_state == "validated":
        page.last_reviewed_at = clock.now()
    db.session.flush()
    signals.page_state_changed.send(
        page, actor=actor, old_state=old_state, new_state=new_state
    )
    return page


def review_after() -> timedelta:
    days = current_app.config.get("WIKI_REVIEW_AFTER_DAYS", DEFAULT_REVIEW_AFTER_DAYS)
    return timedelta(days=int(days))


def review_due(page: Page) -> bool:
    """Tell whether ``page`` has gone unreviewed for too long.

    A page is reviewed when it is validated; until then its age counts from
    its creation. Archived pages are not expected to be kept up to date.
    """
    if page.state == "archived" or page.deleted:
        return False
    reviewed = page.last_reviewed_at or page.created_at
    return reviewed is not None and reviewed < clock.now() - review_after()


def reviewer(page: Page) -> User | None:
    """Return who should review ``page``: its main author still here, else a
    moderator."""
    return reviewers([page])[page.id]


def reviewers(pages) -> dict[int, User | None]:
    """Return ``reviewer`` of each page, ``{page_id: user}``, in three queries."""
    if not pages:
        return {}
    shares = contributors.shares_by_page(p.id for p in pages)
    ids = {uid for rows in shares.values() for uid, _share in rows}
    users = (
        {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
        if ids
        else {}
    )
    out = {}
    for page in pages:
        out[page.id] = next(
            (
                users[uid]
                for uid, _share in shares.get(page.id, [])
                if uid in users and users[uid].is_active
            ),
            None,
        )
    if None in out.values():
        fallback = _moderator_reviewer()
        out = {pid: user or fallback for pid, user in out.items()}
    return out


def _moderator_reviewer() -> User | None:
    return db.session.scalar(
        sa.select(User)
        .where(
            User.role.in_(("moderator", "admin")),
            User.active.is_(True),
            User.left_at.is_(None),
        )
        # Moderators before admins: moderating content is their job.
        .order_by(sa.case((User.role == "moderator", 0), else_=1), User.id)
        .limit(1)
    )


# --- account profiles -----------------------------------------------------------------


def profile_title(account: CustomerAccount) -> str:
    room = MAX_TITLE - len(PROFILE_SUFFIX)
    return account.name[:room].strip() + PROFILE_SUFFIX


def save_profile(
    account: CustomerAccount,
    body: str,
    author: User,
    *,
    base_revision=None,
    summary: str = "",
) -> Page:
    """Write ``account``'s five-layer profile page, creating it on first save.

    :raises Invalid: when the body is empty or too long.
    :raises Conflict: when the profile was deleted (a moderator restores it),
        or another page already has the profile's title.
    :raises EditConflict: when someone saved the profile in between.
    """
    page = profile_page(account)
    if page is None:
        return create_page(
            profile_title(account),
            body,
            author,
            summary=summary or _("Started the profile"),
            account=account,
            state="published",
        )
    if page.deleted:
        raise Conflict(
            _("The profile page was deleted; a moderator can restore it."),
            details={"url": page.url, "title": page.title},
        )
    edit_page(page, body, author, base_revision=base_revision, summary=summary)
    return page


# --- lists ----------------------------------------------------------------------------


def _list_options():
    return (
        joinedload(Page.current_revision).joinedload(Revision.author),
        selectinload(Page.tags),
        selectinload(Page.accounts),
    )


def list_pages(
    *, tag: Tag | None = None, account_id: int | None = None, state: str | None = None
) -> sa.Select:
    """Return a statement selecting live pages, newest change first, for paging.

    Archived pages come last unless the list asks for them.
    """
    stmt = sa.select(Page).where(Page.deleted_at.is_(None)).options(*_list_options())
    if tag is not None:
        stmt = stmt.where(
            Page.id.in_(
                sa.select(page_tags.c.page_id).where(page_tags.c.tag_id == tag.id)
            )
        )
    if account_id is not None:
        stmt = stmt.where(
            Page.id.in_(
                sa.select(page_accounts.c.page_id).where(
                    page_accounts.c.account_id == account_id
                )
            )
        )
    if state in STATES:
        stmt = stmt.where(Page.state == state)
    archived_last = sa.case((Page.state == "archived", 1), else_=0)
    return stmt.order_by(archived_last, Page.updated_at.desc(), Page.id.desc())


def recent_changes(
    *,
    person: User | None = None,
    account_id: int | None = None,
    tag: Tag | None = None,
) -> sa.Select:
    """Return a statement selecting revisions of live pages, newest first."""
    stmt = (
        sa.select(Revision)
        .join(Page, Page.id == Revision.page_id)
        .where(Page.deleted_at.is_(None))
        .options(
            joinedload(Revision.author),
            joinedload(Revision.page),
        )
    )
    if person is not None:
        stmt = stmt.where(Revision.author_id == person.id)
    if account_id is not None:
        stmt = stmt.where(
            Revision.page_id.in_(
                sa.select(page_accounts.c.page_id).where(
                    page_accounts.c.account_id == account_id
                )
            )
        )
    if tag is not None:
        stmt = stmt.where(
            Revision.page_id.in_(
                sa.select(page_tags.c.page_id).where(page_tags.c.tag_id == tag.id)
            )
        )
    return stmt.order_by(Revision.created_at.desc(), Revision.id.desc())


def history(page: Page) -> sa.Select:
    """Return a statement selecting the page's revisions, newest first."""
    return (
        sa.select(Revision)
        .where(Revision.page_id == page.id)
        .options(joinedload(Revision.author))
        .order_by(Revision.number.desc())
    )


def backlinks(page: Page) -> sa.Select:
    """Return a statement selecting live pages linking to ``page`` (by any of
    its names), by title."""
    return (
        sa.select(Page)
        .where(
            Page.id.in_(
                sa.select(WikiLink.from_page_id).where(
                    WikiLink.to_slug.in_(_slugs_of(page))
                )
            ),
            Page.deleted_at.is_(None),
            Page.id != page.id,
        )
        .options(*_list_options())
        .order_by(Page.title)
    )


def pages_for_account(account: CustomerAccount, limit: int = 10) -> list[Page]:
    """Return live pages linked to ``account``, not its profile, newest first."""
    stmt = list_pages(account_id=account.id).where(
        sa.or_(Page.account_id.is_(None), Page.account_id != account.id)
    )
    return list(db.session.scalars(stmt.limit(limit)))


def pages_for_tag(tag: Tag, limit: int = 10) -> list[Page]:
    return list(db.session.scalars(list_pages(tag=tag).limit(limit)))


def pages_by_person(user: User, limit: int = 10) -> list[tuple[Page, object]]:
    """Return the live pages ``user`` revised most recently, with when."""
    last = (
        sa.select(Revision.page_id, sa.func.max(Revision.created_at).label("at"))
        .where(Revision.author_id == user.id)
        .group_by(Revision.page_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Page, last.c.at)
        .join(last, last.c.page_id == Page.id)
        .where(Page.deleted_at.is_(None))
        .options(selectinload(Page.tags))
        .order_by(last.c.at.desc(), Page.id.desc())
        .limit(limit)
    ).all()
    return [(page, at) for page, at in rows]
