"""Operations on customer accounts: create, change, upsert from the CRM, list.

Services flush and never commit; the caller commits once.
"""

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, make_transient_to_detached

from portal import signals
from portal.accounts.models import STATUSES, TIERS, CustomerAccount, tier_rank_sql
from portal.auth.models import User
from portal.errors import Conflict, Invalid, NotFound
from portal.extensions import db

CRM_REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")
SORTS = ("name", "tier", "updated")

# The fields ``update_account`` and ``upsert_by_ref`` accept.
FIELDS = (
    "name",
    "crm_ref",
    "industry",
    "region",
    "tier",
    "status",
    "account_manager",
    "description",
)


def get_account(account_id: int) -> CustomerAccount:
    """Return the account with this id.

    :raises NotFound: when there is none.
    """
    account = db.session.get(CustomerAccount, account_id)
    if account is None:
        raise NotFound(
            _("There is no customer account with the id %(id)s.", id=account_id)
        )
    return account


def detached_copy(account: CustomerAccount) -> CustomerAccount:
    """A copy of the account's row in no session, to keep between requests and
    put into a request's session with ``db.session.merge(copy, load=False)``
    (no query). Its columns only: its relations load in that session."""
    columns = sa.inspect(CustomerAccount).column_attrs
    copy = CustomerAccount(**{c.key: getattr(account, c.key) for c in columns})
    make_transient_to_detached(copy)
    return copy


def find_by_ref(crm_ref: str) -> CustomerAccount | None:
    """Return the account whose CRM reference is ``crm_ref``, or None."""
    return db.session.scalar(
        sa.select(CustomerAccount).where(CustomerAccount.crm_ref == crm_ref.strip())
    )


# --- validation ----------------------------------------------------------------


