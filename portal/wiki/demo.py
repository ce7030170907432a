"""Demo wiki: how-tos, account briefs, lessons learned and product notes in
Chinese and English, with histories, links (a few to pages nobody wrote yet),
knowledge states, and five-layer profiles for fifteen accounts."""

import random
from datetime import timedelta

import sqlalchemy as sa

from portal import clock
from portal.accounts.models import CustomerAccount
from portal.auth.models import User
from portal.extensions import db
from portal.markup import slugify
from portal.wiki import service, writeup
from portal.wiki.models import Page, Revision, ThreadWriteUp

# title, tags, accounts (CRM references), authors (usernames, in the order they
# write revisions), state, age ("new", "old": created long ago and never
# reviewed, so flagged "may be out of date"), body. Sections ("## …") arrive one
# revision at a time, so histories show a page growing.
# fmt: off
PAGES = [
    ("How to log a complaint in the CRM", "complaints, CRM", [],
     ["zhangmin", "lgarcia"],
     "validated", "new", """\
Every complaint is logged, even when it is solved on the first call: the numbers
drive the quarterly review with the customer.

## Steps

1. Open the customer's account and choose **New case → Complaint**.
2. Pick the category (billing, outage, service, people) and the severity.
3. Write what the customer said in their words; add what you promised.
4. Link the case to the contract, so that the SLA clock starts.

## Severity

- **S1**: the customer cannot work. Call the duty manager, see [[升级到值班经理]].
- **S2**: degraded service or an angry key account.
- **S3**: everything else.

## See also

[[客户投诉处理流程]] · [[工单优先级定义]]
"""),
    ("客户投诉处理流程", "投诉, 客服", [], ["zhangmin", "mod1", "linna", "xuyan"],
     "validated", "new", """\
投诉是客户给我们的第二次机会。本流程适用于电话、在线和邮件渠道。

## 受理

- 先倾听，不打断；复述客户的问题并确认。
- 在 CRM 中登记，见 [[How to log a complaint in the CRM]]。
- 告诉客户下一次联系的时间，并按时做到。

## 处理时限

| 级别 | 首次回复 | 解决 |
|---|---|---|
| S1 | 15 分钟 | 4 小时 |
| S2 | 2 小时 | 2 个工作日 |
| S3 | 1 个工作日 | 5 个工作日 |

## 升级

超过时限或客户要求时，按 [[升级到值班经理]] 处理。大客户的投诉同时抄送客户经理。

## 回访

结案后 3 天内回访，记录满意度。@xuyan 每月抽查 20 单。
"""),
    ("升级到值班经理", "投诉, 升级", [], ["mod1", "zhaoli"],
     "published", "new", """\
## 什么时候升级

- S1 故障，或客户明确要求与经理通话；
- 同一问题第三次来电；
- 涉及赔偿、媒体或监管。

## 怎么升级

1. 拨打值班电话（见 [[节假日排班]]），说明客户、问题、已做的处理。
2. 在工单中把负责人改为值班经理，状态改为“已升级”。
3. 给客户明确的回电时间。

## 值班经理的职责

值班经理在 30 分钟内联系客户，并在当天写下处理结果。
"""),
    ("Preparing a quarterly business review", "QBR, key accounts", [],
     ["alice", "wujun", "tomr", "alice"],
     "validated", "new", """\
A QBR is where a key account decides whether we are a vendor or a partner.

## Four weeks before

- Pull the case statistics and SLA report (see [[Product note: reporting dashboards]]).
- Ask support for the three incidents the customer remembers.
- Read the account's profile and update it.

## The deck

1. What the customer wanted this quarter, in their words.
2. What we delivered, with numbers.
3. What went wrong and what we changed — see [[Writing a good knowledge article]]
   for how to write this up honestly.
4. Next quarter: three proposals at most.

## After the meeting

Write the minutes into the account brief within two days and mention @wujun if a
contract topic came up.
"""),
    ("续约谈判准备清单", "续约, 大客户", [], ["liwei", "sunhao"],
     "published", "new", """\
## 提前 90 天

- 核对合同到期日和自动续约条款；
- 整理过去一年的服务数据和投诉；
- 找到客户内部的支持者和反对者。

## 提前 30 天

- 与采购确认流程和预算周期；
- 准备两套报价：标准续约和升级方案，见 [[Pricing guidelines 2025]]；
- 约高层会面。

## 谈判中

不要在第一次会议就让价。先问客户最在意什么。
参考 [[Lesson learned: missed renewal notice at Proseware]]。
"""),
    ("How to hand over an account", "handover, key accounts", [], ["jnovak", "alice"],
     "published", "new", """\
When an account changes hands, what the old manager knows must not leave with them.

## The handover meeting

- Walk through the profile together, layer by layer.
- Name every contact and what they care about.
- List promises made and not yet kept.

## Introduce the new manager

Send a joint e-mail, then visit together if the account is strategic.

## Afterwards

The new manager updates the profile within two weeks; the old one stays reachable
for questions for a month.
"""),
    ("新员工入职：客服系统权限申请", "onboarding, 客服", [], ["linna", "mod1"],
     "draft", "new", """\
## 第一天

- 领取工牌和电脑；
- 在 IT 门户申请 CRM、工单系统和电话系统账号。

## 第一周

- 旁听 10 通电话；
- 阅读 [[客户投诉处理流程]] 和 [[工单优先级定义]]；
- 完成 [[客服话术培训]]。
"""),
    ("Setting up hotline routing for a new customer", "hotline, telephony", [],
     ["dkim", "gaofei", "mtanaka"], "published", "new", """\
## What you need from the customer

- The numbers their users will call, and their opening hours.
- Languages: many East China accounts want Mandarin and English queues.
- Who may be called back, and on which number.

## Configuration

1. Create the queue in the telephony console, named after the CRM reference.
2. Route overflow to the shared queue after 90 seconds.
3. Record the greeting in both languages.

## Test

Call every number from outside the company network before go-live.
"""),
    ("工单优先级定义", "工单, SLA", [], ["zhouqian", "mod2"],
     "validated", "old", """\
## P1 紧急

系统不可用，影响客户核心业务。7×24 处理。

## P2 高

功能受损但有替代方案，或大客户的重要问题。

## P3 普通

一般问题和咨询。

## P4 低

功能建议、文档问题。

与合同中的 SLA 对应关系见 [[Product note: SLA tiers]]。
"""),
    ("Writing a good knowledge article", "KCS, wiki", [], ["mod2", "xuyan"],
     "validated", "new", """\
Write for the colleague who meets the same problem at 2 a.m.

## Structure

- **Issue**: what the customer sees, in their words.
- **Environment**: product, version, customer.
- **Resolution**: steps that worked, in order.
- **Cause**: if known.

## States

Pages start as drafts, are published when they help, and are validated by a
moderator or an expert. See [[如何使用维基]].

## Reuse is review

If an article helped you, check it is still right. If it is not, fix it.
"""),
    ("如何使用维基", "wiki", [], ["mod1", "admin"],
     "published", "new", """\
## 链接

用 `[[页面标题]]` 链接到另一页，用 `[[页面标题|显示文字]]` 自定义文字。
红色链接表示页面还不存在，点击即可创建。

## 提到同事

输入 `@用户名`，同事会收到通知。

## 状态

草稿 → 已发布 → 已验证；过时的页面会被归档。超过一年未复核的页面会显示“可能已过时”。

参见 [[Writing a good knowledge article]]。
"""),
    ("Running a customer site visit", "site visit, key accounts", [],
     ["tomr", "jnovak"],
     "published", "new", """\
## Before

- Agree the agenda with the customer a week ahead.
- Check open cases and invoices: nobody wants a surprise in the meeting room.

## On site

Meet the users, not only the sponsor. Ask to see how they work with our product.

## After

Write what you saw into the account profile, under **Behaviour**.
"""),
    ("数据导出给客户的审批流程", "合规, data", [], ["xuyan", "mod2"],
     "published", "old", """\
## 原则

客户只能拿到属于自己的数据。导出需要双人复核。

## 步骤

1. 客户经理在工单中提交申请，写明范围和用途；
2. 合规审核（2 个工作日）；
3. 技术支持导出并加密，密码通过电话告知。

参见 [[Handling a data deletion request]]。
"""),
    ("Handling a data deletion request", "privacy, compliance", [], ["epatel", "mod2"],
     "draft", "new", """\
## Check who is asking

Only the customer's named contacts may ask. Confirm by calling back.

## Scope

Agree exactly which records: contacts, cases, recordings.

## Do it

Follow the [[GDPR checklist]] for European customers, then confirm in writing.
"""),
    ("节假日排班", "排班, 客服", [], ["mod1", "zhaoli"],
     "published", "new", """\
## 原则

- 春节和国庆期间热线 7×24 有人值守；
- 每班至少一名能处理英文来电的同事。

## 值班电话

值班经理手机每天 18:00 交接。具体排班见 [[旺季排班表]]。
"""),
    ("华信银行：核心系统支持简报", "银行, 大客户", ["CRM-10001"],
     ["oldhand", "liwei", "wujun", "liuyang"],
     "validated", "new", """\
## 概况

全国性股份制银行，我们支持其核心系统接口和客服中心。

## 关键联系人

- 科技部总经理：决策者，重视稳定性；
- 客服中心主任：日常联系人，喜欢微信沟通。

## 当前情况

今年完成了两次版本升级，没有 P1 故障。

## 风险与机会

手机银行客服外包正在招标，是扩大合作的机会。参见 [[续约谈判准备清单]]。
"""),
    ("东方航空物流：旺季扩容", "物流, 旺季", ["CRM-10002"], ["wujun", "gaofei"],
     "published", "new", """\
## 背景

每年 11 月到次年 1 月是货运旺季，来电量是平时的三倍。

## 扩容步骤

1. 10 月中旬确认预测量；
2. 临时增加 20 个坐席，见 [[Setting up hotline routing for a new customer]]；
3. 旺季结束后复盘。

## 去年的教训

见 [[复盘：双十一热线排队]]。
"""),
    ("上海明德医疗：满意度恢复计划", "医疗, 风险客户", ["CRM-10003"],
     ["alice", "mod1", "liuyang"],
     "published", "new", """\
## 现状

去年两次系统故障后，满意度从 4.5 降到 3.2。详见 [[复盘：明德医疗两次系统故障]]。

## 计划

- 每月一次运维报告；
- 指定专属技术支持 @liuyang；
- 高层季度拜访。

## 进展

三个月来没有新的故障，客户的 IT 主管态度有所缓和。
"""),
    ("ACME Manufacturing account brief", "manufacturing, key accounts", ["CRM-10004"],
     ["tomr", "dkim", "alice"], "validated", "new", """\
## Overview

Global maker of industrial tools; three plants run on our platform.

## Key contacts

- VP Operations: sponsor, measures us on plant uptime.
- IT lead: former champion at Initech, see [[Lesson learned: the Initech churn]].

## Current situation

Plant 3 migrates next spring; see [[Lesson learned: a migration weekend that ran long]].

## Next steps

Prepare the QBR with the migration plan, see [[Preparing a quarterly business review]].
"""),
    ("Northwind Retail loyalty programme integration", "retail, integration",
     ["CRM-10005"],
     ["epatel", "mtanaka"], "published", "new", """\
## What they asked for

Members calling the hotline should be recognised by their loyalty number.

## How it works

The CRM looks up the caller's number in the loyalty system and shows the tier
on screen. See [[产品说明：知识库与 CRM 集成]].

## Open points

- Data sharing agreement (legal is on it).
- Peak load before Christmas.
"""),
    ("Fabrikam Energy: merger and vendor review", "energy, at risk", ["CRM-10013"],
     ["jnovak", "wujun", "mod2"], "published", "new", """\
## Situation

Fabrikam is merging with a regional utility. The new IT board reviews every
vendor contract above a threshold, ours included.

## Who decides

The new CIO comes from the other utility, which uses a competitor.

## Our plan

- Meet the CIO before the review, with reference customers.
- Show the cost of switching honestly.
- Offer a joint roadmap workshop.
"""),
    ("Tailspin Airlines renewal plan", "transport, renewal", ["CRM-10020"],
     ["tomr", "sunhao"],
     "draft", "new", """\
## Dates

Contract ends next quarter; notice period 60 days.

## Their pain points

- Long queues during disruptions (weather, strikes).
- Reports arrive too late for their morning meeting.

## Proposal

Disruption mode for the hotline and daily reports at 6 a.m.
Follow [[续约谈判准备清单]].
"""),
    ("北京万通保险：理赔流程合作", "保险, 理赔", ["CRM-10010"], ["bob", "liwei"],
     "published", "new", """\
## 合作内容

我们承接其车险理赔的首次报案热线。

## 流程要点

- 报案信息在 5 分钟内同步到客户系统；
- 大额案件同时通知客户的理赔主管。

## 联系人

理赔部经理每周一开例会，我们的客户经理参加。
"""),
    ("Woodgrove Bank: who is who", "banking, key accounts", ["CRM-10039"],
     ["alice", "jnovak"],
     "published", "new", """\
## Executive sponsor

The COO: wants fewer complaints reaching the regulator.

## Day to day

The contact-centre director, pragmatic, prefers short calls on Fridays.

## Watch out

Procurement changes every two years; introduce yourself to each new buyer.
"""),
    ("华通电信设备：全球售后网络", "电信, 大客户", ["CRM-10024"],
     ["wujun", "gaofei", "zhouqian"],
     "validated", "new", """\
## 概况

通信设备制造商，售后服务覆盖 40 个国家。

## 我们的角色

提供多语种热线和工单系统，夜间由东南亚团队接听。

## 注意事项

客户的海外子公司各自签约，续约时间不同，见 [[续约谈判准备清单]]。
"""),
    ("Contoso Pharmaceuticals: validation and audits", "healthcare, compliance",
     ["CRM-10012"],
     ["epatel", "mod2"], "published", "old", """\
## Why it matters

Every system change at Contoso needs a validation record for their auditors.

## What we deliver

Release notes, test evidence and a signed change form, two weeks before each release.

## Audits

They audit us once a year; the last audit had no findings.
"""),
    ("重庆山城汽车：新采购负责人", "汽车, 风险客户", ["CRM-10030"], ["hejie", "sunhao"],
     "draft", "new", """\
## 变化

新任采购负责人上任后要求重新评估所有服务合同。

## 我们知道的

他之前在一家整车厂负责 IT 采购，重视价格和响应时间。

## 下一步

- 安排技术交流；
- 准备服务数据对比。
"""),
    ("复盘：明德医疗两次系统故障", "复盘, 医疗", ["CRM-10003"],
     ["liuyang", "mod2", "alice", "mod1"],
     "validated", "new", """\
## 背景

去年 3 月和 5 月，明德医疗的预约系统接口两次中断，分别持续 3 小时和 5 小时。

## 做得好的

技术支持在 15 分钟内响应。

## 可以改进的

- 没有及时通知客户的 IT 主管，他从医生那里听说了故障；
- 第二次故障的原因与第一次相同。

## 根本原因

接口证书到期没有监控。

## 下次怎么做

证书到期提前 30 天告警；故障时 15 分钟内电话通知客户联系人。
"""),
    ("Lesson learned: the Initech churn", "lessons, churn", ["CRM-10015"],
     ["tomr", "mod2"],
     "validated", "new", """\
## What happened

Initech was acquired; the new owner consolidated vendors and we lost the contract.

## What we missed

We knew only our champion. When he left for ACME, nobody at Initech knew us.

## What we do now

Every strategic and key account profile names at least three contacts, and we
meet them all once a year. See [[How to hand over an account]].
"""),
    ("复盘：杭州云栖电商流失", "复盘, 流失", ["CRM-10011"], ["bob", "sunhao"],
     "published", "new", """\
## 背景

客户去年转向自建系统。

## 原因

- 他们的技术团队扩大，希望掌控系统；
- 我们的定制需求响应慢。

## 收获

关系仍然良好，他们推荐了两家新客户。保持联系。
"""),
    ("Lesson learned: missed renewal notice at Proseware", "lessons, renewal",
     ["CRM-10028"],
     ["jnovak", "alice"], "published", "new", """\
## What happened

The renewal notice went to an old e-mail address; by the time we noticed, a
competitor had offered a lower price.

## Root cause

Contact data in the CRM was two years old.

## Next time

Check the notice address 120 days before the end of every contract.
"""),
    ("复盘：双十一热线排队", "复盘, 热线", [], ["mod1", "zhangmin", "linna"],
     "published", "new", """\
## 背景

双十一当天等待时间最长达到 18 分钟。

## 原因

- 预测量偏低 30%；
- 溢出队列没有打开。

## 改进

- 提前两周与客户确认促销计划；
- 溢出规则写入上线检查表，见 [[Setting up hotline routing for a new customer]]。
"""),
    ("Lesson learned: a migration weekend that ran long", "lessons, migration", [],
     ["mtanaka", "dkim"], "published", "new", """\
## What happened

A planned 8-hour migration took 20 hours; the customer's Monday shift started
without the new system.

## Why

The data export was tested on a tenth of the real volume.

## Next time

Rehearse with full volume and agree a go/no-go time with the customer.
"""),
    ("复盘：报价单版本错误", "复盘, 报价", [], ["hejie", "bob"],
     "draft", "new", """\
## 经过

发给客户的报价单用的是旧价格表。

## 改进

报价单只从 CRM 生成，不再使用本地模板。
"""),
    ("Product note: SLA tiers", "SLA, product", [], ["mod2", "dkim"],
     "validated", "old", """\
## Tiers

| Tier | Response P1 | Hours |
|---|---|---|
| Platinum | 15 min | 24×7 |
| Gold | 30 min | 24×7 |
| Silver | 2 h | business hours |

## Mapping to ticket priorities

See [[工单优先级定义]].
"""),
    ("产品说明：工单系统 3.0 新功能", "工单, 版本", [], ["zhouqian", "gaofei"],
     "published", "new", """\
## 新功能

- 工单合并与拆分；
- 客户可在门户查看进度；
- SLA 倒计时显示在列表中。

## 变化

旧版操作手册已归档：[[旧版工单系统操作手册]]。
"""),
    ("Product note: chat channel", "chat, product", [], ["lgarcia", "epatel"],
     "published", "new", """\
## What it is

Web and app chat, answered by the same agents as the hotline.

## Good for

Simple questions and customers who cannot call from work (see Margie's Travel).

## Limits

No file transfer yet; screenshots go by e-mail.
"""),
    ("产品说明：知识库与 CRM 集成", "CRM, 集成", [], ["liuyang", "mod2"],
     "published", "new", """\
## 目的

坐席在 CRM 中打开客户时，自动看到相关的维基页面和客户档案。

## 配置

在账户上关联页面即可，无需额外设置。

## 参见

[[How to log a complaint in the CRM]]
"""),
    ("Product note: reporting dashboards", "reporting, product", [],
     ["dkim", "mtanaka"],
     "published", "new", """\
## Dashboards

- Case volume by channel and category.
- SLA compliance per contract.
- Satisfaction after closing.

## Exports

CSV and PDF; scheduled e-mails at 6 a.m. local time.
"""),
    ("产品说明：语音质检", "质检, 产品", [], ["xuyan", "zhaoli"],
     "published", "new", """\
## 功能

自动转写通话并检查关键话术，例如开场白和结束语。

## 使用

质检员每周复核系统标记的通话；@xuyan 负责规则维护。
"""),
    ("Glossary 术语表", "glossary", [], ["admin", "mod1", "mod2"],
     "validated", "new", """\
## A–M

- **Account brief 客户简报**: a short page on an account's situation.
- **KCS**: Knowledge-Centered Service, how this wiki keeps articles alive.

## N–Z

- **QBR 季度业务回顾**: see [[Preparing a quarterly business review]].
- **SLA 服务水平协议**: see [[Product note: SLA tiers]].
"""),
    ("Pricing guidelines 2025", "pricing", [], ["sunhao", "hejie"],
     "archived", "old", """\
## Discounts

Up to 10% without approval; above that, the sales director decides.

## Multi-year

Three-year contracts get a further 5%.
"""),
    ("旧版工单系统操作手册", "工单", [], ["oldhand", "zhouqian"],
     "archived", "old", """\
## 新建工单

在主界面点击“新建”，填写客户编号。

## 说明

本手册适用于 2.x 版本，已由 [[产品说明：工单系统 3.0 新功能]] 取代。
"""),
    ("Holiday support rota 2024", "rota", [], ["mod1"],
     "archived", "old", """\
## Rota

Replaced by [[节假日排班]].
"""),
    ("Old escalation matrix", "escalation", [], ["oldhand", "mod1"],
     "archived", "old", """\
## Matrix

Superseded by [[升级到值班经理]] and [[客户投诉处理流程]].
"""),
    ("Account plan template notes", "key accounts", [], ["wujun"],
     "published", "old", """\
## Why plan

A plan makes the next year's conversations deliberate.

## What goes in

Goals, contacts, risks, and the three things we will do.
"""),
    ("客户拜访纪要写法", "拜访, 大客户", [], ["liwei", "oldhand"],
     "published", "old", """\
## 纪要要点

- 时间、地点、参加人；
- 客户说了什么（原话）；
- 我们承诺了什么，谁负责，什么时候。

## 存放

写进客户档案的“行为”部分。参见 [[Running a customer site visit]]。
"""),
]

