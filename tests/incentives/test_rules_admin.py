"""The rules page: admins change points and settings; clear errors."""

import pytest

from portal.errors import Invalid
from portal.extensions import db
from portal.incentives import rules
from tests.incentives.conftest import balance, vote

RULE_PAGES = [
    ("get", "/incentives/rules"),
    ("get", "/incentives/rules/answer_upvoted"),
    ("post", "/incentives/rules/answer_upvoted"),
    ("post", "/incentives/rules/answer_upvoted/reset"),
    ("post", "/incentives/settings"),
]


@pytest.mark.parametrize("role", ["employee", "moderator", "hr"])
@pytest.mark.parametrize(("method", "path"), RULE_PAGES)
def test_only_admins_change_rules(make, login, role, method, path):
    client = login(make.user(role=role))
    assert getattr(client, method)(path).status_code == 403


def test_the_rules_page_lists_every_rule(login, admin):
    page = login(admin).get("/incentives/rules").get_data(as_text=True)
    for rule in rules.all_rules():
        assert rule.label in page
    assert "Daily cap on points from votes" in page


def test_an_admin_changes_a_rule_and_new_awards_follow(
    login, admin, answer, answerer, voter
):
    response = login(admin).post(
        "/incentives/rules/answer_upvoted",
        data={"points": "12", "enabled": "y", "seci": "socialization"},
    )
    assert response.status_code == 302
    vote(answer, voter, 1)
    assert balance(answerer) == 2 + 12
    page = login(admin).get("/incentives/rules").get_data(as_text=True)
    assert "default 10" in page


def test_switching_a_rule_off(login, admin, answer, answerer, voter):
    login(admin).post(
        "/incentives/rules/answer_upvoted",
        data={"points": "10", "seci": "socialization"},
    )
    vote(answer, voter, 1)
    assert balance(answerer) == 2


def test_restoring_a_default(login, admin):
    client = login(admin)
    client.post(
        "/incentives/rules/answer_upvoted",
        data={"points": "1", "enabled": "y", "seci": "combination"},
    )
    assert client.post("/incentives/rules/answer_upvoted/reset").status_code == 302
    current = rules.rule("answer_upvoted")
    assert (current.points, current.seci, current.overridden) == (
        10,
        "socialization",
        False,
    )


def test_an_unknown_rule_is_a_404_with_a_message(login, admin):
    for method in ("get", "post"):
        response = getattr(login(admin), method)("/incentives/rules/bogus")
        assert response.status_code == 404
        assert "no point rule called “bogus”" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("5000", "between -1000 and 1000"),
        ("ten", "Not a valid integer"),
        ("", "Enter a whole number of points"),
    ],
)
def test_bad_points_are_refused_beside_the_field(login, admin, points, message):
    response = login(admin).post(
        "/incentives/rules/answer_upvoted",
        data={"points": points, "enabled": "y", "seci": "socialization"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and f'value="{points}"' in html
    assert rules.rule("answer_upvoted").points == 10


def test_settings_are_saved_and_validated(login, admin, make):
    hr_dept = make.department("HR")
    client = login(admin)
    response = client.post(
        "/incentives/settings",
        data={
            "daily_vote_cap": "150",
            "revision_min_size": "300",
            "excluded_departments": [str(hr_dept.id)],
            "excluded_roles": ["admin", "hr"],
            "suspicious_daily_votes": "4",
            "suspicious_mutual_votes": "3",
            "suspicious_window_days": "14",
        },
    )
    assert response.status_code == 302
    saved = rules.settings()
    assert saved["daily_vote_cap"] == 150
    assert saved["excluded_departments"] == [hr_dept.id]
    assert saved["excluded_roles"] == ["admin", "hr"]
    bad = client.post(
        "/incentives/settings",
        data={
            "daily_vote_cap": "-5",
            "revision_min_size": "300",
            "suspicious_daily_votes": "4",
            "suspicious_mutual_votes": "3",
            "suspicious_window_days": "14",
        },
    )
    assert bad.status_code == 400
    assert "Enter a number from 0 to 100000." in bad.get_data(as_text=True)
    db.session.expire_all()
    assert rules.settings()["daily_vote_cap"] == 150


def test_unknown_settings_are_refused():
    with pytest.raises(Invalid, match="no setting called"):
        rules.update_settings(bogus=1)
