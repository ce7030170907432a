"""Versions for files on wiki pages and accounts: the old ones kept, with who
and when; files on posts have none."""

import io

from portal.extensions import db
from portal.files import service
from portal.files.models import Attachment
from portal.forums import service as forums
from portal.wiki import service as wiki


def _new_version(client, file_id, name, data):
    return client.post(
        f"/files/{file_id}/versions",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_new_version_of_an_account_document_keeps_the_old_one(
    upload, login, author, reader, account
):
    v1 = upload(author, "contract.txt", b"v1", attach_to=f"account:{account.id}")
    v1 = v1.get_json()["files"][0]
    r = _new_version(login(reader), v1["id"], "contract-signed.txt", b"v2")
    assert r.status_code == 302
    db.session.expire_all()
    old = db.session.get(Attachment, v1["id"])
    versions = service.versions(old)
    assert [(v.version, v.is_current, v.uploaded_by_id) for v in versions] == [
        (2, True, reader.id),
        (1, False, author.id),
    ]
    # The old version is still there to download; the library lists the new one.
    assert login(reader).get(f"/files/{v1['id']}/download").data == b"v1"
    page = login(reader).get(f"/files/{versions[0].id}").get_data(as_text=True)
    assert "Version 1" in page and "Version 2" in page and "Asa Author" in page
    library = login(reader).get(f"/accounts/{account.id}/files").get_data(as_text=True)
    assert "contract-signed.txt" in library and "contract.txt<" not in library


def test_a_wiki_page_file_has_versions(upload, login, author):
    page = wiki.create_page("ACME", "Text", author)
    db.session.commit()
    v1 = upload(author, "spec.txt", b"one", attach_to=f"page:{page.slug}")
    v1 = v1.get_json()["files"][0]
    r = login(author).post(
        f"/files/{v1['id']}/versions",
        data={"file": (io.BytesIO(b"two"), "spec.txt")},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 201 and r.get_json()["version"] == 2


def test_files_on_posts_have_no_versions(upload, login, author, thread):
    info = upload(author, "a.txt", b"one").get_json()["files"][0]
    forums.reply(thread, author, info["markdown"])
    db.session.commit()
    r = _new_version(login(author), info["id"], "a.txt", b"two")
    assert r.status_code == 403


def test_an_older_version_cannot_be_replaced(upload, login, author, account):
    v1 = upload(author, "a.txt", b"v1", attach_to=f"account:{account.id}")
    fid = v1.get_json()["files"][0]["id"]
    _new_version(login(author), fid, "a.txt", b"v2")
    assert _new_version(login(author), fid, "a.txt", b"v3").status_code == 403


def test_the_uploader_removes_a_document_with_all_its_versions(
    upload, login, author, reader, account
):
    v1 = upload(author, "a.txt", b"v1", attach_to=f"account:{account.id}")
    fid = v1.get_json()["files"][0]["id"]
    _new_version(login(author), fid, "a.txt", b"v2")
    newest = max(a.id for a in db.session.scalars(db.select(Attachment)))
    assert login(reader).post(f"/files/{newest}/delete").status_code == 403
    r = login(author).post(f"/files/{newest}/delete")
    assert r.status_code == 302 and r.headers["Location"] == account.url
    for file_id in (fid, newest):
        assert login(author).get(f"/files/{file_id}/download").status_code == 404
