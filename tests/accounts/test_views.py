import io
import re

import pytest
import sqlalchemy as sa
from jinja2 import ChoiceLoader, DictLoader

from portal import signals
from portal.accounts.models import CustomerAccount
from portal.extensions import db


def rows(html: str) -> list[str]:
    """Return the account names linked from the list table, in order."""
    return re.findall(r'<td><a href="/accounts/\d+">([^<]+)</a></td>', html)


def count_accounts() -> int:
    return db.session.scalar(sa.select(sa.func.count(CustomerAccount.id)))


# --- the list -------------------------------------------------------------------------


@pytest.fixture
def three(make, make_account):
    alice = make.user("alice", display_name="Alice Martin")
    make_account(
        "华信银行",
        "CRM-1",
        industry="Banking",
        region="East",
        tier="key",
        account_manager=alice,
    )
    make_account(
        "ACME Manufacturing",
        "ACME-7",
        industry="Manufacturing",
        region="West",
        tier="strategic",
        status="at_risk",
    )
    make_account(
        "Northwind Retail",
        "NW-1",
        industry="Retail",
        region="East",
        tier="small",
        status="churned",
    )
    return alice


def test_list_shows_accounts_with_badges(login, employee, three):
    response = login(employee).get("/accounts")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert rows(html) == ["ACME Manufacturing", "Northwind Retail", "华信银行"]
    assert "3 accounts" in html
    assert "Alice Martin" in html
    assert 'class="badge badge-warn">At risk' in html
    assert 'class="badge badge-bad">Churned' in html
    assert "<time datetime=" in html
    assert 'href="/accounts/new"' in html  # employees may create
    assert "/accounts/import" not in html  # but not import


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=%E5%8D%8E%E4%BF%A1", ["华信银行"]),
        ("q=acme-7", ["ACME Manufacturing"]),
        ("industry=Retail", ["Northwind Retail"]),
        ("region=East", ["Northwind Retail", "华信银行"]),
        ("tier=strategic", ["ACME Manufacturing"]),
        ("status=churned", ["Northwind Retail"]),
        ("manager=alice", ["华信银行"]),
        ("region=East&tier=key", ["华信银行"]),
        ("sort=tier", ["ACME Manufacturing", "华信银行", "Northwind Retail"]),
        (
            "tier=bogus&sort=bogus",
            ["ACME Manufacturing", "Northwind Retail", "华信银行"],
        ),
    ],
)
def test_list_filters_and_sorts(login, employee, three, query, expected):
    response = login(employee).get(f"/accounts?{query}")
    assert response.status_code == 200
    assert rows(response.get_data(as_text=True)) == expected


def test_list_empty_states(login, employee, three):
    client = login(employee)
    html = client.get("/accounts?q=nothing-like-this").get_data(as_text=True)
    assert "No account matches these filters." in html
    db.session.execute(sa.delete(CustomerAccount))
    db.session.commit()
    html = client.get("/accounts").get_data(as_text=True)
    assert "No customer accounts yet" in html


def test_list_pages_by_30(login, employee, make_account):
    for n in range(35):
        make_account(f"Account {n:02d}", f"CRM-{n:02d}")
    client = login(employee)
    first = client.get("/accounts").get_data(as_text=True)
    assert len(rows(first)) == 30
    assert "35 accounts" in first
    assert "Page 1 of 2" in first
    second = client.get("/accounts?page=2").get_data(as_text=True)
    assert rows(second) == [f"Account {n}" for n in range(30, 35)]


def test_list_query_count_does_not_grow_with_accounts(app, login, make, make_account):
    viewer = make.user("viewer")
    client = login(viewer)

    def statements_for_list() -> int:
        statements = []

        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            response = client.get("/accounts")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(statements)

    def add_accounts(n: int, start: int) -> None:
        for i in range(start, start + n):
            manager = make.user(f"manager{i}")
            make_account(f"Account {i:03d}", f"CRM-{i:03d}", account_manager=manager)

    add_accounts(5, 0)
    with_five = statements_for_list()
    add_accounts(20, 5)
    with_twenty_five = statements_for_list()
    assert with_twenty_five == with_five


