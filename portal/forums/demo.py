"""Demo forums: about 200 threads about the demo customers, in Chinese and English.

Everything goes through the services, so signals fire (notifications, points,
search) as if people had written it over the last months. Safe to run again:
nothing is added once forums exist.
"""

from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from portal import clock
from portal.accounts.models import CustomerAccount
from portal.auth.models import Department, User
from portal.extensions import db
from portal.forums import service
from portal.forums.models import Forum

THREADS = 200
DAYS = 120

# slug, name, description, kind, restricted to (department name)
FORUMS = [
    (
        "customer-service-qa",
        "客户服务问答 Customer Service Q&A",
        "热线、在线客服和工单里遇到的问题。Questions from the hotline, chat and "
        "tickets.",
        "questions",
        None,
    ),
    (
        "key-account-stories",
        "大客户经验 Key Account Stories",
        "战略客户的关系经营：谁是决策人，什么有效，什么踩过坑。",
        "discussion",
        None,
    ),
    (
        "technical-support-qa",
        "Technical Support Q&A",
        "Integration, performance and incident questions from implementation and "
        "support.",
        "questions",
        None,
    ),
    (
        "sales-renewals",
        "销售与续约 Sales & Renewals",
        "商机、报价与续约谈判的经验。Deals, pricing and renewal negotiations.",
        "discussion",
        None,
    ),
    (
        "billing-invoices",
        "账务与发票 Billing & Invoices",
        "发票、对账、付款条件与争议。Invoices, reconciliation and disputes.",
        "questions",
        None,
    ),
    (
        "implementation-delivery",
        "实施与交付 Implementation & Delivery",
        "项目计划、上线、交付延期的处理。",
        "questions",
        None,
    ),
    (
        "escalations",
        "投诉升级 Escalations",
        "Escalated complaints: what happened, who handled it, what we learned.",
        "discussion",
        None,
    ),
    (
        "product-feedback",
        "Product Feedback",
        "What customers ask for, what annoys them, and what they love.",
        "discussion",
        None,
    ),
    (
        "industry-insights",
        "行业洞察 Industry Insights",
        "各行业客户的共同需求与趋势。Trends across our customers' industries.",
        "discussion",
        None,
    ),
    (
        "hr-internal",
        "人力资源内部 HR Internal",
        "仅人力资源部可见：交接、招聘与团队事务。Visible to Human Resources only.",
        "discussion",
        "Human Resources",
    ),
]

