"""Word material for the benchmark data: Chinese and English, about customers.

Deterministic: every function takes the ``random.Random`` it draws from.
Thread topics come from the forums' demo (same forums, same voice); the rest
is written here so that the bodies vary in length and subject (renewals,
pricing, contracts, support incidents, knowledge management).
"""

from portal.forums import demo as forums_demo

# fmt: off
# ruff: noqa: E501 - word lists, one idea a line
SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"),
    ("徐", "xu"), ("孙", "sun"), ("胡", "hu"), ("朱", "zhu"), ("高", "gao"),
    ("林", "lin"), ("何", "he"), ("郭", "guo"), ("马", "ma"), ("罗", "luo"),
]
GIVEN = [
    ("伟", "wei"), ("敏", "min"), ("静", "jing"), ("磊", "lei"), ("洋", "yang"),
    ("婷", "ting"), ("军", "jun"), ("杰", "jie"), ("芳", "fang"), ("涛", "tao"),
    ("明", "ming"), ("霞", "xia"), ("强", "qiang"), ("丽", "li"), ("华", "hua"),
    ("飞", "fei"), ("娜", "na"), ("浩", "hao"), ("倩", "qian"), ("燕", "yan"),
]
FIRST = [
    "Alice", "Bob", "Carla", "Daniel", "Emma", "Felix", "Grace", "Hugo", "Irene",
    "Jan", "Kate", "Lucia", "Mika", "Noah", "Olga", "Paul", "Rosa", "Sam", "Tom",
    "Uma", "Victor", "Wendy", "Yusuf", "Zoe",
]
LAST = [
    "Martin", "Chen", "Kim", "Patel", "Novak", "Garcia", "Tanaka", "Reyes",
    "Keller", "Olsen", "Schmidt", "Rossi", "Dubois", "Silva", "Nguyen", "Murphy",
    "Larsen", "Costa", "Weber", "Ito",
]
JOBS = {
    "Customer Service": ["Service agent", "Quality analyst", "Service team lead"],
    "Key Accounts": ["Key account manager", "Account director"],
    "Sales": ["Sales representative", "Sales manager", "Pre-sales consultant"],
    "Technical Support": ["Support engineer", "Implementation engineer",
                          "Support lead"],
    "Human Resources": ["HR business partner", "HR manager"],
    "Implementation": ["Project manager", "Solution architect"],
    "Marketing": ["Marketing manager", "Event coordinator"],
    "Finance": ["Billing specialist", "Credit controller"],
}
EXTRA_DEPARTMENTS = [
    ("Implementation", "实施交付部：项目计划与上线"),
    ("Marketing", "市场部：活动与客户案例"),
    ("Finance", "财务部：开票、对账与回款"),
]

CITIES = ["上海", "北京", "深圳", "广州", "成都", "杭州", "南京", "武汉", "西安", "苏州",
          "天津", "重庆", "青岛", "厦门", "长沙"]
BRANDS = ["恒达", "明德", "天府", "华信", "东方", "远景", "新元", "瑞丰", "金桥", "中和",
          "博远", "凯盛", "宏图", "安泰", "鼎新"]
CN_INDUSTRIES = [
    ("银行", "Banking"), ("物流", "Logistics"), ("医疗集团", "Healthcare"),
    ("汽车零部件", "Automotive"), ("软件", "Software"), ("制药", "Pharma"),
    ("电子", "Electronics"), ("零售", "Retail"), ("保险", "Insurance"),
    ("能源", "Energy"),
]
EN_BRANDS = ["Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Tailspin",
             "Litware", "Proseware", "Wingtip", "Adventure Works", "Alpine", "Blue Yonder",
             "Coho", "Lucerne", "Margie", "Trey", "Woodgrove", "Fourth Coffee", "Humongous",
             "Datum"]
EN_INDUSTRIES = [
    ("Bank", "Banking"), ("Logistics", "Logistics"), ("Health", "Healthcare"),
    ("Motors", "Automotive"), ("Software", "Software"), ("Pharma", "Pharma"),
    ("Electronics", "Electronics"), ("Retail", "Retail"), ("Insurance", "Insurance"),
    ("Energy", "Energy"), ("Manufacturing", "Manufacturing"),
]
CN_REGIONS = ["East China", "North China", "South China", "Southwest China",
              "Central China"]
EN_REGIONS = ["Europe", "North America", "Southeast Asia", "Japan & Korea"]
ACCOUNT_DESCRIPTIONS = [
    "核心业务系统由我们支持，每年续约一次。",
    "客服中心使用我们的平台，旺季前需要提前扩容。",
    "采购流程严格，报价需要三家比价。",
    "去年发生过两次严重故障，满意度有所下降。",
    "正在评估我们的知识管理模块。",
    "Long-standing customer; renewal every spring, procurement-led.",
    "Uses the service desk in three countries; strict SLA on P1 incidents.",
    "New logo from last year; the champion is the head of customer service.",
    "Price-sensitive; asks for a discount at every renewal.",
]