# --- the account page -----------------------------------------------------------------


def test_account_page(login, employee, three):
    account = db.session.scalar(
        sa.select(CustomerAccount).where(CustomerAccount.crm_ref == "CRM-1")
    )
    # With no package answering, the page explains what will gather here.
    with signals.account_panels.muted():
        response = login(employee).get(f"/accounts/{account.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>华信银行</h1>" in html
    assert "CRM-1" in html
    assert "Banking" in html
    assert ">Key account</span>" in html
    assert 'href="/u/alice"' in html
    assert "Nothing has been gathered about 华信银行 yet" in html
    # Only moderators, admins and the account's manager may edit.
    assert f"/accounts/{account.id}/edit" not in html
    assert f"/accounts/{account.id}/edit" in login(three).get(account.url).get_data(
        as_text=True
    )


def test_account_page_404(login, employee):
    assert login(employee).get("/accounts/12345").status_code == 404


def test_account_page_renders_other_packages_panels(app, login, employee, make_account):
    account = make_account("ACME", "ACME-1")
    app.jinja_env.loader = ChoiceLoader(
        [
            app.jinja_env.loader,
            DictLoader(
                {"test/_panel.html": "<section>Panel: {{ ctx.what }}</section>"}
            ),
        ]
    )

    def answer(sender, viewer):
        assert viewer.id == employee.id
        return signals.Panel("test/_panel.html", {"what": f"threads of {sender.name}"})

    with signals.account_panels.connected_to(answer):
        html = login(employee).get(account.url).get_data(as_text=True)
    assert "Panel: threads of ACME" in html
    assert "Nothing has been gathered" not in html


# --- creating and editing -------------------------------------------------------------


def form(**overrides) -> dict:
    return {
        "name": "上海明德医疗",
        "crm_ref": "CRM-10003",
        "industry": "Healthcare",
        "region": "East China",
        "tier": "key",
        "status": "at_risk",
        "account_manager": "",
        "description": "私立医院集团",
        **overrides,
    }


def test_new_account_form(login, employee):
    response = login(employee).get("/accounts/new")
    assert response.status_code == 200
    assert "Create account" in response.get_data(as_text=True)


def test_create_account_via_form(login, make, employee):
    make.user("alice")
    response = login(employee).post("/accounts/new", data=form(account_manager="alice"))
    assert response.status_code == 302
    account = db.session.scalar(sa.select(CustomerAccount))
    assert response.location == account.url
    assert account.name == "上海明德医疗"
    assert (account.tier, account.status) == ("key", "at_risk")
    assert account.account_manager.username == "alice"


def test_duplicate_crm_ref_is_409_and_keeps_the_input(login, employee, make_account):
    make_account("华信银行", "CRM-10003")
    response = login(employee).post(
        "/accounts/new", data=form(name="我输入的名字", industry="Typed industry")
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'value="我输入的名字"' in html
    assert 'value="Typed industry"' in html
    # The error is shown by the CRM reference field, naming the other account.
    field = html[html.index('for="crm_ref"') :]
    field = field[: field.index("</div>")]
    assert 'class="error"' in field
    assert "华信银行" in field
    assert count_accounts() == 1


def test_over_long_name_is_400_and_keeps_the_input(login, employee):
    name = "名" * 201
    response = login(employee).post("/accounts/new", data=form(name=name))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'value="{name}"' in html
    assert 'class="error"' in html
    assert count_accounts() == 0


def test_unknown_manager_is_400_by_the_field(login, employee):
    response = login(employee).post("/accounts/new", data=form(account_manager="ghost"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    field = html[html.index('for="account_manager"') :]
    assert "ghost" in field[: field.index("</div>")]


def test_edit_account(login, make, make_account):
    manager = make.user("manager")
    account = make_account("ACME", "ACME-1", account_manager=manager)
    client = login(manager)
    page = client.get(f"/accounts/{account.id}/edit").get_data(as_text=True)
    assert 'value="manager"' in page  # the manager shown by username
    response = client.post(
        f"/accounts/{account.id}/edit",
        data=form(name="ACME Corp", crm_ref="ACME-1", account_manager="manager"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert account.name == "ACME Corp"
    assert account.tier == "key"


def test_edit_duplicate_crm_ref_is_409(login, admin, make_account):
    make_account("华信银行", "CRM-1")
    other = make_account("ACME", "CRM-2")
    response = login(admin).post(
        f"/accounts/{other.id}/edit", data=form(name="ACME typed", crm_ref="CRM-1")
    )
    assert response.status_code == 409
    assert 'value="ACME typed"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert (other.name, other.crm_ref) == ("ACME", "CRM-2")


def test_edit_is_refused_to_other_employees(login, employee, make, make_account):
    account = make_account(account_manager=make.user("manager"))
    client = login(employee)
    assert client.get(f"/accounts/{account.id}/edit").status_code == 403
    assert client.post(f"/accounts/{account.id}/edit", data=form()).status_code == 403
    moderator = make.user("mod", role="moderator")
    assert login(moderator).get(f"/accounts/{account.id}/edit").status_code == 200


def test_edit_missing_account_is_404(login, admin):
    assert login(admin).get("/accounts/999/edit").status_code == 404


def test_pages_need_a_login(client, make_account):
    account = make_account()
    for url in ("/accounts", account.url, "/accounts/new", "/accounts/import"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.location


# --- import ---------------------------------------------------------------------------

CSV = "crm_ref,name,tier\nCRM-1,华信银行,key\nCRM-2,Bad,gold\nCRM-3,ACME,strategic\n"


def upload(client, data: bytes, filename="accounts.csv", **fields):
    return client.post(
        "/accounts/import",
        data={"file": (io.BytesIO(data), filename), **fields},
        content_type="multipart/form-data",
    )


def test_import_is_for_admins_only(login, employee, make):
    client = login(employee)
    assert client.get("/accounts/import").status_code == 403
    assert upload(client, CSV.encode()).status_code == 403
    moderator = login(make.user("mod", role="moderator"))
    assert moderator.get("/accounts/import").status_code == 403
    assert count_accounts() == 0


def test_import_page(login, admin):
    response = login(admin).get("/accounts/import")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert 'name="dry_run"' in html


def test_import_upload_shows_the_report(login, admin):
    response = upload(login(admin), CSV.encode("gbk"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Import finished" in html
    assert "<strong>2</strong> created" in html
    assert "<strong>1</strong> refused" in html
    assert "<tr><td>3</td>" in html  # the bad row, by its line number
    assert "gold" in html
    assert count_accounts() == 2


def test_import_dry_run_writes_nothing(login, admin):
    response = upload(login(admin), CSV.encode(), dry_run="y")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Dry run: nothing was saved" in html
    assert "<strong>2</strong> created" in html
    db.session.expire_all()
    assert count_accounts() == 0


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\xff\xfe\x80\x81", "a.csv", "not a CSV text file"),
        (b"", "a.csv", "The file is empty."),
        (b"name,industry\nACME,Retail\n", "a.csv", "crm_ref"),
        (CSV.encode(), "accounts.xlsx", "Upload a .csv file."),
    ],
)
def test_import_refuses_unreadable_files(login, admin, data, filename, message):
    response = upload(login(admin), data, filename)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    field = html[html.index('for="file"') :]
    assert message in field[: field.index("</div>")]
    assert count_accounts() == 0


def test_import_without_a_file_is_400(login, admin):
    response = login(admin).post(
        "/accounts/import", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "Choose a CSV file" in response.get_data(as_text=True)


def test_pages_speak_chinese(login, make, make_account):
    reader = make.user("lihua", locale="zh")
    account = make_account("华信银行", "CRM-1", tier="key", status="at_risk")
    client = login(reader)
    html = client.get("/accounts").get_data(as_text=True)
    assert "客户名称" in html
    assert "重点客户" in html
    with signals.account_panels.muted():
        html = client.get(account.url).get_data(as_text=True)
    assert "有流失风险" in html
    assert "关于“华信银行”还没有积累任何知识" in html
