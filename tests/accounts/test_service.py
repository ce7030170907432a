from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal import clock
from portal.accounts import permissions, service
from portal.accounts.models import TIERS, CustomerAccount, tier_rank
from portal.auth import service as auth_service
from portal.errors import Conflict, Invalid, NotFound
from portal.extensions import db


def ids(stmt):
    return [a.crm_ref for a in db.session.scalars(stmt)]


# --- create ---------------------------------------------------------------------------


def test_create_account_stores_fields_and_sends_signal(make, captured):
    alice = make.user("alice")
    account = service.create_account(
        "  华信银行 ",
        " CRM-10001 ",
        industry="Banking",
        region="East China",
        tier="strategic",
        status="at_risk",
        account_manager="alice",
        description="核心系统客户",
        actor=alice,
    )
    db.session.commit()
    assert account.id is not None
    assert account.name == "华信银行"
    assert account.crm_ref == "CRM-10001"
    assert (account.industry, account.region) == ("Banking", "East China")
    assert (account.tier, account.status) == ("strategic", "at_risk")
    assert account.account_manager is alice
    assert account.url == f"/accounts/{account.id}"
    assert account.created_at.tzinfo is not None
    assert captured["created"] == [(account, {"actor": alice})]


def test_create_account_defaults(app):
    account = service.create_account("ACME", "ACME-1")
    assert (account.tier, account.status) == ("standard", "active")
    assert account.account_manager is None
    assert account.description == ""


def test_create_account_accepts_a_user_as_manager(make):
    bob = make.user("bob")
    account = service.create_account("ACME", "ACME-1", account_manager=bob)
    assert account.account_manager_id == bob.id


@pytest.mark.parametrize("name", ["", "   ", None])
def test_name_is_required(app, name):
    with pytest.raises(Invalid) as e:
        service.create_account(name, "CRM-1")
    assert e.value.details == {"field": "name"}
    assert "required" in e.value.message


def test_name_length_limit(app):
    service.create_account("名" * 200, "CRM-1")
    with pytest.raises(Invalid) as e:
        service.create_account("名" * 201, "CRM-2")
    assert e.value.details == {"field": "name"}
    assert "200" in e.value.message


@pytest.mark.parametrize(
    "crm_ref",
    ["", "CRM 1", "-CRM-1", "CRM#1", "客户1", "C" * 65, "CRM\t1", "CRM-1;"],
)
def test_bad_crm_ref_is_invalid(app, crm_ref):
    with pytest.raises(Invalid) as e:
        service.create_account("ACME", crm_ref)
    assert e.value.details == {"field": "crm_ref"}


@pytest.mark.parametrize("crm_ref", ["CRM-10001", "sf:001A/x_y.z", "7", "C" * 64])
def test_good_crm_refs(app, crm_ref):
    assert service.create_account("ACME", crm_ref).crm_ref == crm_ref


def test_duplicate_crm_ref_is_a_conflict_naming_the_account(make_account):
    make_account("华信银行", "CRM-10001")
    with pytest.raises(Conflict) as e:
        service.create_account("Other bank", "CRM-10001")
    assert e.value.details == {"field": "crm_ref"}
    assert "华信银行" in e.value.message
    assert "CRM-10001" in e.value.message


def test_unknown_tier_lists_the_allowed_values(app):
    with pytest.raises(Invalid) as e:
        service.create_account("ACME", "CRM-1", tier="gold")
    assert e.value.details == {"field": "tier"}
    assert "gold" in e.value.message
    for tier in TIERS:
        assert tier in e.value.message


def test_unknown_status_is_invalid(app):
    with pytest.raises(Invalid) as e:
        service.create_account("ACME", "CRM-1", status="dormant")
    assert e.value.details == {"field": "status"}
    assert "at_risk" in e.value.message


@pytest.mark.parametrize(
    ("field", "limit"), [("industry", 120), ("region", 120), ("description", 2000)]
)
def test_optional_text_length_limits(app, field, limit):
    with pytest.raises(Invalid) as e:
        service.create_account("ACME", "CRM-1", **{field: "x" * (limit + 1)})
    assert e.value.details == {"field": field}


def test_unknown_manager_is_invalid(app):
    with pytest.raises(Invalid) as e:
        service.create_account("ACME", "CRM-1", account_manager="nobody")
    assert e.value.details == {"field": "account_manager"}
    assert "nobody" in e.value.message


