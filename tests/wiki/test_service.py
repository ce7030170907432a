"""The wiki's operations, called as views, the API and the CLI call them."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal import clock
from portal.accounts.service import create_account
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.extensions import db
from portal.wiki import permissions, service
from portal.wiki.models import Page, PageRedirect, Revision, WikiLink


def links_from(page) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(WikiLink.to_slug).where(WikiLink.from_page_id == page.id)
        )
    )


def html_of(page) -> str:
    db.session.expire_all()
    return str(db.session.get(Page, page.id).current_revision.body_html)


def backlink_titles(page) -> list[str]:
    return [p.title for p in db.session.scalars(service.backlinks(page))]


# --- pages and revisions --------------------------------------------------------------


def test_create_page_with_first_revision(write, author, sent):
    page = write(
        "客户回访 How-to", "## 步骤\n先打电话 **then** e-mail.", tags="回访, CRM"
    )
    assert page.slug == "客户回访-how-to"
    assert page.url == "/wiki/%E5%AE%A2%E6%88%B7%E5%9B%9E%E8%AE%BF-how-to"
    assert page.state == "published"
    assert page.revision_count == 1
    revision = page.current_revision
    assert (revision.number, revision.author, revision.title) == (1, author, page.title)
    assert "<strong>then</strong>" in revision.body_html
    assert revision.size == revision.change_size == len(revision.body)
    assert [t.name for t in page.tags] == ["CRM", "回访"]
    assert [s for s, _ in sent["created"]] == [page]
    ((sender, kw),) = sent["revised"]
    assert kw["previous"] is None and kw["change_size"] == revision.size


def test_edit_adds_a_numbered_revision_with_its_change_size(write, revise, make, sent):
    page = write("Escalation", "Call the duty manager.\n")
    editor = make.user("li")
    revision = revise(page, "Call the duty manager first.\n", editor, summary="order")
    assert revision.number == 2
    assert page.current_revision == revision
    assert page.revision_count == 2
    assert revision.summary == "order"
    assert revision.change_size == len(" first")
    sender, kw = sent["revised"][-1]
    assert sender is page and kw["author"] is editor
    assert kw["previous"].number == 1 and kw["change_size"] == len(" first")


def test_saving_the_same_text_makes_no_revision(write, revise, author):
    page = write("Unchanged", "Same.")
    assert revise(page, "Same.", author) is None
    assert page.revision_count == 1


def test_changing_only_tags_is_a_revision_too(write, revise, author):
    page = write("Tagged", "Body.", tags="a")
    revision = revise(page, "Body.", author, tags="a, b")
    assert revision.number == 2
    assert [t.name for t in page.tags] == ["a", "b"]


def test_browser_line_endings_are_normalised(write):
    page = write("Lines", "one\r\ntwo\r\n")
    assert page.current_revision.body == "one\ntwo\n"


def test_revert_creates_a_new_revision_with_the_old_text(write, revise, make):
    page = write("Pricing", "Version one.")
    other = make.user("zhao")
    revise(page, "Version two.", other)
    revise(page, "Version three.", other)
    revision = service.revert_page(page, 1, other)
    db.session.commit()
    assert revision.number == 4
    assert revision.body == "Version one."
    assert revision.summary == "Reverted to revision 1"
    assert [r.number for r in db.session.scalars(service.history(page))] == [4, 3, 2, 1]


def test_revert_to_the_same_text_is_refused(write, author):
    page = write("Same", "Text.")
    with pytest.raises(Invalid):
        service.revert_page(page, 1, author)
    with pytest.raises(NotFound):
        service.revert_page(page, 9, author)


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "A page needs a title."),
        ("   ", "A page needs a title."),
        ("!!!", "A title needs at least one letter or digit."),
        ("x" * 201, "A title is at most 200 characters."),
        ("New", "“New” is a name the wiki uses itself; choose another."),
    ],
)
def test_unusable_titles_are_refused(author, title, message):
    with pytest.raises(Invalid) as error:
        service.create_page(title, "Body", author)
    assert error.value.message == message
    assert error.value.details["field"] == "title"


def test_a_title_that_exists_is_a_conflict_linking_to_the_page(write, author):
    page = write("Onboarding checklist")
    with pytest.raises(Conflict) as error:
        service.create_page("onboarding  CHECKLIST", "Other", author)
    assert error.value.details == {
        "field": "title",
        "url": page.url,
        "title": "Onboarding checklist",
    }


def test_body_limits(author):
    with pytest.raises(Invalid) as error:
        service.create_page("Empty", "  \n ", author)
    assert error.value.details["field"] == "body"
    with pytest.raises(Invalid) as error:
        service.create_page("Huge", "x" * 200_001, author)
    assert "200,000" in error.value.message
    assert service.create_page("Exactly", "x" * 200_000, author).current_revision.size


# --- no lost update -------------------------------------------------------------------


def test_a_stale_base_revision_is_a_conflict(write, revise, make, author):
    page = write("Shared", "a\n")
    revise(page, "b\n", make.user("other"))
    with pytest.raises(service.EditConflict) as error:
        service.edit_page(page, "c\n", author, base_revision=1)
    assert error.value.status == 409
    assert (error.value.base, error.value.mine) == (1, "c\n")
    db.session.rollback()
    assert db.session.get(Page, page.id).revision_count == 2


@pytest.mark.parametrize("base", ["", "abc", "0", "-1", "3", None])
def test_an_unknown_base_revision_is_refused(write, author, base):
    page = write("Shared", "a\n")
    with pytest.raises(service.EditConflict) as error:
        service.edit_page(page, "mine\n", author, base_revision=base)
    assert error.value.status == 400
    assert error.value.base is None and error.value.mine == "mine\n"


def test_conflict_view_merges_changes_that_do_not_overlap(write, revise, make, author):
    page = write("Merge me", "one\n\ntwo\n\nthree\n")
    revise(page, "ONE\n\ntwo\n\nthree\n", make.user("other"))
    view = service.conflict_view(page.id, 1, "one\n\ntwo\n\nTHREE\n")
    assert view.clean
    assert view.text == "ONE\n\ntwo\n\nTHREE\n"
    assert view.current.number == 2


def test_conflict_view_keeps_my_text_when_changes_overlap(write, revise, make):
    page = write("Clash", "one\n")
    revise(page, "theirs\n", make.user("other"))
    view = service.conflict_view(page.id, 1, "mine\n")
    assert not view.clean
    assert view.text == "mine\n"
    assert view.merge.conflicts == 1


def test_conflict_view_without_a_base_keeps_my_text(write):
    page = write("Unknown base", "one\n")
    view = service.conflict_view(page.id, None, "mine\n")
    assert view.merge is None and view.text == "mine\n"


def test_the_unique_revision_number_catches_a_save_that_slips_by(write, make, author):
    """Should the row lock ever be missed, the second revision 2 cannot exist."""
    page = write("Unlocked", "base\n")
    other = make.user("other")
    # Another save's revision 2, written before it moved the page on.
    db.session.execute(
        sa.insert(Revision).values(
            page_id=page.id,
            number=2,
            title=page.title,
            body="theirs\n",
            body_html=service.render("theirs\n"),
            author_id=other.id,
            created_at=clock.now(),
        )
    )
    with pytest.raises(service.EditConflict) as error:
        service.edit_page(page, "mine\n", author, base_revision=1)
    assert error.value.status == 409
    assert error.value.mine == "mine\n"
    db.session.rollback()
    assert db.session.get(Page, page.id).current_revision.body == "base\n"


# --- links, red links, backlinks ------------------------------------------------------


def test_links_to_missing_pages_are_red_until_the_page_exists(write, author):
    source = write("Source", "See [[Target page]] and [[Target page|the target]].")
    assert links_from(source) == {"target-page"}
    assert 'class="wikilink wikilink-missing" href="/wiki/new?title=Target+page"' in (
        html_of(source)
    )
    target = write("Target page", "Here.")
    assert 'class="wikilink" href="/wiki/target-page"' in html_of(source)
    assert "wikilink-missing" not in html_of(source)
    assert backlink_titles(target) == ["Source"]


def test_the_link_table_follows_each_revision(write, revise, author):
    write("A")
    write("B")
    page = write("Hub", "[[A]] [[B]] [[Hub]]")
    assert links_from(page) == {"a", "b"}  # not itself
    revise(page, "Only [[B]] and [[C]] now", author)
    assert links_from(page) == {"b", "c"}
    a = service.find_page("a")
    assert backlink_titles(a) == []
    assert backlink_titles(service.find_page("b")) == ["Hub"]


def test_rename_keeps_the_old_slug_and_its_links(write, author, sent):
    page = write("Old name", "Body")
    source = write("Source", "Link to [[Old name]] and to [[New name]].")
    service.rename_page(page, "New name", author)
    db.session.commit()
    assert page.slug == "new-name"
    assert service.redirect_target("old-name") == page
    # Links by the old name still lead to the page; the new name's turned blue.
    html = html_of(source)
    assert "wikilink-missing" not in html
    assert backlink_titles(page) == ["Source"]
    ((sender, kw),) = sent["renamed"]
    assert kw["old_title"] == "Old name" and kw["old_slug"] == "old-name"


def test_renaming_back_drops_the_redirect(write, author):
    page = write("First")
    service.rename_page(page, "Second", author)
    service.rename_page(page, "First", author)
    db.session.commit()
    assert page.slug == "first"
    assert [r.old_slug for r in db.session.scalars(sa.select(PageRedirect))] == [
        "second"
    ]


def test_rename_onto_another_page_or_former_name_is_a_conflict(write, author):
    one = write("One")
    two = write("Two")
    with pytest.raises(Conflict) as error:
        service.rename_page(one, "two", author)
    assert error.value.details["url"] == two.url
    service.rename_page(two, "Three", author)
    with pytest.raises(Conflict) as error:
        service.rename_page(one, "Two", author)
    assert "former title" in error.value.message
    with pytest.raises(Invalid):
        service.rename_page(one, "One", author)


def test_creating_a_page_with_a_former_title_is_a_conflict(write, author):
    page = write("Before")
    service.rename_page(page, "After", author)
    with pytest.raises(Conflict) as error:
        service.create_page("Before", "x", author)
    assert error.value.details["url"] == page.url


def test_delete_and_restore_turn_links_red_and_blue(write, moderator, author, sent):
    target = write("Doomed", "x")
    source = write("Source", "[[Doomed]]")
    service.delete_page(target, moderator)
    db.session.commit()
    assert "wikilink-missing" in html_of(source)
    assert service.existing_slugs({"doomed"}) == set()
    service.restore_page(db.session.get(Page, target.id), moderator)
    db.session.commit()
    assert "wikilink-missing" not in html_of(source)
    assert len(sent["deleted"]) == len(sent["restored"]) == 1


def test_only_moderators_delete_and_restore(write, author, moderator):
    page = write("Keep")
    with pytest.raises(Forbidden):
        service.delete_page(page, author)
    service.delete_page(page, moderator)
    with pytest.raises(Forbidden):
        service.restore_page(page, author)


def test_mentions_of_unknown_people_stay_text(write):
    html = str(write("Mentions", "@wang and @nobody").current_revision.body_html)
    assert '<a class="mention" href="/u/wang">@wang</a>' in html
    assert "@nobody" in html and "/u/nobody" not in html


# --- knowledge states -----------------------------------------------------------------


def test_publish_from_draft_by_any_editor(write, make, sent):
    page = write("Draft page", state="draft")
    service.change_state(page, "published", make.user("someone"))
    assert page.state == "published"
    ((sender, kw),) = sent["state"]
    assert (kw["old_state"], kw["new_state"]) == ("draft", "published")


def test_employees_who_are_not_experts_cannot_validate_or_archive(write, make):
    page = write("Claims", "x")
    newcomer = make.user("new")
    for state in ("validated", "archived"):
        with pytest.raises(Forbidden):
            service.change_state(page, state, newcomer)
    assert page.state == "published"


def test_moderators_validate_and_the_review_time_is_set(write, moderator):
    page = write("Claims", "x")
    service.change_state(page, "validated", moderator)
    assert page.state == "validated"
    assert page.last_reviewed_at is not None


def test_the_main_author_validates_once_someone_else_has_edited(
    write, revise, author, make
):
    page = write("Expert page", "A long explanation written by the author.\n" * 5)
    # The author of the latest change never validates their own change.
    assert not permissions.can_validate_page(author, page)
    revise(page, page.current_revision.body + "A typo fix.\n", make.user("helper"))
    assert permissions.recognised_experts(page) == {author.id}
    service.change_state(page, "validated", author)
    assert page.state == "validated"


def test_moderators_archive_and_unarchive(write, moderator, author):
    page = write("Old practice")
    service.change_state(page, "archived", moderator)
    assert not permissions.can_edit_page(author, page)
    with pytest.raises(Forbidden):
        service.change_state(page, "published", author)
    service.change_state(page, "published", moderator)
    assert page.state == "published"


def test_unknown_or_same_state_is_invalid(write, author):
    page = write("Page")
    with pytest.raises(Invalid):
        service.change_state(page, "gold", author)
    with pytest.raises(Invalid):
        service.change_state(page, "published", author)


def test_an_edit_by_anyone_but_a_moderator_withdraws_validation(
    write, revise, moderator, make, sent, author
):
    page = write("Validated", "x\n")
    service.change_state(page, "validated", moderator)
    revise(page, "y\n", make.user("passerby"))
    assert page.state == "published"
    assert sent["state"][-1][1]["new_state"] == "published"
    service.change_state(page, "validated", moderator)
    revise(page, "z\n", moderator)
    assert page.state == "validated"
    # Experts too: nobody validates their own change.
    revise(page, "zz\n", author)
    assert page.state == "published"


def test_review_due_after_the_configured_time(app, write, make, moderator):
    page = write("Ageing", "x")
    assert not service.review_due(page)
    page.created_at = clock.now() - timedelta(days=366)
    assert service.review_due(page)
    app.config["WIKI_REVIEW_AFTER_DAYS"] = 400
    assert not service.review_due(page)
    app.config["WIKI_REVIEW_AFTER_DAYS"] = 30
    service.change_state(page, "validated", moderator)
    assert not service.review_due(page)
    page.state = "archived"
    page.last_reviewed_at = clock.now() - timedelta(days=1000)
    assert not service.review_due(page)


def test_reviewer_is_the_main_author_still_here_else_a_moderator(
    write, revise, author, make, moderator
):
    page = write("Who reviews", "A long text by the main author.\n" * 10)
    revise(page, page.current_revision.body + "small\n", make.user("xu"))
    assert service.reviewer(page) == author
    from portal.auth.service import deactivate

    deactivate(author)
    reviewer = service.reviewer(page)
    assert reviewer.username == "xu"
    deactivate(reviewer)
    assert service.reviewer(page) == moderator


# --- accounts, profiles, lists --------------------------------------------------------


@pytest.fixture
def account(app):
    account = create_account("华信银行", "CRM-1")
    db.session.commit()
    return account


def test_account_profile_is_created_on_first_save(account, author, make, sent):
    assert service.profile_page(account) is None
    page = service.save_profile(account, "## 识别 Identification\n银行。", author)
    db.session.commit()
    assert page.title == "华信银行 — 客户档案 profile"
    assert page.account == account and page.accounts == [account]
    assert page.state == "published"
    assert service.profile_page(account) == page
    service.save_profile(
        account,
        "## 识别 Identification\n股份制银行。",
        make.user("yu"),
        base_revision=1,
    )
    db.session.commit()
    assert page.revision_count == 2
    with pytest.raises(service.EditConflict):
        service.save_profile(account, "stale", author, base_revision=1)


def test_accounts_by_name_or_crm_reference(app, author, account):
    other = create_account("ACME", "ACME-7")
    page = service.create_page("Brief", "x", author, accounts="华信银行, acme-7")
    assert set(page.accounts) == {other, account}
    with pytest.raises(Invalid) as error:
        service.create_page("Brief 2", "x", author, accounts="Nobody Ltd")
    assert error.value.details["field"] == "accounts"


def test_lists_filter_by_tag_account_state_and_person(
    app, write, revise, make, account
):
    from portal.tags.service import get_by_slug

    bob = make.user("bob")
    write("Tagged", tags="claims")
    write("About the bank", accounts=[account])
    draft = write("Drafty", state="draft")
    revise(draft, "bob's text", bob)
    archived = write("Archived")
    archived.state = "archived"
    db.session.commit()

    def titles(stmt):
        return [p.title for p in db.session.scalars(stmt)]

    everything = titles(service.list_pages())
    assert everything[-1] == "Archived"  # archived pages sink
    assert titles(service.list_pages(tag=get_by_slug("claims"))) == ["Tagged"]
    assert titles(service.list_pages(account_id=account.id)) == ["About the bank"]
    assert titles(service.list_pages(state="draft")) == ["Drafty"]
    changes = db.session.scalars(service.recent_changes(person=bob))
    assert [(r.page.title, r.number) for r in changes] == [("Drafty", 2)]
    changes = db.session.scalars(service.recent_changes(account_id=account.id))
    assert [r.page.title for r in changes] == ["About the bank"]
