"""Generate an organisation whose expertise is known, through the portal's own
services (so the evidence is what the signal handlers record).

Topics come in four shapes:
- ``single``: one clear expert;
- ``shared``: two or three experts;
- ``departed``: the strongest expert has left; a quieter colleague remains;
- every topic also gets answers from chatty people, who post everywhere and
  know little (seldom accepted or upvoted, often more posts than experts),
  from ordinary staff, and from experts on other topics now and then.
Declared skills are noisy: chatty people declare many, experts only some.

``generate(seed)`` returns the truth: {topic name: set of active expert ids}.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from portal import clock
from portal.auth import service as auth
from portal.experts import service as experts
from portal.extensions import db
from portal.forums import service as forums
from portal.wiki import service as wiki

_TOPIC_TEXT = """
customs clearance: customs clearance tariff broker declaration import export 报关 关税
invoice disputes: invoice dispute credit note overcharge billing reissue 发票 对账
sap integration: sap idoc connector middleware interface mapping batch job rfc 接口
contract renewal: renewal contract clause notice term extension pricing uplift 续约 合同
warehouse logistics: warehouse pallet picking shipment carrier freight dock 仓储 物流
data privacy: privacy gdpr consent personal data retention deletion audit 隐私 个人信息
payment terms: payment terms net days overdue dunning collection instalment 付款 账期
product returns: return rma defective replacement warranty exchange inspection 退货 保修
tender bids: tender bid rfq proposal procurement evaluation government 招标 投标
crm migration: crm migration salesforce fields dedupe import mapping legacy 迁移 数据
onboarding training: onboarding training workshop manual session trainer 培训
pricing discounts: discount pricing margin volume rebate price list approval 折扣 价格
network outage: outage network vpn latency router firewall downtime incident 网络 故障
loyalty program: loyalty points tier reward member redemption campaign 积分 会员
credit limits: credit limit risk exposure insurance rating approval guarantee 信用 额度
edi orders: edi order purchase edifact asn despatch partner message 订单 报文
quality complaints: quality complaint defect root cause 8d corrective supplier 质量 投诉
tax compliance: vat tax compliance withholding filing exemption invoice-tax 税务 增值税
mobile app: mobile app ios android login crash release push notification 移动 应用
key account planning: account plan strategy stakeholder whitespace growth 客户计划 战略
"""
# Each topic's words; its name is how people ask for it.
TOPICS = dict(line.split(": ", 1) for line in _TOPIC_TEXT.strip().splitlines())
FILLER = [
    *[
        "customer",
        "team",
        "please",
        "check",
        "today",
        "issue",
        "question",
        "update",
        "thanks",
        "need",
        "help",
    ],
    *[
        "know",
        "someone",
        "process",
        "the",
        "a",
        "we",
        "our",
        "they",
        "this",
        "last",
        "week",
        "asked",
        "about",
        "again",
    ],
    *["maybe", "think", "should", "could", "look", "into", "follow", "up", "soon"],
    *["客户", "问题", "请", "帮忙", "谢谢", "需要"],
]
SHAPES = ["single"] * 8 + ["shared"] * 8 + ["departed"] * 4

START = datetime(2025, 1, 1, 9, tzinfo=UTC)
SPAN_DAYS = 600


@dataclass
class Org:
    truth: dict = field(default_factory=dict)  # topic -> set of expert ids
    departed: dict = field(default_factory=dict)  # topic -> departed expert id
    chatty: list = field(default_factory=list)
    topics: dict = field(default_factory=dict)  # topic -> word list


def _words(rng, vocab, n_topic, n_filler):
    words = rng.choices(vocab, k=n_topic) + rng.choices(FILLER, k=n_filler)
    rng.shuffle(words)
    return " ".join(words)


class _Clock:
    def __init__(self):
        self.moment = START

    def __call__(self):
        return self.moment


def generate(seed: int = 1, questions_per_topic: int = 14) -> Org:
    rng = random.Random(seed)
    fake = _Clock()
    real_now = clock.now
    clock.now = fake
    try:
        return _generate(rng, fake, questions_per_topic)
    finally:
        clock.now = real_now


def _user(name):
    return auth.create_user(name, "bench-password-1", display_name=name.title())


def _generate(rng, fake, per_topic) -> Org:
    org = Org()
    staff = [_user(f"staff{i}") for i in range(30)]
    chatty = [_user(f"chatty{i}") for i in range(5)]
    org.chatty = [u.id for u in chatty]
    qa = forums.create_forum("Questions", kind="questions", slug="questions")
    talk = forums.create_forum("Talk", slug="talk")
    db.session.flush()
    shapes = SHAPES[:]
    rng.shuffle(shapes)
    plan = []  # (topic, shape, [(expert, strength)], departed or None)
    n = 0
    for (topic, vocab), shape in zip(TOPICS.items(), shapes, strict=True):
        words = vocab.split()
        org.topics[topic] = words
        if shape == "single":
            people = [(_user(f"expert{n}"), 0.85)]
        elif shape == "shared":
            people = [
                (_user(f"expert{n + i}"), rng.uniform(0.5, 0.8))
                for i in range(rng.choice([2, 3]))
            ]
        else:
            people = [(_user(f"expert{n}"), 0.9), (_user(f"expert{n + 1}"), 0.45)]
        n += len(people)
        departed = people[0][0] if shape == "departed" else None
        plan.append((topic, shape, people, departed))
    db.session.flush()
    everyone = staff + chatty + [u for _, _, ps, _ in plan for u, _ in ps]

    # Chatty people and some experts declare skills (noisy).
    names = list(TOPICS)
    for u in chatty:
        for topic in rng.sample(names, 6):
            experts.add_skill(u, u, topic, 3)
    for topic, _, people, _ in plan:
        for u, _ in people:
            if rng.random() < 0.5:
                experts.add_skill(u, u, topic, rng.choice([2, 3]))

    other_experts = {
        topic: [u for t, _, ps, _ in plan if t != topic for u, _ in ps]
        for topic, _, _, _ in plan
    }
    for topic, _shape, people, departed in plan:
        words = org.topics[topic]
        for q in range(per_topic):
            fake.moment = START + timedelta(days=rng.uniform(0, SPAN_DAYS), minutes=q)
            asker = rng.choice(staff)
            thread = forums.create_thread(
                qa,
                asker,
                _words(rng, words, 3, 2)[:200],
                _words(rng, words, 5, 8),
                tags=[topic] if rng.random() < 0.6 else None,
            )
            answers = []
            for u, strength in people:
                # The departed expert did most of the early work.
                if rng.random() < strength:
                    fake.moment += timedelta(hours=rng.uniform(1, 20))
                    post = forums.reply(thread, u, _words(rng, words, 7, 4))
                    answers.append((post, strength))
            for u in rng.sample(chatty, rng.choice([1, 2, 3])):
                for _ in range(rng.choice([1, 1, 2, 3])):
                    fake.moment += timedelta(hours=rng.uniform(0.5, 10))
                    post = forums.reply(thread, u, _words(rng, words, 1, 10))
                    answers.append((post, 0.1))
            # Experts of other topics chip in now and then, knowing less here.
            for u in rng.sample(other_experts[topic], 2):
                if rng.random() < 0.15:
                    fake.moment += timedelta(hours=rng.uniform(1, 30))
                    post = forums.reply(thread, u, _words(rng, words, 2, 6))
                    answers.append((post, 0.2))
            for u in rng.sample(staff, 2):
                if rng.random() < 0.2 and u.id != asker.id:
                    fake.moment += timedelta(hours=rng.uniform(1, 30))
                    post = forums.reply(thread, u, _words(rng, words, 2, 6))
                    answers.append((post, 0.15))
            db.session.flush()
            # Colleagues upvote and the asker accepts what helps.
            for post, strength in answers:
                for voter in rng.sample(everyone, 3):
                    if voter.id != post.author_id and rng.random() < strength * 0.6:
                        forums.vote(post, voter, 1)
            if answers and rng.random() < 0.8:
                weights = [s**2 for _, s in answers]
                best = rng.choices([p for p, _ in answers], weights=weights)[0]
                forums.accept_answer(thread, best, asker)
            db.session.flush()
        # Wiki pages, mostly by the experts, some noise by chatty people.
        for p in range(2):
            fake.moment = START + timedelta(days=rng.uniform(0, SPAN_DAYS))
            author = rng.choice(people)[0] if rng.random() < 0.8 else rng.choice(chatty)
            page = wiki.create_page(
                f"{topic} guide {p}", _words(rng, words, 40, 30), author, tags=[topic]
            )
            if rng.random() < 0.5:
                helper = rng.choice(everyone)
                wiki.edit_page(
                    page,
                    page.current_revision.body + " " + _words(rng, words, 3, 8),
                    helper,
                    base_revision=page.current_revision.number,
                )
        # Chatty people also start discussions about everything.
        for u in chatty:
            fake.moment = START + timedelta(days=rng.uniform(0, SPAN_DAYS))
            forums.create_thread(
                talk, u, _words(rng, words, 2, 3), _words(rng, words, 2, 12)
            )
        db.session.flush()
        active = {u.id for u, _ in people if u is not departed}
        org.truth[topic] = active
        if departed is not None:
            org.departed[topic] = departed.id
    fake.moment = START + timedelta(days=SPAN_DAYS + 10)
    for _, _, _, departed in plan:
        if departed is not None:
            auth.deactivate(departed)
    db.session.commit()
    return org