def test_departed_manager_is_invalid(make, admin):
    old = make.user("oldhand")
    auth_service.deactivate(old, admin)
    db.session.commit()
    with pytest.raises(Invalid) as e:
        service.create_account("ACME", "CRM-1", account_manager="oldhand")
    assert e.value.details == {"field": "account_manager"}


def test_nothing_is_written_by_a_refused_create(app):
    with pytest.raises(Invalid):
        service.create_account("ACME", "CRM-1", tier="gold")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(CustomerAccount.id))) == 0


# --- get ------------------------------------------------------------------------------


def test_get_account(make_account):
    account = make_account()
    assert service.get_account(account.id) is account
    with pytest.raises(NotFound):
        service.get_account(account.id + 1)


# --- update ---------------------------------------------------------------------------


def test_update_changes_only_what_differs(make, make_account, captured, monkeypatch):
    alice = make.user("alice")
    account = make_account("ACME", "CRM-1", industry="Retail")
    before = account.updated_at
    later = clock.now() + timedelta(hours=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    changed = service.update_account(
        account, alice, name="ACME", industry="Manufacturing", tier="key"
    )
    db.session.commit()
    assert changed == {"industry", "tier"}
    assert account.updated_at == later > before
    assert captured["updated"] == [
        (account, {"actor": alice, "changed": {"industry", "tier"}})
    ]


def test_update_with_the_same_values_writes_nothing(
    make_account, captured, monkeypatch
):
    account = make_account("ACME", "CRM-1", industry="Retail", description="x")
    before = account.updated_at
    monkeypatch.setattr(clock, "now", lambda: before + timedelta(hours=1))
    changed = service.update_account(
        account,
        name=" ACME ",
        crm_ref="CRM-1",
        industry="Retail",
        tier="standard",
        account_manager="",
        description="x",
    )
    assert changed == set()
    assert not db.session.dirty
    db.session.commit()
    assert account.updated_at == before
    assert captured["updated"] == []


def test_update_validates_before_changing_anything(make_account):
    account = make_account("ACME", "CRM-1")
    with pytest.raises(Invalid):
        service.update_account(account, name="New name", tier="gold")
    assert account.name == "ACME"


def test_update_crm_ref_conflict(make_account):
    make_account("华信银行", "CRM-1")
    other = make_account("ACME", "CRM-2")
    with pytest.raises(Conflict) as e:
        service.update_account(other, crm_ref="CRM-1")
    assert "华信银行" in e.value.message


def test_update_unknown_field_is_invalid(make_account):
    with pytest.raises(Invalid):
        service.update_account(make_account(), colour="red")


def test_departed_manager_stays_when_other_fields_change(make, make_account, admin):
    old = make.user("oldhand")
    account = make_account(account_manager=old)
    auth_service.deactivate(old, admin)
    db.session.commit()
    changed = service.update_account(
        account, admin, account_manager="oldhand", status="at_risk"
    )
    assert changed == {"status"}
    assert account.account_manager is old


def test_manager_can_be_changed_and_cleared(make, make_account):
    alice, bob = make.user("alice"), make.user("bob")
    account = make_account(account_manager=alice)
    assert service.update_account(account, account_manager="bob") == {"account_manager"}
    assert account.account_manager is bob
    service.update_account(account, account_manager=None)
    assert account.account_manager is None


# --- upsert ---------------------------------------------------------------------------


def test_upsert_creates_then_updates(app, captured):
    account, created, changed = service.upsert_by_ref(
        "CRM-1", {"name": "ACME", "tier": "key"}
    )
    assert created is True
    assert {"name", "crm_ref", "tier"} <= changed
    again, created, changed = service.upsert_by_ref("CRM-1", {"tier": "strategic"})
    assert again is account
    assert (created, changed) == (False, {"tier"})
    assert len(captured["created"]) == 1
    assert len(captured["updated"]) == 1


def test_upsert_with_the_same_values_changes_nothing(
    make, make_account, captured, monkeypatch
):
    make.user("alice")
    account = make_account(
        "ACME", "CRM-1", industry="Retail", tier="key", account_manager="alice"
    )
    before = account.updated_at
    monkeypatch.setattr(clock, "now", lambda: before + timedelta(days=1))
    same, created, changed = service.upsert_by_ref(
        "CRM-1",
        {
            "name": "ACME",
            "industry": "Retail",
            "tier": "key",
            "account_manager": "alice",
        },
    )
    assert (same, created, changed) == (account, False, set())
    assert not db.session.dirty and not db.session.new
    db.session.commit()
    assert account.updated_at == before
    assert captured["updated"] == []


def test_upsert_of_a_new_account_needs_a_name(app):
    with pytest.raises(Invalid) as e:
        service.upsert_by_ref("CRM-1", {"industry": "Retail"})
    assert e.value.details == {"field": "name"}


# --- list -----------------------------------------------------------------------------


@pytest.fixture
def listed(make, make_account):
    alice, bob = make.user("alice"), make.user("bob")
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
        account_manager=bob,
    )
    make_account(
        "Northwind 100% Retail",
        "NW_1",
        industry="Retail",
        region="East",
        tier="small",
        status="churned",
    )
    return alice, bob


