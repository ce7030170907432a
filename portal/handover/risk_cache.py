"""Who knows an account, remembered between page views.

The account page shows the account's knowledge at risk, which adds up a year
of posts and page revisions about the account: the busiest accounts have
hundreds of people in it. The answer changes only when someone writes, so each
process keeps it in memory, keyed by the account, what the viewer may read
(``forums.permissions.reading_scope``), the window's start, and the versions
of ``account:<id>`` and ``all`` (``portal.versions``), which the forums, the
wiki and the people's records raise whenever they change the evidence: a post
written, deleted or restored; a thread's accounts, forum, accepted answer or
deletion; a page's accounts, profile account or deletion; a revision; a person
leaving, coming back or renamed; a forum's department.
"""

from flask import current_app

from portal import versions
from portal.lru import LRU

# Entries per process (config HANDOVER_RISK_CACHE). An entry is one account's
# people: about 200 KiB for a busy account at 2,000 staff (460 people), so
# the default holds the busiest accounts in about 15 MB.
SIZE = 64
_EXTENSION = "handover_risk_cache"


def remembered(account_id: int, scope: tuple, since, compute):
    """Return ``compute()`` for the account as seen from ``scope`` since
    ``since``, from memory while the account's versions have not changed.

    ``compute`` must return something nobody will modify (it is shared).
    """
    return versions.remembered(
        current_app.extensions[_EXTENSION],
        (account_id, scope, since),
        (versions.account(account_id), versions.ALL),
        compute,
    )


def init_app(app) -> None:
    app.extensions[_EXTENSION] = LRU(app.config.get("HANDOVER_RISK_CACHE", SIZE))
