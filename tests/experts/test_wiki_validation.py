"""People whose evidence shows they know a page's subject may validate it."""

from portal.extensions import db
from portal.wiki import permissions
from portal.wiki import service as wiki


def test_experts_on_a_pages_tags_may_validate_it(people, ask_thread, answer, at):
    p = people
    thread = ask_thread(p["asker"], "Customs broker for Rotterdam", tags="customs")
    answer(thread, p["expert"], "Use broker X.", accept_by=p["asker"])
    answer(thread, p["chatty"], "No idea.")
    page = wiki.create_page(
        "Customs guide", "How customs works.", p["other"], tags="customs"
    )
    db.session.commit()
    assert permissions.can_validate_page(p["expert"], page)
    # A plain answer is not enough, and the page's own writer does not
    # validate their own change.
    assert not permissions.can_validate_page(p["chatty"], page)
    assert not permissions.can_validate_page(p["other"], page)
    wiki.change_state(page, "validated", p["expert"])
    db.session.commit()
    assert page.state == "validated"


def test_untagged_pages_keep_the_wikis_own_rule(people, ask_thread, answer, at):
    p = people
    thread = ask_thread(p["asker"], "Customs broker", tags="customs")
    answer(thread, p["expert"], "Use broker X.", accept_by=p["asker"])
    page = wiki.create_page("Customs notes", "Notes.", p["other"])
    db.session.commit()
    assert not permissions.can_validate_page(p["expert"], page)


def test_a_pages_experts_are_ranked_once_for_a_while(
    app, people, ask_thread, answer, at
):
    """Every view of a page asks who may validate it; with
    ``EXPERTS_PAGE_SECONDS`` the ranking behind the answer is done once, and a
    new expert is recognised when the time is up."""
    from datetime import timedelta

    from flask import g

    from tests.experts.conftest import NOW
    from tests.querycount import count_statements

    p = people
    thread = ask_thread(p["asker"], "Customs broker for Rotterdam", tags="customs")
    answer(thread, p["expert"], "Use broker X.", accept_by=p["asker"])
    page = wiki.create_page(
        "Customs guide", "How it works.", p["other"], tags="customs"
    )
    db.session.commit()

    def may_validate(user):
        db.session.expire_all()  # as a new request would
        g.pop("_wiki_experts", None)
        return permissions.can_validate_page(user, db.session.get(type(page), page.id))

    ranked = count_statements(lambda: may_validate(p["expert"]))
    app.config["EXPERTS_PAGE_SECONDS"] = 300
    assert may_validate(p["expert"])
    assert not may_validate(p["chatty"])
    # The ranking is kept: what is left is loading the page and its writers.
    kept = count_statements(lambda: may_validate(p["voter1"]))
    assert kept < ranked
    assert count_statements(lambda: may_validate(p["expert"])) == kept

    other = ask_thread(p["asker"], "Customs paperwork", tags="customs")
    answer(other, p["chatty"], "Form A then B.", accept_by=p["asker"])
    assert not may_validate(p["chatty"])  # still the kept ranking
    at(NOW + timedelta(seconds=301))
    assert may_validate(p["chatty"])
    app.config["EXPERTS_PAGE_SECONDS"] = 0
    assert may_validate(p["chatty"])