TAGS = [
    "续约", "renewal", "报价", "pricing", "合同", "contract", "发票", "billing",
    "投诉", "complaint", "故障", "incident", "客服", "service", "实施", "implementation",
    "知识管理", "knowledge-management", "SLA", "CRM", "培训", "training", "数据迁移",
    "migration", "安全", "security", "接口", "API", "性能", "performance", "升级",
    "escalation", "交接", "handover", "行业", "industry", "大客户", "key-account",
    "满意度", "NPS", "招标", "tender", "回款", "collections",
]

EXTRA_TOPICS = [
    ("{account} 报价单需要按新价目表重算吗？",
     "客户下周要报价，去年签的是旧价目表。**新价目表**从本季度生效，老客户有没有"
     "过渡期？折扣上限是多少？"),
    ("Pricing question: {account} wants per-agent pricing instead of per-site",
     "Their new CFO prefers per-agent pricing. With {days} sites and about {amount} "
     "agents, which model is cheaper for them and which protects our margin?"),
    ("{account} 合同里的违约条款怎么解释？",
     "客户法务认为 SLA 未达标时可以直接扣款，我们理解是先发服务抵扣券。以前有"
     "判例吗？"),
    ("Incident review: {account} lost access for {days} minutes",
     "A certificate expired on the gateway. Timeline, impact and follow-ups below; "
     "please add what I missed.\n\n1. Detected by the customer\n2. Rolled back\n"
     "3. Root cause found"),
    ("知识管理：怎样让新人更快了解 {account}？",
     "新来的客户经理总要花一个月才能摸清客户情况。我们能不能把关键人、历史问题、"
     "报价历史整理成一页？"),
    ("{account} 要求提前续约并锁定三年价格",
     "客户担心明年涨价，希望现在就签三年。锁价对我们划算吗？需要谁审批？"),
]

SENTENCES_ZH = [
    "客户续约前一定要先看上一次的合同条款和折扣记录。",
    "报价之前，先跟大客户经理确认客户的预算周期。",
    "这次故障的根本原因是配置变更没有走审批流程。",
    "我们把处理过程写进了知识库，下次可以直接参考。",
    "客户的采购部门换了负责人，关系需要重新建立。",
    "合同到期前九十天，系统会自动提醒客户经理。",
    "建议把常见问题整理成标准答复，减少重复劳动。",
    "客户对响应时间很敏感，首次回复最好在半小时内。",
    "续约谈判中，客户最关心的是价格和服务等级。",
    "知识管理的关键是让经验从个人变成团队的资产。",
    "这个客户的决策链很长，需要同时说服技术和财务。",
    "上线前一周，我们每天和客户开十五分钟的站会。",
    "发票问题一般先找财务共享中心，再升级到经理。",
    "客户满意度调查显示，培训是他们最需要的服务。",
]
SENTENCES_EN = [
    "Before a renewal, read the last contract and the discount we gave.",
    "Pricing should follow the list unless the account director approves otherwise.",
    "The root cause was a configuration change that skipped review.",
    "I wrote the steps into the wiki so the next person does not have to ask.",
    "Their procurement lead changed, so we are rebuilding the relationship.",
    "The contract renews automatically unless either side objects 90 days ahead.",
    "A short written summary after each call saved us twice in this account.",
    "They measure us on first response time, so answer within thirty minutes.",
    "The champion cares about adoption numbers more than about price.",
    "Support incidents cluster around their month-end batch jobs.",
    "Knowledge that lives only in one person's inbox leaves with them.",
    "Ask finance for the payment history before offering extended terms.",
    "We agreed on a two-phase rollout: pilot plant first, then the rest.",
    "Their IT team prefers a change window on Saturday night.",
]
BULLETS = [
    "- 确认合同版本\n- 核对报价单\n- 通知客户经理",
    "- Check the contract version\n- Compare the quote with the price list\n"
    "- Tell the account manager",
    "1. 收集日志\n2. 复现问题\n3. 给客户书面答复",
    "1. Collect the logs\n2. Reproduce\n3. Send a written answer",
]

