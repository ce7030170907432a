"""Handover events of several accounts at once (the home page's accounts
block): the same as each account's timeline shows, to the same people."""

from portal.extensions import db
from portal.handover import handlers, service


def _summary(events):
    return [(e.when, e.title, e.url) for e in events]


def test_recent_events_are_the_newest_of_each_timeline(
    people, make_account, evidence_for, open_case
):
    acme, globex = make_account("ACME"), make_account("Globex")
    for account in (acme, globex):
        evidence_for(account, people.leaver)
    case = open_case()
    for item in case.items:
        if item.account_id is not None and item.kind == "account":
            service.capture(item, "Written down.", people.leaver)
    db.session.commit()
    for viewer in (people.hr, people.bystander, people.leaver):
        found = handlers.accounts_recent_events(
            viewer, accounts=[acme, globex], limit=2
        )
        for account in (acme, globex):
            expected = handlers.account_events(account, viewer, limit=2)
            assert expected, viewer.username
            assert _summary(found.get(account.id, [])) == _summary(expected)
    # Who may not see the case hears nothing of it opening.
    seen = handlers.accounts_recent_events(people.bystander, accounts=[acme], limit=50)
    assert not any("opened" in e.title for e in seen[acme.id])
    seen = handlers.accounts_recent_events(people.hr, accounts=[acme], limit=50)
    assert any("opened for Li Wei" in e.title for e in seen[acme.id])
