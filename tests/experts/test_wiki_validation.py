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
