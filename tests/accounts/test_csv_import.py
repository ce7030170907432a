from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal import clock
from portal.accounts.csv_import import import_csv
from portal.accounts.models import CustomerAccount
from portal.errors import Invalid
from portal.extensions import db

GOOD = """crm_ref,name,industry,region,tier,status,account_manager,description
CRM-1,华信银行,Banking,East China,strategic,active,alice,核心系统客户
CRM-2,ACME Manufacturing,Manufacturing,North America,key,at_risk,,"Tools, and more"
CRM-3,Northwind Retail,Retail,Europe,small,prospect,bob,
"""


def accounts() -> dict[str, CustomerAccount]:
    return {a.crm_ref: a for a in db.session.scalars(sa.select(CustomerAccount))}


@pytest.fixture
def managers(make):
    return make.user("alice"), make.user("bob")


def test_good_utf8_file(managers, captured):
    alice, bob = managers
    report = import_csv(GOOD.encode(), actor=alice)
    db.session.commit()
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.errors == []
    assert report.rows == 3
    assert report.encoding == "UTF-8"
    found = accounts()
    assert found["CRM-1"].name == "华信银行"
    assert found["CRM-1"].account_manager is alice
    assert found["CRM-1"].description == "核心系统客户"
    assert (found["CRM-2"].tier, found["CRM-2"].status) == ("key", "at_risk")
    assert found["CRM-2"].description == "Tools, and more"
    assert found["CRM-2"].account_manager is None
    assert found["CRM-3"].account_manager is bob
    assert len(captured["created"]) == 3
    assert captured["created"][0][1] == {"actor": alice}


def test_utf8_with_bom(managers):
    report = import_csv(GOOD.encode("utf-8-sig"), actor=None)
    assert report.created == 3
    assert report.encoding == "UTF-8"
    assert accounts()["CRM-1"].name == "华信银行"


def test_gbk_file_with_chinese_names_and_headers(managers):
    text = (
        "客户编号,客户名称,行业,地区,级别,状态,客户经理,描述\r\n"
        "CRM-1,上海明德医疗,医疗,华东,重点,有流失风险,alice,私立医院集团\r\n"
        "CRM-2,东方航空物流,物流,华东,战略,合作中,,\r\n"
    )
    report = import_csv(text.encode("gbk"))
    assert report.encoding == "GBK"
    assert report.errors == []
    assert report.created == 2
    found = accounts()
    assert found["CRM-1"].name == "上海明德医疗"
    assert found["CRM-1"].industry == "医疗"
    assert found["CRM-1"].region == "华东"
    assert (found["CRM-1"].tier, found["CRM-1"].status) == ("key", "at_risk")
    assert found["CRM-1"].account_manager.username == "alice"
    assert found["CRM-1"].description == "私立医院集团"
    assert (found["CRM-2"].tier, found["CRM-2"].status) == ("strategic", "active")


def test_headers_are_case_insensitive_and_spaces_tolerated(app):
    text = " CRM_Ref , NAME ,Tier,Status,Notes\nCRM-1,ACME, Key ,At Risk,ignored\n"
    report = import_csv(text.encode())
    assert report.created == 1
    assert report.ignored_columns == ["Notes"]
    assert (accounts()["CRM-1"].tier, accounts()["CRM-1"].status) == ("key", "at_risk")


def test_semicolon_separated_file(app):
    report = import_csv(b"crm_ref;name;industry\nCRM-1;ACME;Retail, food\n")
    assert report.created == 1
    assert accounts()["CRM-1"].industry == "Retail, food"


def test_bad_rows_are_reported_with_their_line_and_good_rows_imported(managers):
    text = (
        "crm_ref,name,tier,account_manager,description\n"  # line 1
        "CRM-1,Good one,key,,\n"  # 2
        "CRM-2,Bad tier,gold,,\n"  # 3
        "\n"  # 4: blank, skipped
        "CRM-3,,small,,\n"  # 5: a new account needs a name
        'CRM-4,Multi-line,key,,"first\nsecond"\n'  # 6-7
        "bad ref,Bad ref,key,,\n"  # 8
        "CRM-5,Unknown manager,key,nobody,\n"  # 9
        "CRM-6,Too many,key,,x,y\n"  # 10
        "CRM-7,Good two,standard,alice,\n"  # 11
        ",No ref,key,,\n"  # 12
    )
    report = import_csv(text.encode())
    db.session.commit()
    assert report.created == 3
    assert [line for line, _ in report.errors] == [3, 5, 8, 9, 10, 12]
    messages = dict(report.errors)
    assert "gold" in messages[3]
    assert "Account name is required" in messages[5]
    assert "CRM reference" in messages[8]
    assert "nobody" in messages[9]
    assert "cells" in messages[10]
    assert "CRM reference" in messages[12]
    assert set(accounts()) == {"CRM-1", "CRM-4", "CRM-7"}
    assert accounts()["CRM-4"].description == "first\nsecond"


