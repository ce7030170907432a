"""HR contribution reports: access, numbers by SECI mode, drill-down, charts, CSV."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from portal import clock
from portal.extensions import db
from portal.incentives import reports
from portal.incentives.ledger import award
from portal.wiki import service as wiki
from tests.forums.factories import make_reply, make_thread
from tests.incentives.conftest import accept, vote

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
PERIOD = "from=2026-01-01&to=2026-03-31"

REPORT_URLS = [
    "/incentives/reports",
    f"/incentives/reports?{PERIOD}",
    "/incentives/reports/people/ben",
    "/incentives/reports/rows?user=ben",
    "/incentives/reports.csv",
    "/incentives/reports.csv?level=department",
]


@pytest.fixture
def at(monkeypatch):
    def _at(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)

    _at(NOW)
    return _at


@pytest.fixture
def sales(make):
    return make.department("销售部 Sales")


@pytest.fixture
def story(at, make, sales, questions):
    """Ben answers two questions in January and March: one accepted, one up-
    and one downvote; Wang writes a page in February that Ben's answer uses."""
    asker = make.user("asa", department=sales)
    ben = make.user("ben", display_name="Ben 本", department=sales)
    wang = make.user("wang", display_name="王芳", department=make.department("Key"))
    up, down = make.user("upper"), make.user("downer")
    at(datetime(2026, 1, 10, tzinfo=UTC))
    q1 = make_thread(questions, asker, "Renewal at ACME?", "?")
    a1 = make_reply(q1, ben, "Call early.")
    vote(a1, up, 1)
    accept(q1, a1, asker)
    at(datetime(2026, 2, 3, tzinfo=UTC))
    wiki.create_page("Renewal playbook", "How we renew. " * 20, wang)
    db.session.commit()
    at(datetime(2026, 3, 2, tzinfo=UTC))
    q2 = make_thread(questions, asker, "Pricing at ACME?", "?")
    a2 = make_reply(q2, ben, "See [[Renewal playbook]].")
    vote(a2, down, -1)
    at(NOW)
    return {"ben": ben, "wang": wang, "asker": asker}


# --- access ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["employee", "moderator"])
@pytest.mark.parametrize("url", REPORT_URLS)
def test_reports_are_refused_to_everyone_but_hr_and_admins(make, login, role, url):
    make.user("ben")
    client = login(make.user("nosy", role=role))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["hr", "admin"])
@pytest.mark.parametrize("url", REPORT_URLS)
def test_hr_and_admins_see_reports(make, login, role, url):
    make.user("ben")
    assert login(make.user("boss", role=role)).get(url).status_code == 200


def test_a_json_client_gets_a_json_403(login, employee):
    response = login(employee).get(
        "/incentives/reports.csv", headers={"Accept": "application/json"}
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("from=2026-13-01", 400, "must be a date like 2026-01-31"),
        ("from=yesterday", 400, "not “yesterday”"),
        ("from=2026-03-01&to=2026-01-01", 400, "is after the end date"),
        ("from=2010-01-01&to=2026-01-01", 400, "at most five years"),
        ("department=4242", 404, "no department with the number 4242"),
        ("department=x", 400, "chosen by its number"),
    ],
)
def test_bad_report_input_gets_a_clear_message(login, hr, query, status, message):
    response = login(hr).get(f"/incentives/reports?{query}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/incentives/reports/rows?rule=bogus", 404, "no point rule called “bogus”"),
        ("/incentives/reports/rows?count=likes", 400, "Unknown count “likes”"),
        ("/incentives/reports/rows?seci=osmosis", 400, "Unknown SECI mode"),
        ("/incentives/reports/rows?user=nobody", 404, "no user called nobody"),
        ("/incentives/reports.csv?level=planet", 400, "not “planet”"),
        ("/incentives/reports/people/nobody", 404, "no user called nobody"),
    ],
)
def test_bad_drill_down_input(login, hr, url, status, message):
    response = login(hr).get(url)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


# --- numbers -------------------------------------------------------------------------


def test_contributions_by_seci_mode_with_quality_signals(story):
    span = reports.span("2026-01-01", "2026-03-31")
    found = {u.username: c for u, c in reports.by_employee(span)}
    ben = found["ben"]
    # Two answers (+2 each), an upvote (+10) and a downvote (-2): socialization;
    # the accepted answer (+15): internalization.
    assert ben.points == {
        "socialization": 2 + 10 + 2 - 2,
        "externalization": 0,
        "combination": 0,
        "internalization": 15,
    }
    assert ben.counts["answers"] == 2 and ben.counts["accepted"] == 1
    assert ben.acceptance_rate == 0.5
    assert ben.vote_ratio == 0.5
    wang = found["wang"]
    assert wang.points["externalization"] == 5 and wang.pages == 1
    assert wang.points["internalization"] == 2, "his page was used in an answer"
    assert wang.reuse == 1
    assert ben.reuse == 1


def test_the_period_limits_the_numbers(story):
    march = {u.username: c for u, c in reports.by_employee(reports.span("2026-03-01"))}
    assert march["ben"].counts["answers"] == 1
    assert "asa" not in march, "her accepting was in January"