def test_list_filters(listed):
    alice, bob = listed
    assert ids(service.list_accounts(q="华信")) == ["CRM-1"]
    assert ids(service.list_accounts(q="acme-7")) == ["ACME-7"]
    assert ids(service.list_accounts(q="100%")) == ["NW_1"]
    assert ids(service.list_accounts(q="%")) == ["NW_1"]
    assert ids(service.list_accounts(q="_")) == ["NW_1"]
    assert ids(service.list_accounts(industry="Banking")) == ["CRM-1"]
    assert set(ids(service.list_accounts(region="East"))) == {"CRM-1", "NW_1"}
    assert ids(service.list_accounts(tier="strategic")) == ["ACME-7"]
    assert ids(service.list_accounts(status="churned")) == ["NW_1"]
    assert ids(service.list_accounts(manager=alice)) == ["CRM-1"]
    assert ids(service.list_accounts(manager="bob")) == ["ACME-7"]
    assert ids(service.list_accounts(manager="nobody")) == []
    assert ids(service.list_accounts(region="East", tier="small")) == ["NW_1"]


def test_list_sorts(listed, monkeypatch):
    assert ids(service.list_accounts()) == ["ACME-7", "NW_1", "CRM-1"]
    assert ids(service.list_accounts(sort="tier")) == ["ACME-7", "CRM-1", "NW_1"]
    account = db.session.scalar(
        sa.select(CustomerAccount).where(CustomerAccount.crm_ref == "NW_1")
    )
    later = clock.now() + timedelta(minutes=5)
    monkeypatch.setattr(clock, "now", lambda: later)
    service.update_account(account, description="touched")
    db.session.commit()
    assert ids(service.list_accounts(sort="updated"))[0] == "NW_1"
    with pytest.raises(Invalid):
        service.list_accounts(sort="colour")


def test_list_loads_the_managers_with_the_accounts(make, make_account):
    for n in range(5):
        make_account(account_manager=make.user(f"manager{n}"))
    db.session.expunge_all()  # nothing already loaded can hide a lazy load
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = db.paginate(service.list_accounts(), page=1, per_page=30)
        managers = [a.account_manager.display_name for a in page.items]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(managers) == 5
    assert len(statements) == 2  # the page and its total


def test_tier_rank_puts_strategic_first():
    assert sorted(["small", "key", "strategic", "standard"], key=tier_rank) == list(
        TIERS
    )
    assert tier_rank("unknown") == len(TIERS)


def test_filter_options(listed):
    options = service.filter_options()
    assert options["industries"] == ["Banking", "Manufacturing", "Retail"]
    assert options["regions"] == ["East", "West"]
    assert {u.username for u in options["managers"]} == {"alice", "bob"}


# --- permissions ----------------------------------------------------------------------


def test_permissions(make, make_account, admin, employee):
    moderator = make.user("mod", role="moderator")
    manager = make.user("manager")
    account = make_account(account_manager=manager)
    assert permissions.can_create_account(employee)
    assert not permissions.can_create_account(None)
    assert permissions.can_edit_account(manager, account)
    assert permissions.can_edit_account(moderator, account)
    assert permissions.can_edit_account(admin, account)
    assert not permissions.can_edit_account(employee, account)
    assert permissions.can_import_accounts(admin)
    assert not permissions.can_import_accounts(moderator)
    assert not permissions.can_import_accounts(employee)
    auth_service.deactivate(manager, admin)
    db.session.commit()
    assert not permissions.can_edit_account(manager, account)
    assert not permissions.can_create_account(manager)