# forum slug, tags, [(title, body)], kind of replies ("answers" or "comments").
# Titles and bodies may use {account}, {amount}, {days}, {person}, {product}.
# fmt: off
TOPICS = [
    ("billing-invoices", ["发票", "billing"], [
        ("{account} 要求重开增值税专用发票，抬头写错了怎么办？",
         "客户财务反馈上月发票抬头少了“有限公司”四个字，要求作废重开。\n\n"
         "- 发票已经跨月了\n- 金额 {amount} 元\n\n跨月的专票还能作废吗？还是只能开红字"
         "发票？"),
        ("How do we handle a disputed invoice from {account}?",
         "{account} disputes invoice INV-{days}0 for **{amount} USD**: they say the "
         "extra seats were never used. Do we credit the whole amount or only the "
         "unused part?"),
        ("{account} 对账单与我们系统差了 {amount} 元",
         "月底对账时客户说少了一笔回款，我们系统显示已核销。谁遇到过类似情况？"),
        ("Can we split one invoice across two cost centres for {account}?",
         "Their procurement wants one PO but two invoices, one per plant. Is that "
         "allowed in the billing system, and who approves it?"),
    ], "answers"),
    ("sales-renewals", ["续约", "renewal"], [
        ("{account} 续约谈判：采购要求降价 15%",
         "新来的采购总监要求续约价格降 15%，否则招标。我们的底线是多少？"
         "有没有人跟这位总监打过交道？"),
        ("Renewal at {account}: the champion left, who do we talk to now?",
         "Our sponsor at {account} moved to another company last month. The renewal is "
         "due in {days} days. Has anyone met the new IT director?"),
        ("{account} 想把三年合同改成一年一签",
         "客户说预算制度改了，只能一年一签。一年期价格怎么报比较合适？"),
        ("Multi-year discount for {account}: what did we give last time?",
         "Preparing the renewal offer. Does anyone remember the discount we agreed in "
         "the last negotiation, and what we got in exchange?"),
    ], "comments"),
    ("customer-service-qa", ["客服", "service"], [
        ("{account} 的客户投诉热线等待时间太长，怎么安抚？",
         "最近高峰期排队超过 {days} 分钟，客户在微信群里抱怨。有没有标准话术？"),
        ("A caller from {account} asks for data deletion: what is the process?",
         "The caller says they are the data owner at {account} and wants all their "
         "contacts deleted. How do we verify who they are before we do anything?"),
        ("{account} 要求客服用粤语服务，我们能排班吗？",
         "客户希望周末也有粤语坐席。现在只有两位同事会说粤语，怎么排？"),
        ("How do we escalate a P1 ticket from {account} outside office hours?",
         "Their system was down at 23:00 and the on-call number went to voicemail. "
         "What is the right escalation path at night?"),
    ], "answers"),
    ("technical-support-qa", ["integration", "接口"], [
        ("API timeouts when {account} syncs more than 10,000 records",
         "Their nightly sync fails with HTTP 504 after about ten minutes:\n\n"
         "```\nPOST /api/v1/contacts/bulk  504 Gateway Timeout\n```\n\n"
         "Should they page the requests, or can we raise the limit?"),
        ("{account} 单点登录（SSO）配置后用户无法登录",
         "客户用的是 ADFS，配置完 SAML 之后所有用户都提示“签名无效”。证书已经更新过。"),
        ("Webhook retries: {account} received the same event three times",
         "They built their ERP integration on our webhooks and now see duplicates. "
         "Do we guarantee exactly-once delivery, or should they de-duplicate by event "
         "id?"),
        ("{account} 的报表导出中文乱码",
         "客户用 Excel 打开导出的 CSV，中文全是乱码。是不是要加 BOM？"),
    ], "answers"),
    ("implementation-delivery", ["交付", "delivery"], [
        ("{account} 项目交付延期 {days} 天，如何跟客户沟通？",
         "因为接口联调问题，上线要推迟。客户高层很在意这个时间点，"
         "应该由谁出面沟通？要不要给补偿？"),
        ("Go-live checklist for {account}: what did we forget last time?",
         "We go live with {account} next month. Which steps were missed in previous "
         "rollouts that we should add to the checklist?"),
        ("{account} 要求现场培训，远程可以吗？",
         "客户希望我们派人到现场培训 {days} 名坐席，预算里没有差旅。"),
        ("Data migration from {account}'s old CRM: 2 million rows",
         "They want history from 2015 migrated. How long did similar migrations take, "
         "and what broke?"),
    ], "answers"),
    ("key-account-stories", ["大客户", "key-account"], [
        ("与 {account} 打交道的经验：决策链很长",
         "总结一下这几年和 {account} 合作的体会：\n\n1. 技术部门说了不算，"
         "最后拍板的是财务\n2. 每年三月之前不要谈新项目\n3. 关系要维护到处长一级"),
        ("What I learned running the {account} account for three years",
         "Handing over soon, so writing it down: **who decides**, what they care "
         "about, and the two mistakes I would not repeat."),
        ("{account} 新任 CIO 的沟通偏好",
         "新 CIO 喜欢看数据，不喜欢长篇汇报。一页纸，三个数字，讲清楚价值。"),
        ("Quarterly business review with {account}: what worked",
         "We switched the QBR from slides to a live demo of their own data. "
         "They asked for more; the meeting ran an hour over."),
    ], "comments"),
    ("escalations", ["投诉", "escalation"], [
        ("{account} 投诉升级到总经理，复盘",
         "上周客户因为账单错误投诉到了我们总经理。时间线、原因和改进措施如下。"),
        ("Escalation: {account} threatened to cancel after the outage",
         "Four-hour outage during their peak week. Their COO called our CEO. "
         "What calmed things down, and what did we promise?"),
        ("{account} 客户在社交媒体上公开抱怨",
         "客户在微博上发了长文抱怨服务响应慢，已经有不少转发。公关和客服怎么配合？"),
    ], "comments"),
    ("product-feedback", ["feedback", "产品建议"], [
        ("{account} asks for a mobile app for their field engineers",
         "Their engineers work offline in plants. They would pay extra for an app that "
         "syncs later. Anyone else hearing this?"),
        ("{account} 希望工单能自动分派给最近的工程师",
         "客户有 {days} 个服务网点，希望按地理位置自动派单。"),
        ("Customers keep asking for dark mode ({account} too)",
         "Third request this quarter. Their night shift stares at our screens for "
         "hours."),
    ], "comments"),
    ("industry-insights", ["行业", "industry"], [
        ("银行业客户对数据驻留的要求越来越严（以 {account} 为例）",
         "监管要求客户数据不能出境，{account} 的审计已经问到我们的备份在哪里。"),
        ("Logistics customers all want the same thing: real-time ETA",
         "{account} and two others asked for live ETAs in customer messages this "
         "month."),
        ("制造业客户的预算周期：什么时候谈新项目最合适？",
         "根据 {account} 等客户的经验，十月到十二月是做预算的时候，别等到来年。"),
    ], "comments"),
]

