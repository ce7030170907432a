"""API v1 search: Chinese and English, filters, permissions, bad input."""

import pytest

from portal.search import indexing
from tests.forums.factories import make_forum, make_thread


@pytest.fixture
def indexed(app):
    indexing.rebuild()


def test_search_in_chinese_and_english_with_filters(api, employee, indexed):
    forum = make_forum("Questions", kind="questions")
    make_thread(forum, employee, "ACME 续约的折扣", "去年给了 8%，renewal discount")
    client = api(employee)
    found = client.get("/search?q=续约").get_json()
    assert [i["title"] for i in found["items"]] == ["ACME 续约的折扣"]
    assert found["items"][0]["kind"] == "thread"
    english = client.get("/search?q=discounts&kind=thread").get_json()
    assert english["total"] == 1
    assert client.get("/search?q=续约&kind=page").get_json()["items"] == []


def test_restricted_threads_stay_hidden(api, make, employee, indexed):
    legal = make.department("Legal")
    lawyer = make.user("lawyer", department=legal)
    make_thread(make_forum("Contracts", department=legal), lawyer, "Indemnity clause")
    assert api(employee).get("/search?q=indemnity").get_json()["total"] == 0
    assert api(lawyer).get("/search?q=indemnity").get_json()["total"] == 1


@pytest.mark.parametrize("query", ["", "q=x&kind=planet", "q=x&per_page=500"])
def test_bad_search_is_400(api, employee, indexed, query):
    response = api(employee).get(f"/search?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"


def test_broken_syntax_is_searched_as_words(api, employee, indexed):
    response = api(employee).get('/search?q="unbalanced (AND')
    assert response.status_code == 200
