"""Creating, checking and revoking personal access tokens."""

import hashlib
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import clock
from portal.api.models import ApiToken
from portal.auth.models import User
from portal.errors import Invalid, NotFound
from portal.extensions import db

TOKEN_PREFIX = "tct_"  # noqa: S105 - a marker that makes leaked tokens easy to spot


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it and the secret, shown only now.

    :raises Invalid: when the name is longer than 80 characters.
    """
    name = (name or "").strip() or _("API token")
    if len(name) > 80:
        raise Invalid(
            _("A token name is at most 80 characters."), details={"field": "name"}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        token_hash=_hash(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        created_at=clock.now(),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def find_token(secret: str) -> ApiToken | None:
    """Return the live token for ``secret`` whose owner may still sign in."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == _hash(secret), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None or not token.user.is_active:
        return None
    return token


def revoke(token: ApiToken) -> None:
    """Revoke ``token``; it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        db.session.flush()


def user_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc())
        )
    )


def get_user_token(user: User, token_id: int) -> ApiToken:
    """:raises NotFound: unless ``token_id`` is one of ``user``'s tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("There is no such token."))
    return token