HR_TOPICS = [
    ("离职交接：{person} 负责的客户谁来接？",
     "{person} 下月离职，名下有几个重点客户。请各部门确认交接人和交接时间表。"),
    ("Hiring plan for the support team next quarter",
     "Two engineers for Technical Support, one agent who speaks Cantonese."),
    ("年度调薪方案讨论（内部）", "仅供人力资源部内部讨论，请勿外传。"),
    ("Onboarding checklist for new account managers",
     "Draft below; comments welcome before Friday."),
]

ANSWERS = [
    "我们上次的做法是：先{step}，再跟客户确认书面意见。{account} 那次两天就解决了。",
    "建议先找财务确认政策，{step}。别直接答应客户。",
    "遇到过。关键是{step}，然后在工单里记录清楚，方便后来的人查。",
    "Last time with {account} we {step_en}. It took two days and they were happy.",
    "Check the contract first: the terms usually say {step_en}.",
    "I would {step_en}, and write it up in the wiki so nobody has to ask again.",
    "@{person} handled exactly this last year, ask them.",
    "有个模板在 wiki 上：[[客户沟通模板]]。照着改就行。",
]
COMMENTS = [
    "同意。补充一点：{step}。",
    "我们团队也遇到过，{account} 的情况类似。",
    "Good write-up. One more thing: {step_en}.",
    "This matches what I saw at {account}.",
    "谢谢分享！已经转给 @{person} 参考。",
    "Could we turn this into a wiki page? It keeps coming up.",
    "有没有人知道 {account} 现在的对接人是谁？",
    "+1, and {step_en}.",
]
STEPS = [
    "拉上财务和法务开个短会", "给客户发一份书面说明", "请大客户经理出面",
    "先做一次数据核对", "按合同条款走流程", "请产品经理评估工作量",
]
STEPS_EN = [
    "offered a credit note", "escalated to the account director",
    "sent a written summary the same day", "asked legal to review the clause",
    "scheduled a call with their IT lead", "split the work into two phases",
]
# fmt: on


@contextmanager
def _at(moment):
    """Let the services believe it is ``moment`` (demo history, not now)."""
    real = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = real


def _fill(text: str, rng, accounts, people) -> str:
    account = rng.choice(accounts).name if accounts else "ACME"
    return text.format(
        account=account,
        amount=rng.choice([1280, 5600, 12800, 46500, 98000]),
        days=rng.choice([3, 7, 14, 21, 30, 45]),
        person=rng.choice(people).username,
        product=rng.choice(["Tacit CRM", "Service Desk", "客服平台"]),
        step=rng.choice(STEPS),
        step_en=rng.choice(STEPS_EN),
    )


