"""API v1 wiki: read, create, save with a base revision, 409 on a stale base."""

from portal.extensions import db
from portal.wiki import service as wiki
from portal.wiki.models import Page


def test_create_then_read_in_chinese(api, employee):
    client = api(employee)
    created = client.put(
        "/wiki/客户续约指南",
        json={
            "title": "客户续约指南",
            "body": "先联系 [[ACME]] 的采购。",
            "tags": ["续约"],
        },
    )
    assert created.status_code == 201, created.get_json()
    page = created.get_json()
    assert page["revision"] == 1 and page["slug"] == "客户续约指南"
    fetched = client.get("/wiki/客户续约指南").get_json()
    assert fetched["body"] == "先联系 [[ACME]] 的采购。" and fetched["tags"] == ["续约"]
    assert fetched["updated_by"] == "emma"


def test_save_from_the_current_revision(api, employee):
    client = api(employee)
    client.put("/wiki/Renewals", json={"title": "Renewals", "body": "one"})
    saved = client.put(
        "/wiki/Renewals", json={"body": "two", "base_revision": 1, "summary": "more"}
    )
    assert saved.status_code == 200 and saved.get_json()["revision"] == 2
    revisions = client.get("/wiki/Renewals/revisions").get_json()
    assert [r["number"] for r in revisions["items"]] == [2, 1]
    assert revisions["items"][0]["summary"] == "more" and revisions["total"] == 2


def test_stale_base_is_409_with_both_versions_and_nothing_saved(api, make, employee):
    client = api(employee)
    client.put("/wiki/Renewals", json={"title": "Renewals", "body": "a\nb\nc\n"})
    other = api(make.user("other"))
    assert (
        other.put(
            "/wiki/Renewals", json={"body": "A\nb\nc\n", "base_revision": 1}
        ).status_code
        == 200
    )
    stale = client.put("/wiki/Renewals", json={"body": "a\nb\nC\n", "base_revision": 1})
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "edit_conflict"
    details = error["details"]
    assert details["current_revision"] == 2 and details["current_body"] == "A\nb\nc\n"
    assert details["your_body"] == "a\nb\nC\n" and details["current_author"] == "other"
    assert details["merged_body"] == "A\nb\nC\n"
    page = db.session.query(Page).filter_by(slug="renewals").one()
    assert page.current_revision.number == 2


def test_existing_page_without_a_base_is_409(api, employee):
    client = api(employee)
    client.put("/wiki/Renewals", json={"title": "Renewals", "body": "one"})
    response = client.put("/wiki/Renewals", json={"body": "two"})
    assert response.status_code == 409
    assert response.get_json()["error"]["details"]["current_revision"] == 1


def test_base_of_a_missing_page_is_404_and_a_future_base_400(api, employee):
    client = api(employee)
    assert (
        client.put("/wiki/Nope", json={"body": "x", "base_revision": 1}).status_code
        == 404
    )
    client.put("/wiki/Renewals", json={"title": "Renewals", "body": "one"})
    future = client.put("/wiki/Renewals", json={"body": "x", "base_revision": 7})
    assert future.status_code == 400
    assert future.get_json()["error"]["details"]["your_body"] == "x"


def test_title_must_match_the_address(api, employee):
    response = api(employee).put("/wiki/Renewals", json={"title": "Other", "body": "x"})
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"field": "title"}


def test_renamed_page_is_found_by_its_old_slug(api, employee):
    page = wiki.create_page("Old name", "text", employee)
    db.session.commit()
    wiki.rename_page(page, "New name", employee)
    db.session.commit()
    fetched = api(employee).get("/wiki/old-name")
    assert fetched.status_code == 200 and fetched.get_json()["title"] == "New name"


def test_deleted_page_is_404_for_employees(api, make, employee):
    page = wiki.create_page("Gone", "text", employee)
    db.session.commit()
    wiki.delete_page(page, make.user("mod", role="moderator"))
    db.session.commit()
    assert api(employee).get(f"/wiki/{page.slug}").status_code == 404
