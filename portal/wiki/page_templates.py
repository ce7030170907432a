"""Markdown skeletons offered when a page is created, headings in both languages.

The skeletons are content, not interface: a page keeps the headings it was
started with whatever language its later readers use, so both languages are in
the text rather than in the translation catalogs.
"""

from flask_babel import lazy_gettext as _l

ACCOUNT_BRIEF = """\
## 概况 Overview

（一句话说明这是谁、我们为他们做什么。 Who they are and what we do for them.）

## 关键联系人 Key contacts

- …

## 当前情况 Current situation

## 风险与机会 Risks and opportunities

## 下一步 Next steps

## 参见 See also

- …
"""

HOW_TO = """\
## 目的 Goal

（完成后得到什么。 What you will have when you are done.）

## 前提条件 Before you start

- …

## 步骤 Steps

1. …
2. …
3. …

## 常见问题 Troubleshooting

## 参见 See also

"""

LESSON_LEARNED = """\
## 背景 Background

（发生了什么，涉及哪个客户。 What happened, and with which customer.）

## 做得好的 What went well

## 可以改进的 What could be better

## 根本原因 Root cause

## 下次怎么做 What we do next time

"""

# The five layers of customer knowledge (DESIGN.md): every account profile.
ACCOUNT_PROFILE = """\
## 识别 Identification

（客户是谁：法人、集团关系、关键人物及其角色。 Who the customer is: legal entity, \
group, the key people and their roles.）

## 渠道 Channels

（我们如何联系他们，他们喜欢如何被联系。 How we reach them and how they like to \
be reached.）

## 需求 Needs

（他们想解决的问题，明说的和没明说的。 What they want solved, said and unsaid.）

## 行为 Behaviour

（他们如何采购、使用、投诉、续约。 How they buy, use, complain and renew.）

## 价值 Value

（这段关系对双方的价值，以及它的走向。 What the relationship is worth to both \
sides, and where it is heading.）
"""

TEMPLATES = {
    "account-brief": (_l("Account brief"), ACCOUNT_BRIEF),
    "how-to": (_l("How-to"), HOW_TO),
    "lesson-learned": (_l("Lesson learned"), LESSON_LEARNED),
}


def choices() -> list[tuple[str, str]]:
    """Return ``(key, label)`` pairs for the template menu."""
    return [(key, str(label)) for key, (label, _) in TEMPLATES.items()]


def skeleton(key: str | None) -> str:
    """Return the Markdown of the template ``key``, or ``""`` for none or unknown."""
    entry = TEMPLATES.get(key or "")
    return entry[1] if entry else ""
