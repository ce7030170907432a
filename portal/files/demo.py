"""Demo documents on customer accounts: meeting notes and a price list, in
Chinese and English, so the library and search inside documents have content.

Files seeds before the forums and the wiki, so it files on accounts only.
"""

import io

import sqlalchemy as sa

from portal.extensions import db
from portal.files import service
from portal.files.models import Attachment

# crm_ref, file name, heading, lines
DOCUMENTS = [
    (
        "CRM-10001",
        "华信银行-季度业务回顾纪要.docx",
        "华信银行 季度业务回顾 / Quarterly business review",
        [
            "参会：客户运营部、我方客户经理与技术支持。",
            "客服中心高峰期排队时间下降 30%，客户满意度回升。",
            "Next step: pilot the knowledge base in two branches before March.",
        ],
    ),
    (
        "CRM-10004",
        "ACME-renewal-notes.docx",
        "ACME Manufacturing — contract renewal notes / 续约要点",
        [
            "Renewal is due in Q2; procurement wants a three-year price lock.",
            "续约关键：三家工厂的现场支持响应时间必须写入合同。",
            "Risk: the plant in Ohio is evaluating a competitor.",
        ],
    ),
]


def _docx(heading: str, lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(heading, level=1)
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def seed(rng) -> str:
    from portal.accounts.models import CustomerAccount

    added = 0
    for crm_ref, name, heading, lines in DOCUMENTS:
        account = db.session.scalar(
            sa.select(CustomerAccount).where(CustomerAccount.crm_ref == crm_ref)
        )
        if account is None or account.account_manager is None:
            continue
        exists = db.session.scalar(
            sa.select(Attachment.id).where(
                Attachment.owner_kind == "account",
                Attachment.owner_id == account.id,
                Attachment.filename == name,
            )
        )
        if exists:
            continue
        owner = f"account:{account.id}"
        service.upload(_docx(heading, lines), name, account.account_manager, owner)
        added += 1
    return f"{added} documents"