# What we know about each of fifteen accounts, by layer; the rest of the text
# comes from the account record.
PROFILES = {
    "CRM-10001": ("科技部与客服中心两条线；总行集中采购。",
                  "日常用微信群，正式事项走邮件和函件。",
                  "核心系统稳定，手机银行客服扩容。",
                  "决策慢但稳定，重视监管合规。",
                  "年合同额最大的银行客户，续约意愿强。"),
    "CRM-10002": ("集团物流子公司，货运与冷链两个事业部。",
                  "热线和客户门户；旺季每日电话会。",
                  "旺季扩容，冷链温控异常的快速处理。",
                  "提前规划，预测偏保守。",
                  "战略客户，旺季收入占全年 40%。"),
    "CRM-10003": ("私立医院集团，五家医院共用预约系统。",
                  "IT 主管只接受电话；医生通过院办反馈。",
                  "系统稳定，故障时及时通知。",
                  "对故障非常敏感，口碑在同行中传播快。",
                  "关键客户，目前风险高。"),
    "CRM-10004": ("Global tool maker; three plants on our platform, HQ in Ohio.",
                  "Monthly steering call; plant managers e-mail directly.",
                  "Plant uptime, smooth migration of plant 3.",
                  "Decides by data; expects a QBR deck two days ahead.",
                  "Strategic; room to grow with plant 4."),
    "CRM-10005": ("Grocery chain, 400 stores; loyalty team owns the contract.",
                  "Slack connect channel and a weekly call.",
                  "Recognise loyalty members on the hotline.",
                  "Fast decisions, tight budgets before Christmas.",
                  "Key account, steady growth."),
    "CRM-10010": ("财产险公司，理赔部为主要合作部门。",
                  "每周一例会；紧急事项打理赔主管电话。",
                  "首次报案快速准确。",
                  "流程导向，变更需层层审批。",
                  "关键客户，理赔量稳定增长。"),
    "CRM-10012": ("Generic drug maker; QA owns every vendor relationship.",
                  "Formal e-mail only; change forms on paper.",
                  "Validation records, audit readiness.",
                  "Conservative; no change without evidence.",
                  "Key account, low churn risk while audits pass."),
    "CRM-10013": ("Utility in a merger; new IT board after the merger.",
                  "Through the old CIO's office until the merger closes.",
                  "Cost savings, one platform for both companies.",
                  "Reviewing every vendor; politics matter.",
                  "Strategic and at risk."),
    "CRM-10020": ("Low-cost carrier; customer service outsourced to us.",
                  "Ops control centre calls us directly during disruptions.",
                  "Handling disruption peaks, early reports.",
                  "Price-sensitive, switches vendors readily.",
                  "Key account; renewal due next quarter."),
    "CRM-10022": ("进出口贸易公司，总部在香港。",
                  "粤语和英语；喜欢 WhatsApp。",
                  "多语种客服，报关咨询。",
                  "老板亲自拍板，重视人情。",
                  "关键客户，口碑推荐多。"),
    "CRM-10024": ("通信设备制造商，全球 40 个国家售后。",
                  "各区域子公司分别对接；总部每季度例会。",
                  "多语种、7×24、备件物流联动。",
                  "总部定标准，子公司各自签约。",
                  "战略客户，海外业务增长快。"),
    "CRM-10029": ("船舶制造企业，项目制。",
                  "项目经理是主要联系人。",
                  "长周期项目的售后支持。",
                  "决策链长，需要多方签字。",
                  "关键客户，单项目金额大。"),
    "CRM-10032": ("港口集装箱物流。",
                  "调度中心热线。",
                  "作业高峰期的快速响应。",
                  "稳定，按年续约。",
                  "关键客户，业务量稳定增长。"),
    "CRM-10037": ("城市商业银行，手机银行是重点。",
                  "微信和邮件。",
                  "手机银行客服质量。",
                  "重视本地化服务。",
                  "关键客户。"),
    "CRM-10039": ("Retail bank; the COO sponsors us.",
                  "Contact-centre director, short calls on Fridays.",
                  "Fewer complaints reaching the regulator.",
                  "Procurement rotates every two years.",
                  "Strategic; our largest North American contract."),
}
# fmt: on

