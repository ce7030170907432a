"""Who knows which account: counts, text shares, the window, departed people."""

from datetime import timedelta
from unittest import mock

from portal import clock
from portal.auth import service as auth_service
from portal.extensions import db
from portal.handover import evidence


def test_accepted_answers_replies_and_thread_starts_are_counted(
    people, make_account, evidence_for
):
    acme = make_account("ACME")
    evidence_for(acme, people.successor, people.leaver)
    evidence_for(acme, people.successor, people.leaver, accept=False)
    found = {e.user_id: e for e in evidence.account_evidence()[acme.id]}
    assert found[people.leaver.id].accepted == 1
    assert found[people.leaver.id].answers == 1
    assert found[people.successor.id].threads == 2
    assert found[people.leaver.id].score > found[people.successor.id].score
    assert abs(sum(e.share for e in found.values()) - 1) < 0.01


def test_page_revisions_carry_the_share_of_text_written(
    people, make_account, write_profile
):
    acme = make_account("ACME")
    from portal.wiki import contributors

    write_profile(acme, people.leaver, "First paragraph.\n\n" + "x" * 300)
    page = write_profile(
        acme, people.successor, "First paragraph.\n\n" + "x" * 300 + "\n\nMore."
    )
    found = {e.user_id: e for e in evidence.account_evidence([acme.id])[acme.id]}
    assert found[people.leaver.id].revisions == 1
    # The same measure as the wiki's own "who wrote this page".
    expected = dict(contributors.shares(page.id))
    assert found[people.leaver.id].text_share == round(expected[people.leaver.id], 4)
    assert found[people.leaver.id].text_share > 0.9
    assert found[people.successor.id].text_share == round(
        expected[people.successor.id], 4
    )


def test_old_evidence_and_departed_people_do_not_count(
    people, make_account, evidence_for, app
):
    acme = make_account("ACME")
    long_ago = clock.now() - timedelta(days=400)
    with mock.patch("portal.clock.now", return_value=long_ago):
        evidence_for(acme, people.bystander, people.second)
    evidence_for(acme, people.successor, people.leaver)
    ids = {e.user_id for e in evidence.account_evidence()[acme.id]}
    assert ids == {people.successor.id, people.leaver.id}
    auth_service.deactivate(people.leaver, departed=True)
    db.session.commit()
    ids = {e.user_id for e in evidence.account_evidence()[acme.id]}
    assert ids == {people.successor.id}
    app.config["HANDOVER_EVIDENCE_DAYS"] = 500
    ids = {e.user_id for e in evidence.account_evidence()[acme.id]}
    assert people.second.id in ids


def test_person_accounts_and_tags(people, make_account, qforum):
    from tests.forums.factories import make_reply, make_thread

    acme = make_account("ACME")
    thread = make_thread(qforum, people.successor, accounts=[acme], tags="billing")
    make_reply(thread, people.leaver)
    rows = evidence.person_accounts(people.leaver.id)
    assert [(a, rank, n) for a, _e, rank, n in rows] == [(acme.id, 0, 2)]
    tags = evidence.person_tags(people.leaver.id)
    assert len(tags) == 1 and tags[0][1].answers == 1
