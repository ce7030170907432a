"""Tags: parsing what people type, one tag per name, tag pages."""

import pytest

from portal.errors import Invalid
from portal.extensions import db
from portal.tags import service


def test_parse_commas_chinese_commas_and_duplicates():
    assert service.parse("CRM, 续约，crm 、 #renewal") == ["CRM", "续约", "renewal"]


@pytest.mark.parametrize(
    "text", ["x" * 41, "!!!", ",".join(f"t{i}" for i in range(11))]
)
def test_parse_refuses_bad_tags(text):
    with pytest.raises(Invalid):
        service.parse(text)


def test_get_or_create_is_case_insensitive(app):
    first = service.tags_from_text("Renewal, 大客户")
    db.session.commit()
    again = service.tags_from_text("renewal")
    assert again[0].id == first[0].id
    assert first[1].slug == "大客户"


def test_tag_page_and_suggestions(login, employee):
    service.tags_from_text("知识管理, Knowledge")
    db.session.commit()
    client = login(employee)
    assert "知识管理" in client.get("/tags").get_data(as_text=True)
    assert client.get("/tags/知识管理").status_code == 200
    assert client.get("/tags/nope").status_code == 404
    assert client.get("/tags/suggest?q=kno").get_json() == [
        {"name": "Knowledge", "slug": "knowledge"}
    ]
