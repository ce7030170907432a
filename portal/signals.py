"""The signals packages use to tell each other what happened.

Content packages send; derived packages (search, experts, incentives,
notifications) listen in their own ``handlers.py``. Senders send after
``flush()``, inside the transaction, so a handler that writes rows writes them in
the same transaction (and never commits). A handler with effects outside the
database queues them with ``portal.effects.after_commit``.

Pages composed of several packages' knowledge ask through the ``*_panels``
signals: each receiver returns a ``Panel`` or ``None``.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from blinker import Namespace

_signals = Namespace()


@dataclass(frozen=True)
class Panel:
    """One package's contribution to a composed page.

    ``template`` is rendered with ``context``; lower ``order`` comes first.

    A page that keeps its panels' HTML (the account page, through
    ``portal.fragments.render_panel``) keeps a panel with a ``key``: the
    panel then says that its HTML depends on nothing but the key, the page's
    subject and its versions (``portal.versions``), the language, the time
    zone and the minute. The key holds what the viewer may see and do there
    (``forums.permissions.reading_scope``, a permission's answer), never the
    viewer. ``context`` may then be a function, called only when the HTML is
    not kept.
    """

    template: str
    context: dict | Callable[[], dict] = field(default_factory=dict)
    order: int = 100
    key: Hashable | None = None

    def values(self) -> dict:
        """The context, computed now if it is a function."""
        return self.context() if callable(self.context) else self.context


@dataclass(frozen=True)
class Person:
    """What a page shows of a person beside something they did (the
    ``user_link`` macro): plain values, so it can be kept between requests."""

    username: str
    display_name: str
    departed: bool

    @classmethod
    def of(cls, user) -> "Person | None":
        if user is None:
            return None
        return cls(user.username, user.display_name, user.departed)


@dataclass(frozen=True)
class AttachmentOwners:
    """An answer to ``account_attachment_owners``."""

    kind: str  # the owners' kind: "post", "page", "account"
    scope: Hashable  # what of the viewer ``ids`` depends on: shared by all it
    # gives the same owners
    ids: Callable  # () -> a SELECT of the owners' ids (built only when asked)


@dataclass(frozen=True)
class TimelineEvent:
    """One dated event on an account's timeline."""

    when: object  # an aware datetime
    kind: str  # "post", "revision", "handover", ...
    title: str
    url: str
    actor: Person | None = None


def collect_panels(signal, sender, **kwargs) -> list[Panel]:
    """Send a panel signal and return the answers, sorted by their order."""
    panels = [rv for _, rv in signal.send(sender, **kwargs) if rv is not None]
    return sorted(panels, key=lambda p: p.order)


# --- people and accounts -----------------------------------------------------

user_created = _signals.signal(
    "user-created", doc="sender: User (flushed); kwargs: actor (User or None)"
)
user_updated = _signals.signal(
    "user-updated", doc="sender: User (flushed); kwargs: actor, changed (set of str)"
)
user_departed = _signals.signal(
    "user-departed",
    doc="sender: User (flushed, active=False, left_at set); kwargs: actor",
)
account_created = _signals.signal(
    "account-created", doc="sender: CustomerAccount (flushed); kwargs: actor"
)
account_updated = _signals.signal(
    "account-updated",
    doc="sender: CustomerAccount (flushed); kwargs: actor, changed (set of str)",
)

# --- composed pages ------------------------------------------------------------

account_panels = _signals.signal(
    "account-panels",
    doc="sender: CustomerAccount; kwargs: viewer (User). Return a Panel or None.",
)
account_timeline = _signals.signal(
    "account-timeline",
    doc="sender: CustomerAccount; kwargs: viewer, before (datetime or None), "
    "limit (int). Return a list of TimelineEvent, newest first.",
)
profile_panels = _signals.signal(
    "profile-panels",
    doc="sender: User (whose profile); kwargs: viewer. Return a Panel or None.",
)
tag_panels = _signals.signal(
    "tag-panels",
    doc="sender: Tag; kwargs: viewer. Return a Panel or None (what is filed under "
    "the tag that the viewer may see).",
)
home_panels = _signals.signal(
    "home-panels", doc="sender: User (the viewer). Return a Panel or None."
)
restricted_tags = _signals.signal(
    "restricted-tags",
    doc="sender: User (the viewer); kwargs: tag_ids (set of int, or None for "
    "all). Return the ids (among tag_ids) of tags used where the viewer may not "
    "look (a restricted forum's threads), or None.",
)
tag_uses = _signals.signal(
    "tag-uses",
    doc="sender: User (the viewer); kwargs: tag_ids (set of int). Return the ids "
    "among tag_ids that the viewer can see in use (on a thread they may read, a "
    "page, a declared skill), or None.",
)

# --- forums --------------------------------------------------------------------

thread_created = _signals.signal(
    "thread-created",
    doc="sender: Thread (flushed, with its first post); kwargs: author, post",
)
thread_moved = _signals.signal(
    "thread-moved", doc="sender: Thread (flushed); kwargs: actor, old_forum"
)
thread_updated = _signals.signal(
    "thread-updated",
    doc="sender: Thread (flushed: title, tags, accounts, pin or lock changed); "
    "kwargs: actor",
)
post_created = _signals.signal(
    "post-created",
    doc="sender: Post (flushed); kwargs: author, thread. Also sent for a "
    "thread's first post.",
)
post_edited = _signals.signal(
    "post-edited", doc="sender: Post (flushed); kwargs: editor, previous_body"
)
post_deleted = _signals.signal(
    "post-deleted", doc="sender: Post (flushed, soft-deleted); kwargs: actor"
)
post_restored = _signals.signal(
    "post-restored", doc="sender: Post (flushed); kwargs: actor"
)
vote_cast = _signals.signal(
    "vote-cast",
    doc="sender: Post; kwargs: voter, value (+1/-1), previous (0 when new, "
    "else the old value: a change is sent as vote_cast with previous set)",
)
vote_withdrawn = _signals.signal(
    "vote-withdrawn", doc="sender: Post; kwargs: voter, previous (+1/-1)"
)
answer_accepted = _signals.signal(
    "answer-accepted",
    doc="sender: Post (the answer); kwargs: thread, actor, asker, previous "
    "(the post accepted before, or None)",
)
answer_unaccepted = _signals.signal(
    "answer-unaccepted", doc="sender: Post (no longer accepted); kwargs: thread, actor"
)

# --- wiki ----------------------------------------------------------------------

page_created = _signals.signal(
    "page-created", doc="sender: Page (flushed); kwargs: author, revision"
)
page_revised = _signals.signal(
    "page-revised",
    doc="sender: Page (flushed); kwargs: author, revision, previous (Revision or "
    "None), change_size (characters added plus removed)",
)
page_state_changed = _signals.signal(
    "page-state-changed",
    doc="sender: Page (flushed); kwargs: actor, old_state, new_state",
)
page_renamed = _signals.signal(
    "page-renamed", doc="sender: Page (flushed); kwargs: actor, old_title, old_slug"
)
page_deleted = _signals.signal(
    "page-deleted", doc="sender: Page (flushed, soft-deleted); kwargs: actor"
)
page_restored = _signals.signal(
    "page-restored", doc="sender: Page (flushed); kwargs: actor"
)
thread_written_up = _signals.signal(
    "thread-written-up",
    doc="sender: Page (the new draft); kwargs: thread, actor, posts (the Posts "
    "used), authors (their Users)",
)

# --- experts ---------------------------------------------------------------------

expert_asked = _signals.signal(
    "expert-asked",
    doc="sender: ExpertRequest (flushed, with its first Routing rows); kwargs: "
    "thread, asker (User), experts (list of User routed to, best first)",
)
question_escalated = _signals.signal(
    "question-escalated",
    doc="sender: ExpertRequest (flushed); kwargs: thread, round (2: the next "
    "experts, 3: the account manager), experts (list of User routed to; may be "
    "empty when nobody was left to ask)",
)
case_resolved = _signals.signal(
    "case-resolved",
    doc="sender: ResolvedCase (flushed); kwargs: thread, answer (the accepted "
    "Post), request (ExpertRequest), actor (User who accepted)",
)
endorsement_given = _signals.signal(
    "endorsement-given",
    doc="sender: Endorsement (flushed); kwargs: endorser (User), skill_owner "
    "(User), tag (Tag)",
)

# --- files ---------------------------------------------------------------------
# The files package stores what is attached to posts, pages and accounts; the
# package that owns the thing a file is attached to decides who may see it.
# Owner kinds: "post" (id: Post.id), "page" (id: Page.id; a page is also named
# by its slug), "account" (id: CustomerAccount.id).

attachment_visible = _signals.signal(
    "attachment-visible",
    doc="sender: owner kind (str); kwargs: owner_id (int), viewer (User). Return "
    "True (the viewer may see the owner, so its files), False, or None (not my "
    "kind). A file is visible only if someone answers and every answer is True.",
)
attachment_owner = _signals.signal(
    "attachment-owner",
    doc="sender: owner kind (str); kwargs: ids (list of int) or ref (str: what "
    "follows 'kind:' in an upload's attach_to, e.g. a page slug), viewer (User or "
    "None). Return None (not my kind) or a dict {owner id: info}, leaving out "
    "what does not exist; info is a dict: id, title, url, account_ids (list of "
    "int), deleted (bool), forum_id (int or None: the forum whose readers alone "
    "may see it), can_attach (bool: the viewer may add files to it).",
)
account_attachment_owners = _signals.signal(
    "account-attachment-owners",
    doc="sender: CustomerAccount id (int); kwargs: viewer (User). Return None or "
    "an AttachmentOwners: the owners about that account that the viewer may "
    "see; their files appear in the account's document library.",
)
file_uploaded = _signals.signal(
    "file-uploaded",
    doc="sender: Attachment (flushed; a new file or a new version); kwargs: "
    "uploader (User)",
)
files_changed = _signals.signal(
    "files-changed",
    doc="sender: list of Attachment ids (flushed); kwargs: action ('claimed': "
    "moved from a draft to its post or page, 'deleted', 'restored', 'replaced': "
    "no longer the current version), actor (User or None)",
)

# --- experts, continued ----------------------------------------------------------

endorsement_withdrawn = _signals.signal(
    "endorsement-withdrawn",
    doc="sender: Endorsement (deleted and flushed; its id is kept); kwargs: "
    "endorser (User), skill_owner (User), tag (Tag). Also sent for each "
    "endorsement of a declared skill its owner removes.",
)

# --- search --------------------------------------------------------------------

person_search_terms = _signals.signal(
    "person-search-terms",
    doc="sender: User; kwargs: none. Return a list of str to index with the "
    "person (declared skills, 'ask me about'), or None. A package whose answer "
    "changes sends user_updated with changed={'skills'}, and search re-indexes "
    "the person.",
)

# --- handover ------------------------------------------------------------------
# A handover case captures what a departing employee (the leaver) knows and
# hands it to one or more successors (portal/handover/).

handover_opened = _signals.signal(
    "handover-opened",
    doc="sender: HandoverCase (flushed, with its footprint and plan); kwargs: "
    "leaver (User), successors (list of User, the first is the main one), actor "
    "(User who opened it)",
)
handover_closed = _signals.signal(
    "handover-closed",
    doc="sender: HandoverCase (flushed, status 'closed'; the leaver is already "
    "marked departed); kwargs: leaver (User), successors (list of User, the first "
    "is the main one), actor (User, or None when closed by `handover close-due`). "
    "Experts moves the questions routed to the leaver to the main successor.",
)
routed_questions = _signals.signal(
    "routed-questions",
    doc="sender: User (a leaver); kwargs: none. Return a list of Thread ids: open "
    "questions routed to this person and not answered yet (experts), or None. "
    "Handover lists them in the leaver's footprint as 'answer or reassign'.",
)
handover_item_captured = _signals.signal(
    "handover-item-captured",
    doc="sender: HandoverItem (flushed, status 'captured'); kwargs: case, actor "
    "(the leaver who wrote it), revision (the wiki Revision it became, or None)",
)
handover_item_understood = _signals.signal(
    "handover-item-understood",
    doc="sender: HandoverItem (flushed, status 'understood'); kwargs: case, actor "
    "(the successor who reviewed it)",
)

# --- experts: validating wiki pages ------------------------------------------------

page_experts = _signals.signal(
    "page-experts",
    doc="sender: Page; kwargs: none. Return a set of user ids whose evidence "
    "shows they know the page's subject (its tags), or None. The wiki's "
    "recognised_experts adds them to the page's main writers; the author of "
    "the current revision is still left out.",
)

# --- composed pages, continued ----------------------------------------------------

accounts_recent_events = _signals.signal(
    "accounts-recent-events",
    doc="sender: User (the viewer); kwargs: accounts (list of CustomerAccount), "
    "limit (int). Return {account id: [TimelineEvent, newest first, at most "
    "limit]} with the same events as account_timeline (before=None) for each "
    "account, or None. Every package that answers account_timeline answers this "
    "too: the home page asks it once for several accounts, with a fixed number "
    "of queries however many accounts it shows.",
)