def test_departments_add_up(story, sales):
    span = reports.span("2026-01-01", "2026-03-31")
    rows = {d.name if d else None: c for d, c, _people in reports.by_department(span)}
    expected = sum(c.total for u, c in reports.by_employee(span, sales))
    assert rows[sales.name].total == expected
    assert reports.totals(reports.by_department(span)).total == sum(
        c.total for _u, c in reports.by_employee(span)
    )


def test_the_report_page_links_every_number_to_its_rows(story, login, hr, sales):
    client = login(hr)
    page = client.get(f"/incentives/reports?{PERIOD}&department={sales.id}")
    html = page.get_data(as_text=True)
    assert "Contributions in 销售部 Sales" in html
    link = re.search(
        r'href="(/incentives/reports/rows\?[^"]*count=answers[^"]*)"', html
    )
    assert link and "user=ben" in link.group(1)
    rows = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "2 rows" in rows and rows.count("You answered") == 2
    seci = client.get(
        f"/incentives/reports/rows?user=ben&seci=internalization&{PERIOD}"
    ).get_data(as_text=True)
    assert "1 row" in seci and "was accepted" in seci


def test_a_departed_persons_contributions_stay_in_the_report(story, login, hr):
    from portal.auth import service as auth_service

    auth_service.deactivate(story["ben"], departed=True)
    db.session.commit()
    html = (
        login(hr).get(f"/incentives/reports/people/ben?{PERIOD}").get_data(as_text=True)
    )
    assert "Left the company" in html


# --- charts --------------------------------------------------------------------------


def _points(svg: str, series: str) -> dict[str, int]:
    return {
        m: int(v)
        for m, v in re.findall(
            rf'<circle[^>]*data-series="{series}" data-month="([\d-]+)" '
            rf'data-value="(-?\d+)"',
            svg,
        )
    }


def test_the_person_chart_draws_monthly_points_by_mode(story, login, hr):
    html = (
        login(hr).get(f"/incentives/reports/people/ben?{PERIOD}").get_data(as_text=True)
    )
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 2 and not any("<script" in svg for svg in svgs)
    assert _points(html, "socialization") == {
        "2026-01": 12,
        "2026-02": 0,
        "2026-03": 0,
    }
    assert _points(html, "internalization") == {
        "2026-01": 15,
        "2026-02": 0,
        "2026-03": 0,
    }
    assert _points(html, "total") == {"2026-01": 27, "2026-02": 0, "2026-03": 0}
    split = re.search(r'data-series="internalization" data-value="(\d+)"', html)
    assert split and split.group(1) == "15"


def test_the_department_chart_sums_its_people(story, login, hr, sales):
    html = (
        login(hr)
        .get(f"/incentives/reports?{PERIOD}&department={sales.id}")
        .get_data(as_text=True)
    )
    months, series = reports.monthly(
        reports.span("2026-01-01", "2026-03-31"), dept=sales
    )
    assert _points(html, "socialization") == dict(
        zip(months, series["socialization"], strict=True)
    )
    assert _points(html, "socialization")["2026-03"] == 2 - 2


# --- CSV -----------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so Excel reads Chinese"
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_csv_opens_in_excel_with_chinese_names(story, login, hr):
    response = login(hr).get(f"/incentives/reports.csv?{PERIOD}")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    assert header[:3] == ["Username", "Display name", "Department"]
    assert body["ben"][1] == "Ben 本" and body["ben"][2] == "销售部 Sales"
    assert body["wang"][1] == "王芳"
    total = header.index("Total points")
    assert body["ben"][total] == str(12 + 15 + 2 - 2)
    assert body["ben"][header.index("Acceptance rate %")] == "50.0"


def test_the_csv_neutralizes_formulas(at, make, login, hr):
    evil = {
        "eq": '=HYPERLINK("http://evil.example","click")',
        "plus": "+1+1",
        "minus": "-2+3",
        "at": "@SUM(A1)",
    }
    dept = make.department("=cmd|' /C calc'!A0")
    for name, display in evil.items():
        user = make.user(name, display_name=display, department=dept)
        award(user.id, "post_downvoted", source_type="post", source_id=1, key="k")
    db.session.commit()
    rows = _csv(login(hr).get("/incentives/reports.csv"))
    body = {r[0]: r for r in rows[1:]}
    for name, display in evil.items():
        assert body[name][1] == "'" + display
        assert body[name][2] == "'=cmd|' /C calc'!A0"
    total = rows[0].index("Total points")
    assert body["minus"][total] == "-2", "numbers stay numbers"
    departments = _csv(login(hr).get("/incentives/reports.csv?level=department"))
    assert departments[1][0] == "'=cmd|' /C calc'!A0"


def test_neutralize():
    assert reports.neutralize("=1+2") == "'=1+2"
    assert reports.neutralize("\t=1") == "'\t=1"
    assert reports.neutralize("\r=1") == "'\r=1"
    assert reports.neutralize("李伟") == "李伟"
    assert reports.neutralize("a=b") == "a=b"
    assert reports.neutralize(-5) == -5
    assert reports.neutralize(None) == ""
