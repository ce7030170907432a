"""Text inside attached documents is found, as visible as what it hangs on."""

import io

from docx import Document

from portal.accounts import service as accounts_service
from portal.extensions import db
from portal.files import service as files
from portal.forums import service as forums
from tests.forums.factories import make_forum, make_thread


def _docx(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_document_on_an_account_is_found_by_its_words(find, employee, client, login):
    account = accounts_service.create_account("华信银行", "CRM-7")
    db.session.commit()
    files.upload(
        _docx("华信银行续约合同要点：付款周期九十天。"),
        "合同要点.docx",
        employee,
        f"account:{account.id}",
    )
    db.session.commit()
    assert find("付款周期", employee) == ["合同要点.docx"]
    page = login(employee).get("/search?q=付款周期").get_data(as_text=True)
    assert "合同要点.docx" in page and "华信银行" in page


def test_a_file_in_a_restricted_forum_only_for_its_readers(find, make, employee):
    legal = make.department("Legal")
    lawyer = make.user("lawyer", department=legal)
    forum = make_forum("Contracts", department=legal)
    thread = make_thread(forum, lawyer, "Clause 7")
    first = db.session.scalars(
        db.select(forums.Post).where(forums.Post.thread_id == thread.id)
    ).first()
    files.upload(
        _docx("indemnification ceiling for ACME"),
        "clause.docx",
        lawyer,
        f"post:{first.id}",
    )
    db.session.commit()
    assert find("indemnification", lawyer) == ["clause.docx"]
    assert find("indemnification", employee) == []


def test_deleting_the_post_takes_its_file_out(find, make, employee, forum):
    thread = make_thread(forum, employee, "Renewal notes")
    first = db.session.scalars(
        db.select(forums.Post).where(forums.Post.thread_id == thread.id)
    ).first()
    files.upload(
        _docx("quarterly rebate schedule"), "rebates.docx", employee, f"post:{first.id}"
    )
    db.session.commit()
    assert "rebates.docx" in find("rebate", employee)
    forums.delete_post(first, make.user("mod", role="moderator"))
    db.session.commit()
    assert "rebates.docx" not in find("rebate", employee)
