"""Demo expertise: what the demo people declare (skills, "ask me about",
availability, accounts), and the evidence rebuilt from the demo forums and
wiki. Safe to run again: declarations are added once; evidence is recomputed."""

from datetime import timedelta

import sqlalchemy as sa

from portal import clock
from portal.auth.models import User
from portal.experts import evidence, service
from portal.experts.models import Skill
from portal.extensions import db

# username: (skills as (tag, level), ask me about, availability)
DECLARED = {
    "alice": (
        [("key-account", 3), ("续约", 3), ("pricing", 2)],
        "ACME 的决策链和续约谈判",
        "available",
    ),
    "liwei": ([("大客户", 3), ("合同", 2)], "大客户关系经营、合同条款", "available"),
    "wujun": ([("key-account", 2), ("行业", 2)], "制造业客户", "busy"),
    "jnovak": (
        [("renewal", 3), ("pricing", 3)],
        "Renewal pricing and multi-year deals",
        "available",
    ),
    "tomr": ([("key-account", 2), ("escalation", 2)], "Executive sponsors", "away"),
    "bob": ([("pricing", 3), ("renewal", 2)], "Discount approvals", "available"),
    "sunhao": ([("续约", 2), ("行业", 2)], "零售行业销售", "available"),
    "epatel": ([("industry", 2), ("pricing", 1)], "Healthcare accounts", "available"),
    "hejie": ([("合同", 2)], "合同审批流程", "available"),
    "zhangmin": ([("发票", 3), ("billing", 3)], "发票、红字发票和对账", "available"),
    "zhaoli": ([("客服", 3), ("service", 2)], "热线话术和工单升级", "available"),
    "xuyan": ([("投诉", 3), ("escalation", 2)], "客户投诉处理", "busy"),
    "lgarcia": (
        [("service", 3), ("SLA", 2)],
        "SLA credits and service reviews",
        "available",
    ),
    "linna": ([("培训", 2), ("客服", 2)], "新人培训", "available"),
    "liuyang": (
        [("integration", 3), ("接口", 3), ("API", 3)],
        "SAP 和 ERP 接口",
        "available",
    ),
    "zhouqian": ([("交付", 3), ("delivery", 2)], "实施交付计划", "available"),
    "dkim": ([("API", 3), ("integration", 2)], "REST API, webhooks, SSO", "available"),
    "mtanaka": ([("delivery", 2), ("SLA", 2)], "On-site deployments", "away"),
    "gaofei": ([("接口", 2), ("产品建议", 2)], "产品需求反馈", "available"),
}


def seed(rng) -> str:
    users = {
        u.username: u
        for u in db.session.scalars(
            sa.select(User).where(User.username.in_(list(DECLARED)))
        )
    }
    declared = 0
    if db.session.scalar(sa.select(Skill.id).limit(1)) is None:
        for username, (skills, ask, state) in DECLARED.items():
            user = users.get(username)
            if user is None or not user.is_active:
                continue
            for tag, level in skills:
                service.add_skill(user, user, tag, level)
                declared += 1
            service.update_profile(
                user,
                user,
                ask_me_about=ask,
                availability=state,
                away_until=(clock.now() + timedelta(days=rng.randint(3, 14))).date()
                if state == "away"
                else None,
            )
        # Colleagues vouch for some of the declared skills.
        people = [u for u in users.values() if u.is_active]
        for skill in db.session.scalars(sa.select(Skill).order_by(Skill.id)):
            for endorser in rng.sample(people, rng.randint(0, 3)):
                if endorser.id != skill.user_id:
                    service.endorse(skill, endorser)
    counts = evidence.rebuild()
    return (
        f"{declared} skills declared; evidence from {counts['threads']} threads and "
        f"{counts['pages']} pages ({counts['evidence']} items)"
    )
