"""The account page is kept whole for colleagues who see it alike; a handover
about the account is on the next view, and only those who take part in it, or
run it, ever see it there."""

import pytest

from portal.extensions import db
from portal.files import service as files_service
from portal.fragments import PAGE_CACHE
from portal.handover import service
from tests.pages import page, without_reader

# Pages are kept per minute: a second view must not fall in the next one.
pytestmark = pytest.mark.usefixtures("steady_clock")


def test_colleagues_alike_share_one_kept_account_page(app, make, login, make_account):
    acme = make_account("ACME")
    pages = app.extensions[PAGE_CACHE]
    first = page(login(make.user("rita", display_name="Rita Reader")), acme)
    second = page(login(make.user("rob", display_name="Rob Reader")), acme)
    assert pages.misses == 1 and pages.hits == 1
    assert without_reader(first) == without_reader(second)
    assert "Rob Reader" in second and "Rita Reader" not in second


def test_a_handover_shows_at_once_and_only_to_those_in_it(
    people, login, make_account, evidence_for, open_case
):
    acme = make_account("ACME")
    evidence_for(acme, people.leaver)
    bystander, successor = login(people.bystander), login(people.successor)
    leaver, hr = login(people.leaver), login(people.hr)
    for client in (bystander, successor, leaver, hr):
        assert "Open handover" not in page(client, acme)
    case = open_case()
    for _round in range(2):  # the second round is served from what the first kept
        assert "Open handover" not in page(bystander, acme)
        assert "Handover opened for Li Wei" not in page(bystander, acme)
        for client in (successor, leaver, hr):
            html = page(client, acme)
            assert "Open handover" in html and case.url in html
            assert "Handover opened for Li Wei" in html
    item = next(
        i for i in case.items if i.account_id == acme.id and i.kind == "account"
    )
    service.capture(item, "Their CFO signs every renewal.", people.leaver)
    db.session.commit()
    # The captured answer is on everyone's timeline; its link only for those
    # who may see the item.
    assert "Handover:" in page(bystander, acme)
    assert item.url not in page(bystander, acme)
    assert item.url in page(leaver, acme)
    service.close_case(case, people.hr)
    db.session.commit()
    assert "Open handover" not in page(successor, acme)
    assert "Handover closed: Li Wei left" in page(successor, acme)
    assert "Handover closed" not in page(bystander, acme)


def test_a_document_filed_on_the_account_shows_at_once(make, login, make_account):
    acme = make_account("ACME")
    reader = login(make.user("rita"))
    assert "quote-2027.txt" not in page(reader, acme)
    uploader = make.user("uma")
    files_service.upload(
        b"Renewal quote: 2027.", "quote-2027.txt", uploader, f"account:{acme.id}"
    )
    db.session.commit()
    assert "quote-2027.txt" in page(reader, acme)
    assert "quote-2027.txt" in page(reader, acme)
