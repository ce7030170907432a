"""API v1 points and HR reports: owners and HR see ledgers, only HR sees reports."""

from tests.forums.factories import make_forum, make_reply, make_thread


def _activity(make, employee):
    questions = make_forum("Questions", kind="questions")
    thread = make_thread(questions, employee, "How do we renew ACME?")
    expert = make.user("expert")
    answer = make_reply(thread, expert, "Call the buyer first.")
    return expert, answer


def test_own_points_with_ledger_rows(api, make, employee):
    expert, _answer = _activity(make, employee)
    body = api(expert).get("/users/expert/points").get_json()
    assert body["balance"] > 0
    assert sum(row["points"] for row in body["items"]) == body["balance"]
    assert body["total"] == len(body["items"])
    assert sum(body["by_seci"].values()) == body["balance"]


def test_points_of_someone_else_are_403_except_for_hr(api, make, employee):
    _activity(make, employee)
    assert api(employee).get("/users/expert/points").status_code == 403
    hr = make.user("hr1", role="hr")
    assert api(hr).get("/users/expert/points").status_code == 200
    assert api(hr).get("/users/nobody/points").status_code == 404


def test_contribution_report_is_for_hr_only(api, make, employee):
    _activity(make, employee)
    assert api(employee).get("/reports/contributions").status_code == 403
    hr = make.user("hr1", role="hr")
    report = api(hr).get("/reports/contributions").get_json()
    names = [row["username"] for row in report["items"]]
    assert "expert" in names
    row = report["items"][names.index("expert")]
    assert row["counts"]["answers"] == 1 and row["total"] > 0


def test_report_dates_are_checked(api, make):
    hr = api(make.user("hr1", role="hr"))
    assert hr.get("/reports/contributions?from=2026-13-01").status_code == 400
    reversed_ = hr.get("/reports/contributions?from=2026-05-01&to=2026-04-01")
    assert reversed_.status_code == 400
    assert hr.get("/reports/contributions?department=Nope").status_code == 404
    empty = hr.get("/reports/contributions?from=2001-01-01&to=2001-02-01").get_json()
    assert empty["items"] == [] and empty["from"] == "2001-01-01"
