"""Uploading from the editor: drafts claimed by the saved post or page, files
added while editing, several at once, and bad input refused with a reason."""

import io

import pytest

from portal import signals
from portal.extensions import db
from portal.files.models import Attachment
from portal.forums import service as forums
from portal.wiki import service as wiki
from tests.files.conftest import pdf, png


def test_a_pasted_screenshot_becomes_a_thumbnail_linking_to_the_full_picture(
    upload, author
):
    r = upload(author, "screenshot-1.png", png())
    assert r.status_code == 201
    info = r.get_json()["files"][0]
    assert info["is_image"] and info["type"] == "image/png"
    assert info["markdown"] == (
        f"[![screenshot-1.png](/files/{info['id']}/thumbnail)]"
        f"(/files/{info['id']}/download)"
    )


def test_a_draft_is_claimed_by_the_post_that_names_it(upload, author, thread):
    seen = []

    def on_changed(ids, action, **_):
        seen.append((ids, action))

    signals.files_changed.connect(on_changed)
    try:
        info = upload(author, "plan.pdf", pdf()).get_json()["files"][0]
        post = forums.reply(thread, author, f"See {info['markdown']}")
        db.session.commit()
    finally:
        signals.files_changed.disconnect(on_changed)
    attachment = db.session.get(Attachment, info["id"])
    assert (attachment.owner_kind, attachment.owner_id) == ("post", post.id)
    assert seen == [([info["id"]], "claimed")]


def test_nobody_claims_someone_elses_draft(upload, author, reader, thread):
    info = upload(author, "plan.pdf", pdf()).get_json()["files"][0]
    forums.reply(thread, reader, f"Stolen {info['markdown']}")
    db.session.commit()
    assert db.session.get(Attachment, info["id"]).owner_kind == "draft"


def test_a_new_wiki_page_claims_its_drafts(upload, author):
    info = upload(author, "diagram.png", png()).get_json()["files"][0]
    page = wiki.create_page(
        "ACME architecture", f"Overview\n\n{info['markdown']}", author
    )
    db.session.commit()
    attachment = db.session.get(Attachment, info["id"])
    assert (attachment.owner_kind, attachment.owner_id) == ("page", page.id)


def test_files_are_added_to_an_existing_post_page_and_account(
    upload, author, thread, account
):
    post = thread_first_post(thread)
    page = wiki.create_page("ACME", "Text", author)
    db.session.commit()
    for target in (f"post:{post.id}", f"page:{page.slug}", f"account:{account.id}"):
        r = upload(author, "notes.txt", b"hello", attach_to=target)
        assert r.status_code == 201, r.get_json()
        assert (
            r.get_json()["files"][0]["attached_to"].split(":")[0]
            == target.split(":")[0]
        )


def thread_first_post(thread):
    from portal.forums.models import Post

    return db.session.scalar(
        db.select(Post).where(Post.thread_id == thread.id, Post.is_first.is_(True))
    )


def test_only_who_may_edit_a_post_adds_files_to_it(upload, reader, thread):
    post = thread_first_post(thread)
    r = upload(reader, "notes.txt", b"hello", attach_to=f"post:{post.id}")
    assert r.status_code == 403


def test_several_files_in_one_form_are_stored_together(login, author, account):
    r = login(author).post(
        "/files/upload",
        data={
            "file": [(io.BytesIO(b"one"), "a.txt"), (io.BytesIO(png()), "b.png")],
            "attach_to": f"account:{account.id}",
        },
        headers={"Accept": "application/json"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201
    assert [f["name"] for f in r.get_json()["files"]] == ["a.txt", "b.png"]


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("empty.txt", b"", 400, "is empty"),
        ("../../etc/passwd", b"x", 400, "may not contain"),
        ("bell\x07.txt", b"x", 400, "control characters"),
        (
            "tool.exe",
            b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100,
            415,
            "not accepted",
        ),
        ("page.html", b"<!DOCTYPE html><script>alert(1)</script>", 415, "not accepted"),
    ],
)
def test_bad_input_gets_a_clear_message_and_a_4xx(
    upload, author, name, data, status, words
):
    r = upload(author, name, data)
    assert r.status_code == status
    assert words in r.get_json()["error"]["message"]
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0


def test_a_failed_upload_leaves_the_post_form_as_it_was(login, upload, author, thread):
    """The editor uploads on its own request: a refused file never touches the
    post being written, which is then saved whole."""
    client = login(author)
    assert (
        upload(
            author, "x.png", b"<html>not a picture</html>", client=client
        ).status_code
        == 415
    )
    r = client.post(
        f"/forums/t/{thread.id}/reply",
        data={"body": "My reply, kept whole."},
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert "My reply, kept whole." in r.get_data(as_text=True)


def test_the_no_javascript_form_shows_the_reason_and_a_4xx(login, author, account):
    r = login(author).post(
        "/files/upload",
        data={
            "file": (io.BytesIO(b""), "empty.txt"),
            "attach_to": f"account:{account.id}",
            "next": f"/accounts/{account.id}/files",
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    assert "is empty" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "name", ["a/b.txt", "dir\\evil.txt", "..", "tab\there", "\u202egnp.exe"]
)
def test_a_name_is_never_a_path_nor_holds_control_characters(app, name):
    from portal.errors import Invalid
    from portal.files.service import clean_filename

    with pytest.raises(Invalid):
        clean_filename(name)
    assert clean_filename("  报价单 v2.xlsx ") == "报价单 v2.xlsx"
