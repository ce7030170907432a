"""People: name, job title, department, and what other packages add through
``signals.person_search_terms`` (declared skills, "ask me about").

People who have left, or whose account is deactivated, are not in the index:
search finds colleagues one can ask.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal import signals
from portal.auth.models import User
from portal.extensions import db

KIND = "person"
LABEL = _l("People")


def _terms(user) -> list[str]:
    terms = []
    for _, answer in signals.person_search_terms.send(user):
        if answer:
            terms.extend(str(term) for term in answer)
    return terms


def load(ids) -> dict:
    users = db.session.scalars(
        sa.select(User)
        .where(User.id.in_(ids), User.active.is_(True), User.left_at.is_(None))
        .options(selectinload(User.department))
    ).all()
    docs = {}
    for u in users:
        department = u.department.name if u.department else ""
        terms = _terms(u)
        docs[u.id] = {
            "title": u.display_name,
            "body": "\n".join(
                filter(None, [u.username, u.job_title, department, *terms])
            ),
            "spell": " ".join(filter(None, [u.display_name, u.job_title, *terms])),
            "url": u.url,
            "date": u.created_at,
            "scope": "all",
            "meta": {
                "username": u.username,
                "job_title": u.job_title,
                "department": department,
                "skills": terms[:10],
            },
        }
    return docs


def all_ids():
    return db.session.scalars(
        sa.select(User.id)
        .where(User.active.is_(True), User.left_at.is_(None))
        .order_by(User.id)
    )


def _user(sender, **_):
    return [sender.id]


DIRTY = [
    (signals.user_created, _user),
    (signals.user_updated, _user),
    (signals.user_departed, _user),
]