SUMMARIES = [
    "补充细节",
    "Added a section",
    "更新联系人",
    "Clarified the steps",
    "根据最新情况更新",
    "Fixed wording",
]


def _users() -> dict[str, User]:
    return {u.username: u for u in db.session.scalars(sa.select(User))}


def _accounts() -> dict[str, CustomerAccount]:
    return {a.crm_ref: a for a in db.session.scalars(sa.select(CustomerAccount))}


def _sections(body: str) -> list[str]:
    """Split a body before each "## " heading, keeping the text whole."""
    parts, current = [], []
    for line in body.splitlines(keepends=True):
        if line.startswith("## ") and current:
            parts.append("".join(current))
            current = []
        current.append(line)
    parts.append("".join(current))
    return parts


def _writer(users: dict[str, User], username: str, fallback: list[User]) -> User:
    user = users.get(username)
    # A departed author's pages stay attributed to them, as in a real wiki.
    return user if user is not None else fallback[0]


def _write_page(entry, users, accounts, fallback, rng: random.Random) -> bool:
    title, tags, refs, authors, state, age, body = entry
    if service.slug_owner(slugify(title)) is not None:
        return False
    sections = _sections(body)
    count = max(1, min(len(authors), len(sections), 4))
    # Each revision adds the next share of the sections.
    cut = [round(len(sections) * (k + 1) / count) for k in range(count)]
    writers = [_writer(users, name, fallback) for name in authors[:count]]
    page = service.create_page(
        title,
        "".join(sections[: cut[0]]),
        _as_active(writers[0]),
        tags=tags,
        accounts=[accounts[r] for r in refs if r in accounts],
        state="draft" if state == "draft" else "published",
        summary="",
    )
    for k in range(1, count):
        service.edit_page(
            page,
            "".join(sections[: cut[k]]),
            _as_active(writers[k]),
            base_revision=k,
            summary=rng.choice(SUMMARIES),
        )
    _backdate(page, writers, age, rng)
    if state in ("validated", "archived"):
        page.state = state
    if state == "validated":
        page.last_reviewed_at = page.updated_at + timedelta(days=1)
    return True


