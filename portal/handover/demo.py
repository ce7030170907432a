"""Demo handover: Li Wei is leaving in three weeks; Alice and Jan take over.
One answer is already written into an account profile."""

from datetime import timedelta

import sqlalchemy as sa

from portal import clock
from portal.auth.models import User
from portal.extensions import db
from portal.handover import service
from portal.handover.models import HandoverCase

ANSWER = """\
- 采购总监 Mr Zhao decides; he cares about uptime and a single invoice.
- The IT lead, Ms Qian, prefers WeChat to e-mail; call before 10:00.
"""


def seed(rng) -> str:
    def user(name):
        return db.session.scalar(sa.select(User).where(User.username == name))

    leaver, hr = user("liwei"), user("hr1")
    successors = [u for u in (user("alice"), user("jnovak")) if u is not None]
    if leaver is None or hr is None or not successors:
        return "skipped (no demo people)"
    if db.session.scalar(
        sa.select(HandoverCase.id).where(HandoverCase.leaver_id == leaver.id)
    ):
        return "the demo handover exists"
    case = service.open_case(
        leaver, clock.now().date() + timedelta(days=21), successors, hr
    )
    item = next(
        (i for i in case.items if i.kind == "account" and i.prompt == "contacts"),
        None,
    )
    if item is not None:
        service.capture(item, ANSWER, leaver)
    return f"1 open handover ({len(case.items)} items)"
