"""The account page is kept whole for colleagues who see it alike; a handover
about the account is on the next view, and only those who take part in it, or
run it, ever see it there."""

import re

import pytest

from portal.extensions import db
from portal.files import service as files_service
from portal.fragments import PAGE_CACHE
from portal.handover import service

# Pages are kept per minute: a second view must not fall in the next one.
pytestmark = pytest.mark.usefixtures("steady_clock")


def _page(client, account) -> str:
    response = client.get(account.url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _without_reader(html: str) -> str:
    html = re.sub(
        r'(name="csrf_token" value|name="csrf-token" content)="[^"]*"', "", html
    )
    return re.sub(r'<nav class="nav".*?</nav>', "", html, flags=re.S)


def test_colleagues_alike_share_one_kept_account_page(app, make, login, make_account):
    acme = make_account("ACME")
    pages = app.extensions[PAGE_CACHE]
    first = _page(login(make.user("rita", display_name="Rita Reader")), acme)
    second = _page(login(make.user("rob", display_name="Rob Reader")), acme)
    assert pages.misses == 1 and pages.hits == 1
    assert _without_reader(first) == _without_reader(second)
    assert "Rob Reader" in second and "Rita Reader" not in second


def test_a_handover_shows_at_once_and_only_to_those_in_it(
    people, login, make_account, evidence_for, open_case
):
    acme = make_account("ACME")
    evidence_for(acme, people.leaver)
    bystander, successor = login(people.bystander), login(people.successor)
    leaver, hr = login(people.leaver), login(people.hr)
    for client in (bystander, successor, leaver, hr):
        assert "Open handover" not in _page(client, acme)
    case = open_case()
    for _round in range(2):  # the second round is served from what the first kept
        assert "Open handover" not in _page(bystander, acme)
        assert "Handover opened for Li Wei" not in _page(bystander, acme)
        for client in (successor, leaver, hr):
            html = _page(client, acme)
            assert "Open handover" in html and case.url in html
            assert "Handover opened for Li Wei" in html
    item = next(
        i for i in case.items if i.account_id == acme.id and i.kind == "account"
    )
    service.capture(item, "Their CFO signs every renewal.", people.leaver)
    db.session.commit()
    # The captured answer is on everyone's timeline; its link only for those
    # who may see the item.
    assert "Handover:" in _page(bystander, acme)
    assert item.url not in _page(bystander, acme)
    assert item.url in _page(leaver, acme)
    service.close_case(case, people.hr)
    db.session.commit()
    assert "Open handover" not in _page(successor, acme)
    assert "Handover closed: Li Wei left" in _page(successor, acme)
    assert "Handover closed" not in _page(bystander, acme)


def test_a_document_filed_on_the_account_shows_at_once(make, login, make_account):
    acme = make_account("ACME")
    reader = login(make.user("rita"))
    assert "quote-2027.txt" not in _page(reader, acme)
    uploader = make.user("uma")
    files_service.upload(
        b"Renewal quote: 2027.", "quote-2027.txt", uploader, f"account:{acme.id}"
    )
    db.session.commit()
    assert "quote-2027.txt" in _page(reader, acme)
    assert "quote-2027.txt" in _page(reader, acme)
