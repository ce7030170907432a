"""Text extraction for search: every document type, Chinese included; broken
and encrypted files record why and are uploaded all the same; a duplicate is
read once."""

import pytest

from portal import signals
from portal.extensions import db
from portal.files.models import Attachment
from tests.files.conftest import CHINESE, docx, pdf, pptx, xlsx


def broken_docx() -> bytes:
    """A Word container whose document is not XML."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "this is not XML <<<")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "build", "english"),
    [
        ("terms.pdf", pdf, "Contract renewal"),
        ("notes.docx", docx, "Meeting notes"),
        ("prices.xlsx", xlsx, "Price list"),
        ("qbr.pptx", pptx, "Quarterly review"),
    ],
)
def test_text_is_extracted_from_each_document_type(
    upload, author, name, build, english
):
    info = upload(author, name, build()).get_json()["files"][0]
    blob = db.session.get(Attachment, info["id"]).blob
    assert blob.text_status == "ok", blob.text_error
    assert english in blob.text and CHINESE in blob.text


def test_plain_text_in_utf8_and_gbk(upload, author):
    for name, data in (
        ("utf8.txt", f"纪要 {CHINESE}".encode()),
        ("gbk.txt", f"纪要 {CHINESE} gbk".encode("gbk")),
    ):
        info = upload(author, name, data).get_json()["files"][0]
        assert info["type"] == "text/plain"
        assert CHINESE in db.session.get(Attachment, info["id"]).blob.text


def test_docx_tables_and_xlsx_sheet_names_are_searchable(upload, author):
    info = upload(author, "notes.docx", docx()).get_json()["files"][0]
    assert "预算" in db.session.get(Attachment, info["id"]).blob.text
    info = upload(author, "prices.xlsx", xlsx()).get_json()["files"][0]
    assert "报价" in db.session.get(Attachment, info["id"]).blob.text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("locked.pdf", pdf(password="s3cret"), "encrypted"),
        ("cut.pdf", pdf()[:300], "unreadable"),
        ("broken.docx", broken_docx(), "unreadable"),
    ],
)
def test_a_broken_or_encrypted_file_is_uploaded_with_the_failure_recorded(
    upload, author, name, data, reason
):
    r = upload(author, name, data)
    assert r.status_code == 201
    assert r.get_json()["files"][0]["text_status"] == "failed"
    blob = db.session.get(Attachment, r.get_json()["files"][0]["id"]).blob
    assert reason in blob.text_error


def test_pictures_and_archives_have_no_text(upload, author):
    from tests.files.conftest import png

    info = upload(author, "a.png", png()).get_json()["files"][0]
    assert info["text_status"] == "none"


def test_a_duplicate_is_extracted_once(upload, author, monkeypatch):
    from portal.files import extract

    calls = []
    real = extract.extract
    monkeypatch.setattr(extract, "extract", lambda *a: calls.append(a[1]) or real(*a))
    data = pdf()
    upload(author, "a.pdf", data)
    upload(author, "b.pdf", data)
    assert calls == ["application/pdf"]


def test_file_uploaded_is_sent_after_flush_with_the_text_ready(upload, author):
    seen = []

    def on_uploaded(attachment, uploader, **_):
        seen.append((attachment.id, attachment.blob.text, uploader.id))

    signals.file_uploaded.connect(on_uploaded)
    try:
        info = upload(author, "notes.docx", docx()).get_json()["files"][0]
    finally:
        signals.file_uploaded.disconnect(on_uploaded)
    assert len(seen) == 1
    assert seen[0][0] == info["id"] and CHINESE in seen[0][1]
    assert seen[0][2] == author.id