WIKI_TITLES = [
    "{account} 续约策略", "{account} 报价历史 Pricing history", "{account} 合同要点",
    "{account} 故障复盘", "How we support {account}", "{account} 关键联系人",
    "{account} onboarding notes", "{account} 实施经验", "Renewal playbook: {account}",
    "{account} 常见问题 FAQ",
]
WIKI_SECTIONS = [
    ("背景", "客户与我们合作多年，核心系统和客服中心都在我们的平台上。"
     "每年的续约谈判由采购部主导，技术部门有否决权。"),
    ("Background", "The customer has been with us for several years. Procurement "
     "leads every renewal; IT can veto a change of supplier."),
    ("关键联系人", "- 采购总监：负责价格谈判\n- IT 经理：负责技术评估\n"
     "- 客服中心主管：日常对接人，最了解一线的问题"),
    ("Key contacts", "- Head of procurement: price negotiations\n- IT manager: "
     "technical evaluation\n- Contact-centre lead: day-to-day contact, knows the "
     "front line best"),
    ("报价与折扣", "上一次续约给了 8% 的折扣，换来三年期合同和一个案例授权。"
     "任何超过 10% 的折扣都需要销售总监审批，报价单要附上价目表版本号。"),
    ("Pricing and discounts", "The last renewal gave 8% off in exchange for a "
     "three-year term and a reference case. Anything above 10% needs the sales "
     "director's approval; quote the price-list version on every offer."),
    ("合同要点", "| 条款 | 内容 |\n|---|---|\n| 期限 | 三年，自动续约 |\n"
     "| SLA | P1 四小时恢复 |\n| 违约 | 服务抵扣券，不直接扣款 |"),
    ("Contract terms", "| Clause | Terms |\n|---|---|\n| Term | three years, "
     "auto-renewing |\n| SLA | P1 restored within 4 hours |\n| Penalties | service "
     "credits, no cash refunds |"),
    ("历史故障", "去年两次 P1 故障都与月底批量任务有关。第一次是数据库连接池耗尽，"
     "第二次是证书过期。两次都写了复盘，改进项已经全部完成。"),
    ("Incident history", "Both P1 incidents last year were linked to their "
     "month-end batch jobs: first an exhausted connection pool, then an expired "
     "certificate. Both have reviews; every follow-up is done."),
    ("知识管理", "把客户的经验写下来，让新人一周就能上手。每次重要沟通后，"
     "在这一页补充一句话：谁、说了什么、我们答应了什么。"),
    ("Lessons learned", "Write down what worked. After every important call, add "
     "one line here: who, what they said, what we promised. It is the cheapest "
     "insurance against a departure."),
    ("下一步", "1. 续约前九十天约高层会面\n2. 准备使用数据报告\n"
     "3. 和财务确认回款情况"),
    ("Next steps", "1. Executive meeting 90 days before renewal\n2. Prepare the "
     "adoption report\n3. Check collections with finance"),
]
PROFILE_LAYERS = [
    ("集团总部负责采购，分支机构各自运维。", "微信群日常沟通，正式事项走邮件。",
     "稳定的系统和更快的故障响应。", "决策慢但忠诚，重视合规。", "年合同额稳定增长。"),
    ("Headquarters buys; regional teams run the service.",
     "Monthly steering call; e-mail for everything formal.",
     "Fewer incidents at month end; better reporting.",
     "Slow to decide, loyal once decided.", "Stable revenue; upsell potential in "
     "analytics."),
]
SUMMARIES = ["补充联系人", "更新报价", "Added incident notes", "Fixed typos",
             "更新合同条款", "Next steps after the QBR", "整理格式"]
# fmt: on

TOPICS = [
    (forum, tags, [(t, b) for t, b in items if "[[" not in b], kind)
    for forum, tags, items, kind in forums_demo.TOPICS
]
ANSWERS = [a for a in forums_demo.ANSWERS if "[[" not in a]
COMMENTS = [c for c in forums_demo.COMMENTS if "[[" not in c]
HR_TOPICS = forums_demo.HR_TOPICS


def fill(text: str, rng, account: str, usernames: list[str]) -> str:
    return text.format(
        account=account,
        amount=rng.choice([1280, 5600, 12800, 46500, 98000]),
        days=rng.choice([3, 7, 14, 21, 30, 45]),
        person=rng.choice(usernames),
        product=rng.choice(["Tacit CRM", "Service Desk", "客服平台"]),
        step=rng.choice(forums_demo.STEPS),
        step_en=rng.choice(forums_demo.STEPS_EN),
    )


def paragraphs(rng, count: int) -> list[str]:
    """Return ``count`` paragraphs of two to four sentences, mostly one language."""
    out = []
    for _ in range(count):
        pool = SENTENCES_ZH if rng.random() < 0.55 else SENTENCES_EN
        joiner = "" if pool is SENTENCES_ZH else " "
        out.append(joiner.join(rng.sample(pool, rng.randint(2, 4))))
        if rng.random() < 0.15:
            out.append(rng.choice(BULLETS))
    return out


def reply_body(rng, account: str, usernames: list[str], answer: bool) -> str:
    first = fill(rng.choice(ANSWERS if answer else COMMENTS), rng, account, usernames)
    extra = rng.choices([0, 1, 2, 3], weights=[30, 40, 20, 10])[0]
    return "\n\n".join([first, *paragraphs(rng, extra)])


def wiki_document(rng) -> list[str]:
    """Return a page's sections in the order they are written (one per revision)."""
    sections = rng.sample(WIKI_SECTIONS, rng.randint(3, 8))
    return [f"## {heading}\n\n{text}" for heading, text in sections]


def profile_body(name: str, industry: str, region: str, description: str, rng) -> str:
    ident, channels, needs, behaviour, value = rng.choice(PROFILE_LAYERS)
    return (
        "## 识别 Identification\n\n"
        f"{name}（{industry}，{region}）。{ident}\n\n{description}\n\n"
        f"## 渠道 Channels\n\n{channels}\n\n"
        f"## 需求 Needs\n\n{needs}\n\n"
        f"## 行为 Behaviour\n\n{behaviour}\n\n"
        f"## 价值 Value\n\n{value}\n"
    )