def _text(value, field: str, label: str, max_len: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(
            _("%(label)s is required.", label=label), details={"field": field}
        )
    if len(value) > max_len:
        raise Invalid(
            _("%(label)s is at most %(n)d characters.", label=label, n=max_len),
            details={"field": field},
        )
    return value


def _name(value) -> str:
    return _text(value, "name", _("Account name"), 200, required=True)


def _crm_ref(value, account: CustomerAccount | None = None) -> str:
    crm_ref = _text(value, "crm_ref", _("CRM reference"), 64, required=True)
    if not CRM_REF_RE.fullmatch(crm_ref):
        raise Invalid(
            _(
                "A CRM reference starts with a letter or digit and contains only "
                "letters, digits and . _ : / - (for example CRM-10001)."
            ),
            details={"field": "crm_ref"},
        )
    other = find_by_ref(crm_ref)
    if other is not None and other is not account:
        raise Conflict(
            _(
                "The CRM reference %(ref)s already belongs to the account %(name)s.",
                ref=crm_ref,
                name=other.name,
            ),
            details={"field": "crm_ref"},
        )
    return crm_ref


def _tier(value) -> str:
    tier = (value or "").strip()
    if tier not in TIERS:
        raise Invalid(
            _(
                "Unknown tier “%(value)s”; choose one of: %(allowed)s.",
                value=tier,
                allowed=", ".join(TIERS),
            ),
            details={"field": "tier"},
        )
    return tier


def _status(value) -> str:
    status = (value or "").strip()
    if status not in STATUSES:
        raise Invalid(
            _(
                "Unknown status “%(value)s”; choose one of: %(allowed)s.",
                value=status,
                allowed=", ".join(STATUSES),
            ),
            details={"field": "status"},
        )
    return status


def _manager(value, current: User | None = None) -> User | None:
    """Resolve ``value`` (a User, a username or empty) to an active user.

    The current manager is accepted even after they leave, so that editing
    other fields of their accounts still works.
    """
    if value is None or value == "":
        return None
    if isinstance(value, User):
        user = value
        label = user.username
    else:
        label = str(value).strip()
        if not label:
            return None
        user = db.session.scalar(sa.select(User).where(User.username == label))
        if user is None:
            raise Invalid(
                _("There is no user called %(name)s.", name=label),
                details={"field": "account_manager"},
            )
    if current is not None and user.id == current.id:
        return user
    if not user.is_active:
        raise Invalid(
            _(
                "%(name)s is no longer active and cannot manage accounts.",
                name=label,
            ),
            details={"field": "account_manager"},
        )
    return user


# --- operations ----------------------------------------------------------------


def create_account(
    name: str,
    crm_ref: str,
    *,
    industry: str = "",
    region: str = "",
    tier: str = "standard",
    status: str = "active",
    account_manager: User | str | None = None,
    description: str = "",
    actor: User | None = None,
) -> CustomerAccount:
    """Create a customer account.

    ``account_manager`` is a User or a username.

    :raises Invalid: when a field is missing, too long or malformed, the tier or
        status is unknown, or the account manager does not exist or has left.
    :raises Conflict: when another account has this CRM reference.
    """
    account = CustomerAccount(
        name=_name(name),
        crm_ref=_crm_ref(crm_ref),
        industry=_text(industry, "industry", _("Industry"), 120),
        region=_text(region, "region", _("Region"), 120),
        tier=_tier(tier),
        status=_status(status),
        account_manager=_manager(account_manager),
        description=_text(description, "description", _("Description"), 2000),
    )
    db.session.add(account)
    db.session.flush()
    signals.account_created.send(account, actor=actor)
    return account


def update_account(
    account: CustomerAccount, actor: User | None = None, **fields
) -> set[str]:
    """Change the given ``fields`` of ``account`` (the names in ``FIELDS``).

    Only values that differ are written. When nothing differs, nothing is
    flushed and no signal is sent. Returns the names of the changed fields.

    :raises Invalid: when a value is malformed or a field is unknown.
    :raises Conflict: when the new CRM reference belongs to another account.
    """
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise Invalid(_("Unknown fields: %(names)s.", names=", ".join(sorted(unknown))))
    values = {}
    if "name" in fields:
        values["name"] = _name(fields["name"])
    if "crm_ref" in fields:
        values["crm_ref"] = _crm_ref(fields["crm_ref"], account)
    if "industry" in fields:
        values["industry"] = _text(fields["industry"], "industry", _("Industry"), 120)
    if "region" in fields:
        values["region"] = _text(fields["region"], "region", _("Region"), 120)
    if "tier" in fields:
        values["tier"] = _tier(fields["tier"])
    if "status" in fields:
        values["status"] = _status(fields["status"])
    if "account_manager" in fields:
        values["account_manager"] = _manager(
            fields["account_manager"], account.account_manager
        )
    if "description" in fields:
        values["description"] = _text(
            fields["description"], "description", _("Description"), 2000
        )
    changed = set()
    for key, value in values.items():
        if key == "account_manager":
            same = (value.id if value else None) == account.account_manager_id
        else:
            same = getattr(account, key) == value
        if not same:
            setattr(account, key, value)
            changed.add(key)
    if changed:
        db.session.flush()
        signals.account_updated.send(account, actor=actor, changed=changed)
    return changed


def upsert_by_ref(
    crm_ref: str, fields: dict, actor: User | None = None
) -> tuple[CustomerAccount, bool, set[str]]:
    """Create the account with this CRM reference, or update it with ``fields``.

    Returns ``(account, created, changed)``; ``changed`` is empty (and nothing is
    written) when the account already has these values.

    :raises Invalid: when a value is malformed (a new account needs a name).
    """
    fields = {k: v for k, v in fields.items() if k != "crm_ref"}
    account = find_by_ref(crm_ref or "")
    if account is None:
        account = create_account(fields.pop("name", ""), crm_ref, actor=actor, **fields)
        return account, True, {"name", "crm_ref", *fields}
    return account, False, update_account(account, actor, **fields)


def list_accounts(
    q: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    tier: str | None = None,
    status: str | None = None,
    manager: User | str | None = None,
    sort: str = "name",
) -> sa.Select:
    """Return a statement selecting the matching accounts, for ``db.paginate``.

    ``q`` matches part of the name or the CRM reference; ``manager`` is a User
    or a username. The account manager is loaded with each account.

    :raises Invalid: when ``sort`` is not one of ``SORTS``.
    """
    stmt = sa.select(CustomerAccount).options(
        joinedload(CustomerAccount.account_manager)
    )
    q = (q or "").strip()
    if q:
        like = "%" + re.sub(r"([\\%_])", r"\\\1", q) + "%"
        stmt = stmt.where(
            sa.or_(
                CustomerAccount.name.ilike(like, escape="\\"),
                CustomerAccount.crm_ref.ilike(like, escape="\\"),
            )
        )
    if industry:
        stmt = stmt.where(CustomerAccount.industry == industry)
    if region:
        stmt = stmt.where(CustomerAccount.region == region)
    if tier:
        stmt = stmt.where(CustomerAccount.tier == tier)
    if status:
        stmt = stmt.where(CustomerAccount.status == status)
    if isinstance(manager, User):
        stmt = stmt.where(CustomerAccount.account_manager_id == manager.id)
    elif manager:
        stmt = stmt.where(
            CustomerAccount.account_manager_id.in_(
                sa.select(User.id).where(User.username == manager)
            )
        )
    if sort == "name":
        order = [CustomerAccount.name, CustomerAccount.id]
    elif sort == "tier":
        order = [tier_rank_sql(CustomerAccount.tier), CustomerAccount.name]
    elif sort == "updated":
        order = [CustomerAccount.updated_at.desc(), CustomerAccount.id.desc()]
    else:
        raise Invalid(
            _(
                "Unknown sort order; choose one of: %(allowed)s.",
                allowed=", ".join(SORTS),
            )
        )
    return stmt.order_by(*order)


def filter_options() -> dict:
    """Return the values the account list can be filtered on.

    ``industries`` and ``regions`` are the distinct non-empty values in use;
    ``managers`` the users who manage at least one account.
    """

    def distinct(column):
        return list(
            db.session.scalars(
                sa.select(column).where(column != "").distinct().order_by(column)
            )
        )

    managers = db.session.scalars(
        sa.select(User)
        .where(User.id.in_(sa.select(CustomerAccount.account_manager_id)))
        .order_by(User.display_name)
    )
    return {
        "industries": distinct(CustomerAccount.industry),
        "regions": distinct(CustomerAccount.region),
        "managers": list(managers),
    }