def _as_active(user: User) -> User:
    """Return ``user``, or an active stand-in for a colleague who has left.

    Services refuse authors who cannot log in; the demo's history is written
    through them anyway and ``_backdate`` then attributes each revision to its
    real author, as a wiki keeps the work of people who left.
    """
    if user.is_active:
        return user
    return db.session.scalar(
        sa.select(User).where(User.active.is_(True)).order_by(User.id).limit(1)
    )


def _backdate(page: Page, writers: list[User], age: str, rng: random.Random) -> None:
    """Spread the page's revisions over the past, oldest first."""
    now = clock.now()
    start = now - timedelta(
        days=rng.randint(430, 640) if age == "old" else rng.randint(20, 300)
    )
    revisions = db.session.scalars(
        sa.select(Revision).where(Revision.page_id == page.id).order_by(Revision.number)
    ).all()
    when = start
    for revision, writer in zip(revisions, writers, strict=False):
        revision.created_at = when
        revision.author = writer
        when = min(
            now, when + timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 8))
        )
    page.created_at = start
    page.created_by = writers[0]
    page.updated_at = revisions[-1].created_at


def _profile_body(account: CustomerAccount, layers: tuple[str, ...]) -> str:
    identification, channels, needs, behaviour, value = layers
    return (
        "## 识别 Identification\n\n"
        f"{account.name}（{account.industry}，{account.region}）。{identification}\n\n{account.description}\n\n"
        f"## 渠道 Channels\n\n{channels}\n\n"
        f"## 需求 Needs\n\n{needs}\n\n"
        f"## 行为 Behaviour\n\n{behaviour}\n\n"
        f"## 价值 Value\n\n{value}\n"
    )