def seed(rng) -> str:
    if db.session.scalar(sa.select(Forum.id).limit(1)) is not None:
        return "forums exist; nothing added"
    people = list(
        db.session.scalars(
            sa.select(User)
            .join(Department, User.department_id == Department.id)
            .where(Department.name != "Human Resources")
            .order_by(User.username)
        )
    )
    hr_people = list(
        db.session.scalars(
            sa.select(User)
            .join(Department, User.department_id == Department.id)
            .where(Department.name == "Human Resources")
            .order_by(User.username)
        )
    )
    if not people:
        return "no demo users; run the auth demo first"
    active = [p for p in people if p.is_active]
    moderator = next((p for p in people if p.role in ("moderator", "admin")), None)
    accounts = list(
        db.session.scalars(sa.select(CustomerAccount).order_by(CustomerAccount.crm_ref))
    )
    forums = {}
    for position, (slug, name, description, kind, dept_name) in enumerate(FORUMS):
        department = (
            db.session.scalar(sa.select(Department).where(Department.name == dept_name))
            if dept_name
            else None
        )
        forums[slug] = service.create_forum(
            name,
            slug=slug,
            description=description,
            kind=kind,
            department=department,
            position=(position + 1) * 10,
        )

    plans = []
    seen_titles = set()
    for _ in range(THREADS * 5):
        if len(plans) == THREADS:
            break
        if hr_people and rng.random() < 0.03:
            forum = forums["hr-internal"]
            title, body = rng.choice(HR_TOPICS)
            authors, tags, kind, linked = hr_people, ["交接", "hr"], "comments", []
        else:
            slug, tags, variants, kind = rng.choice(TOPICS)
            forum = forums[slug]
            title, body = rng.choice(variants)
            authors = active
            linked = rng.sample(
                accounts, k=min(len(accounts), rng.choice([1, 1, 1, 2]))
            )
        title = _fill(title, rng, linked or accounts, active)
        if title not in seen_titles:
            seen_titles.add(title)
            plans.append((forum, title, body, authors, tags, kind, linked))

    # Threads start at random moments over the last months; replies follow
    # over the next days.
    start = clock.now() - timedelta(days=DAYS)
    moments = sorted(
        start + timedelta(minutes=rng.randrange((DAYS - 10) * 24 * 60)) for _ in plans
    )
    threads = replies = accepted = 0
    for moment, (forum, title, body, authors, tags, kind, linked) in zip(
        moments, plans, strict=True
    ):
        author = rng.choice(authors)
        with _at(moment):
            thread = service.create_thread(
                forum,
                author,
                title,
                _fill(body, rng, linked or accounts, active),
                tags=tags + rng.sample(["SLA", "pricing", "培训", "API", "合同"], k=1),
                accounts=linked,
            )
        threads += 1
        when = moment
        posts = []
        repliers = hr_people if forum.restricted else active
        for _ in range(rng.choice([0, 1, 1, 2, 3, 3, 4, 5, 6, 8])):
            when += timedelta(hours=rng.randrange(1, 30))
            if when > clock.now():
                break
            replier = rng.choice([p for p in repliers if p.id != author.id] or repliers)
            pool = ANSWERS if kind == "answers" else COMMENTS
            with _at(when):
                posts.append(
                    service.reply(
                        thread, replier, _fill(rng.choice(pool), rng, accounts, active)
                    )
                )
            replies += 1
        voters = hr_people if forum.restricted else active
        with _at(when):
            for post in posts:
                k = rng.choice([0, 0, 1, 1, 2, 3])
                for voter in rng.sample(voters, k=min(len(voters), k)):
                    if voter.id != post.author_id:
                        service.vote(post, voter, 1 if rng.random() < 0.85 else -1)
            if forum.kind == "questions" and posts and rng.random() < 0.6:
                best = max(posts, key=lambda p: (p.score, -p.id))
                if author.is_active:
                    service.accept_answer(thread, best, author)
                elif moderator is not None:
                    service.accept_answer(thread, best, moderator)
                accepted += 1
    if moderator is not None:
        welcome = service.create_thread(
            forums["customer-service-qa"],
            moderator,
            "欢迎！提问前请先搜索 · Welcome: search before you ask",
            "提问时请写清楚**客户**、**现象**和**已经试过的办法**，并关联客户账户。\n\n"
            "When you ask, name the **customer**, the **symptom** and **what you "
            "tried**, and link the customer account so the answer shows up on its "
            "page.",
            tags=["guide", "指南"],
        )
        service.set_pinned(welcome, moderator, True)
        service.set_locked(welcome, moderator, True)
        threads += 1
    db.session.flush()
    return (
        f"{len(forums)} forums, {threads} threads, {replies} replies, "
        f"{accepted} accepted answers"
    )