def test_reimport_changes_nothing(managers, captured, monkeypatch):
    import_csv(GOOD.encode())
    db.session.commit()
    before = {ref: a.updated_at for ref, a in accounts().items()}
    captured["created"].clear()
    later = clock.now() + timedelta(days=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    report = import_csv(GOOD.encode())
    assert not db.session.dirty and not db.session.new
    db.session.commit()
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert report.errors == []
    assert {ref: a.updated_at for ref, a in accounts().items()} == before
    assert captured == {"created": [], "updated": []}


def test_reimport_with_a_change_updates_that_row(managers):
    import_csv(GOOD.encode())
    db.session.commit()
    report = import_csv(GOOD.replace("Europe,small", "Europe,key").encode())
    db.session.commit()
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert accounts()["CRM-3"].tier == "key"


def test_empty_cells_keep_current_values(managers):
    import_csv(GOOD.encode())
    db.session.commit()
    report = import_csv(b"crm_ref,name,industry,account_manager\nCRM-1,,,\n")
    assert report.unchanged == 1
    account = accounts()["CRM-1"]
    assert account.name == "华信银行"
    assert account.industry == "Banking"
    assert account.account_manager.username == "alice"


def test_duplicate_ref_in_one_file_is_an_update(app):
    text = "crm_ref,name,tier\nCRM-1,ACME,key\nCRM-2,Other,key\nCRM-1,ACME,strategic\n"
    report = import_csv(text.encode())
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    assert accounts()["CRM-1"].tier == "strategic"
    again = import_csv(b"crm_ref,name\nCRM-9,X\nCRM-9,X\n")
    assert (again.created, again.unchanged, again.errors) == (1, 1, [])


def test_dry_run_writes_nothing(managers, captured):
    import_csv(b"crm_ref,name,tier\nCRM-1,Before,small\n")
    db.session.commit()
    report = import_csv(GOOD.encode(), dry_run=True)
    assert report.dry_run
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    db.session.commit()  # even a careless caller's commit writes nothing
    db.session.expire_all()
    found = accounts()
    assert set(found) == {"CRM-1"}
    assert (found["CRM-1"].name, found["CRM-1"].tier) == ("Before", "small")


def test_dry_run_reports_the_same_errors(app):
    report = import_csv(b"crm_ref,name,tier\nCRM-1,A,gold\nCRM-2,B,key\n", dry_run=True)
    assert report.errors and report.errors[0][0] == 2
    assert report.created == 1
    assert accounts() == {}


def test_progress_is_called_for_each_row(managers):
    calls = []
    import_csv(GOOD.encode(), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"crm_ref,industry\nCRM-1,Retail\n", "name"),
        (b"name,industry\nACME,Retail\n", "crm_ref"),
        ("客户名称,行业\nACME,Retail\n".encode(), "crm_ref"),
        (b"crm_ref,name,Name\nCRM-1,a,b\n", "twice"),
        (b"crm_ref,name\n", "no rows"),
        (b"", "empty"),
        (b" \r\n\r\n", "empty"),
        ("\ufeff".encode(), "empty"),
    ],
)
def test_file_level_errors(app, data, words):
    with pytest.raises(Invalid) as e:
        import_csv(data)
    assert words in e.value.message
    assert e.value.details == {"field": "file"}


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x80\x81crm_ref",  # neither UTF-8 nor GBK
        "crm_ref,name\nCRM-1,ACME\n".encode("utf-16"),  # NULs
        b"PK\x03\x04\x14\x00\x06\x00",  # a spreadsheet (zip)
    ],
)
def test_undecodable_file_is_one_clear_error(app, data):
    with pytest.raises(Invalid) as e:
        import_csv(data)
    assert "CSV" in e.value.message
    assert accounts() == {}


# --- the command line -----------------------------------------------------------------


def write(tmp_path, text: str, encoding="utf-8") -> str:
    path = tmp_path / "accounts.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_cli_import(runner, managers, tmp_path):
    path = write(tmp_path, GOOD + "CRM-4,Bad,,,gold,,,\n")
    result = runner.invoke(args=["accounts", "import", path])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    assert "1 refused" in result.output
    assert "line 5:" in result.output
    db.session.expire_all()
    assert set(accounts()) == {"CRM-1", "CRM-2", "CRM-3"}


def test_cli_dry_run_writes_nothing(runner, managers, tmp_path):
    path = write(tmp_path, GOOD, "gbk")
    result = runner.invoke(args=["accounts", "import", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    assert "3 created" in result.output
    db.session.expire_all()
    assert accounts() == {}


def test_cli_file_error_exits_non_zero(runner, tmp_path):
    path = write(tmp_path, "name,industry\nACME,Retail\n")
    result = runner.invoke(args=["accounts", "import", path])
    assert result.exit_code != 0
    assert "crm_ref" in result.output
    assert accounts() == {}


def test_sample_file_imports_cleanly(app, make):
    from pathlib import Path

    import portal.accounts

    for username in ("alice", "liwei", "wujun", "tomr", "jnovak"):
        make.user(username)
    sample = Path(portal.accounts.__file__).parent / "sample_accounts.csv"
    data = sample.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    report = import_csv(data)
    assert report.errors == []
    assert report.created == 10