def _write_profile(account, layers, users, fallback, rng) -> bool:
    if service.profile_page(account) is not None:
        return False
    manager = account.account_manager
    author = (
        manager if manager is not None and manager.is_active else rng.choice(fallback)
    )
    body = _profile_body(account, layers)
    first, _, rest = body.partition("## 需求 Needs")
    page = service.save_profile(account, first.rstrip() + "\n", author)
    editor = rng.choice([u for u in fallback if u.id != author.id] or fallback)
    service.save_profile(
        account,
        first + "## 需求 Needs" + rest,
        editor,
        base_revision=1,
        summary=rng.choice(SUMMARIES),
    )
    _backdate(page, [author, editor], "new", rng)
    return True


def _write_ups(users: dict[str, User], fallback: list[User]) -> int:
    """Write up a few answered questions from the demo forums, if there are any."""
    from portal.forums.models import Forum, Thread

    actor = users.get("mod1") or fallback[0]
    threads = db.session.scalars(
        sa.select(Thread)
        .join(Forum, Forum.id == Thread.forum_id)
        .where(
            Thread.accepted_post_id.is_not(None),
            Thread.deleted_at.is_(None),
            Forum.department_id.is_(None),
        )
        .order_by(Thread.id)
        .limit(3)
    )
    done = 0
    for thread in threads:
        recorded = db.session.scalar(
            sa.select(ThreadWriteUp.id).where(ThreadWriteUp.thread_id == thread.id)
        )
        if recorded is None:
            writeup.write_up(thread, actor)
            done += 1
    return done


def seed(rng) -> str:
    # A generator of our own, so other packages' demo data does not change
    # when the wiki's does.
    local = random.Random(rng.randrange(2**32))
    users = _users()
    fallback = [u for u in users.values() if u.is_active and u.role != "admin"] or [
        u for u in users.values() if u.is_active
    ]
    if not fallback:
        return "no users: seed auth first"
    fallback.sort(key=lambda u: u.username)
    accounts = _accounts()
    pages = sum(_write_page(e, users, accounts, fallback, local) for e in PAGES)
    db.session.flush()
    profiles = sum(
        _write_profile(accounts[ref], layers, users, fallback, local)
        for ref, layers in PROFILES.items()
        if ref in accounts
    )
    written = _write_ups(users, fallback)
    return (
        f"{pages} pages, {profiles} account profiles and {written} thread write-ups "
        f"created ({len(PAGES)} pages and {len(PROFILES)} profiles in the demo)"
    )
