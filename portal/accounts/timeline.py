"""One timeline of everything that happened about an account, newest first.

Each package answers ``signals.account_timeline`` with its own dated events
(forums: threads and replies; wiki: page revisions; handover: handovers); this
module merges them and pages with a cursor: the next page is the events
strictly before the last one shown.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from portal import signals
from portal.errors import Invalid

PAGE_SIZE = 20


@dataclass(frozen=True)
class TimelinePage:
    events: list
    older: datetime | None  # the cursor for the next page, None at the end


def parse_cursor(value: str | None) -> datetime | None:
    """Read a page's ``before`` cursor: an ISO time with its zone, or nothing.

    :raises Invalid: when it is not one.
    """
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Invalid(
            _("The timeline position %(value)s is not a time.", value=value),
            details={"field": "before"},
        )
    return moment


def collect(account, viewer, *, before: datetime | None = None, limit: int = PAGE_SIZE):
    """Return one page of the account's timeline as ``viewer`` may see it.

    Every package returns at most ``limit + 1`` events before the cursor, so
    the merge knows whether an older page exists without counting.
    """
    events = []
    for _receiver, answer in signals.account_timeline.send(
        account, viewer=viewer, before=before, limit=limit + 1
    ):
        events.extend(answer or [])
    events.sort(key=lambda e: e.when, reverse=True)
    page = events[:limit]
    older = page[-1].when if len(events) > limit else None
    return TimelinePage(page, older)
