"""Storage: content-addressed (the same file is stored once), on local disk or
an S3-compatible store, and collected by ``files gc`` when nothing needs it."""

import socket
from datetime import timedelta

import pytest

from portal import clock
from portal.extensions import db
from portal.files import service
from portal.files.models import Attachment, Blob
from portal.files.storage import LocalStorage, storage_from_url
from tests.files.conftest import pdf, png


def _count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_the_same_file_uploaded_twice_is_stored_once(app, upload, author, reader):
    data = pdf()
    a = upload(author, "terms.pdf", data).get_json()["files"][0]
    b = upload(reader, "copy of terms.pdf", data).get_json()["files"][0]
    assert a["id"] != b["id"]
    assert _count(Attachment) == 2 and _count(Blob) == 1
    stored = list(service.storage().listing())
    assert len(stored) == 1


def test_the_same_picture_twice_keeps_one_picture_and_one_thumbnail(upload, author):
    data = png()
    upload(author, "a.png", data)
    upload(author, "b.png", data)
    assert _count(Blob) == 1
    keys = sorted(k for k, _ in service.storage().listing())
    assert len(keys) == 2 and keys[1].startswith("thumb/")


def test_local_storage_lives_under_the_instance_folder(app):
    store = service.storage()
    assert isinstance(store, LocalStorage)
    assert str(store.root).startswith(app.instance_path)


def test_gc_removes_unreferenced_contents_after_the_grace_period(
    app, runner, upload, author, thread, monkeypatch
):
    from portal.forums import service as forums

    kept = upload(author, "kept.pdf", pdf()).get_json()["files"][0]
    forums.reply(thread, author, kept["markdown"])
    db.session.commit()
    upload(author, "abandoned.png", png())  # a draft never saved with a post
    service.storage().put("f" * 64, b"left over from a rolled-back upload")

    result = runner.invoke(args=["files", "gc"])
    assert "removed: 0 unclaimed drafts, 0 unreferenced contents, 0" in result.output

    later = clock.now() + timedelta(days=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    result = runner.invoke(args=["files", "gc"])
    assert result.exit_code == 0, result.output
    assert "1 unclaimed drafts, 1 unreferenced contents, 3 stored objects" in (
        result.output
    )
    db.session.expire_all()
    assert [a.filename for a in db.session.scalars(db.select(Attachment))] == [
        "kept.pdf"
    ]
    assert [k for k, _ in service.storage().listing()] == [
        db.session.scalar(db.select(Blob.sha256))
    ]
    assert runner.invoke(args=["files", "gc"]).output.startswith("removed: 0")


def test_gc_keeps_the_files_of_deleted_posts_which_may_come_back(
    app, runner, upload, author, thread, monkeypatch
):
    from portal.forums import service as forums

    info = upload(author, "a.pdf", pdf()).get_json()["files"][0]
    post = forums.reply(thread, author, info["markdown"])
    forums.delete_post(post, author)
    db.session.commit()
    later = clock.now() + timedelta(days=30)
    monkeypatch.setattr(clock, "now", lambda: later)
    runner.invoke(args=["files", "gc"])
    assert _count(Blob) == 1 and len(list(service.storage().listing())) == 1


# --- S3-compatible storage, against a local server ----------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_url(s3_server, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    bucket = f"tacit-{_free_port()}"
    boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    return f"s3://{bucket}/uploads?endpoint_url={s3_server}&region=us-east-1"


def test_s3_storage_puts_gets_lists_and_deletes(s3_url):
    store = storage_from_url(s3_url, "/nonexistent")
    store.put("abc123", b"hello")
    store.put("thumb/abc123", b"small")
    assert store.get("abc123") == b"hello"
    assert store.exists("thumb/abc123")
    assert sorted(k for k, _ in store.listing()) == ["abc123", "thumb/abc123"]
    store.delete("abc123")
    assert not store.exists("abc123")
    with pytest.raises(KeyError):
        store.get("abc123")


def test_the_portal_serves_files_from_s3(app, s3_url, upload, login, author):
    store = storage_from_url(s3_url, "/nonexistent")
    app.extensions["tacit_files_storage"] = store
    info = upload(author, "a.png", png()).get_json()["files"][0]
    assert len(list(store.listing())) == 2
    r = login(author).get(info["download_url"])
    assert r.status_code == 200 and r.data.startswith(b"\x89PNG")
