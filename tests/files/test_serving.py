"""Serving: as visible as the owner, type from content, pictures re-encoded and
inline, everything else a download, with nosniff and a sandbox."""

import io

import pytest
from PIL import Image

from portal.extensions import db
from portal.forums import service as forums
from tests.files.conftest import jpeg_with_exif, pdf, png


def _post_file(upload, user, thread, name, data):
    info = upload(user, name, data).get_json()["files"][0]
    forums.reply(thread, user, info["markdown"])
    db.session.commit()
    return info


def test_a_file_in_a_restricted_forum_is_invisible_to_outsiders_by_url_too(
    upload, login, insider, outsider, moderator, secret_thread
):
    info = _post_file(upload, insider, secret_thread, "salaries.pdf", pdf())
    fid = info["id"]
    for path in (f"/files/{fid}", f"/files/{fid}/download", f"/files/{fid}/thumbnail"):
        assert login(outsider).get(path).status_code == 404
    assert login(insider).get(f"/files/{fid}/download").status_code == 200
    assert login(moderator).get(f"/files/{fid}/download").status_code == 200


def test_a_draft_is_seen_by_its_uploader_only(upload, login, author, reader):
    fid = upload(author, "a.png", png()).get_json()["files"][0]["id"]
    assert login(author).get(f"/files/{fid}/download").status_code == 200
    assert login(reader).get(f"/files/{fid}/download").status_code == 404


def test_an_image_is_served_inline_with_nosniff_and_a_sandbox(upload, login, author):
    fid = upload(author, "a.png", png()).get_json()["files"][0]["id"]
    r = login(author).get(f"/files/{fid}/download")
    assert r.mimetype == "image/png"
    assert r.headers["Content-Disposition"].startswith("inline")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]


def test_anything_but_a_picture_is_a_download(upload, login, author):
    fid = upload(author, "terms.pdf", pdf()).get_json()["files"][0]["id"]
    r = login(author).get(f"/files/{fid}/download")
    assert r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.data.startswith(b"%PDF-")


def test_the_type_comes_from_the_content_not_the_name(upload, login, author):
    info = upload(author, "notes.pdf", b"just some text").get_json()["files"][0]
    assert info["type"] == "text/plain"
    r = login(author).get(info["download_url"])
    assert r.headers["Content-Disposition"].startswith("attachment")


def test_html_renamed_png_is_refused(upload, author):
    r = upload(author, "cat.png", b"<html><script>alert(document.cookie)</script>")
    assert r.status_code == 415
    assert "not really a picture" in r.get_json()["error"]["message"]


def test_a_broken_picture_is_refused(upload, author):
    r = upload(author, "cat.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 50)
    assert r.status_code == 415


def test_svg_is_only_ever_a_download(upload, login, author):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    info = upload(author, "logo.svg", svg).get_json()["files"][0]
    assert info["is_image"] is False and info["thumbnail_url"] is None
    r = login(author).get(info["download_url"])
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r.headers["Content-Security-Policy"]


def test_pictures_are_re_encoded_without_their_metadata(upload, login, author):
    original = jpeg_with_exif()
    assert b"SpyCam" in original and b"GPS" in original
    info = upload(author, "photo.jpg", original).get_json()["files"][0]
    served = login(author).get(info["download_url"]).data
    assert b"SpyCam" not in served and b"GPS" not in served
    image = Image.open(io.BytesIO(served))
    assert image.format == "JPEG" and image.size == (400, 300)
    assert not image.getexif()


@pytest.mark.parametrize(
    ("size", "expected"), [((1600, 800), (320, 160)), ((50, 40), (50, 40))]
)
def test_thumbnails_fit_in_320_pixels(upload, login, author, size, expected):
    info = upload(author, "wide.png", png(size)).get_json()["files"][0]
    r = login(author).get(info["thumbnail_url"])
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert Image.open(io.BytesIO(r.data)).size == expected
    full = login(author).get(info["download_url"])
    assert Image.open(io.BytesIO(full.data)).size == size


def test_a_post_shows_the_thumbnail_linking_to_the_full_picture(
    upload, login, author, thread
):
    info = _post_file(upload, author, thread, "shot.png", png())
    html = login(author).get(thread.url).get_data(as_text=True)
    assert f'href="/files/{info["id"]}/download"' in html
    assert f'src="/files/{info["id"]}/thumbnail"' in html


def test_deleting_a_post_hides_its_files_and_restoring_brings_them_back(
    upload, login, author, reader, moderator, thread
):
    info = upload(author, "a.pdf", pdf()).get_json()["files"][0]
    post = forums.reply(thread, author, info["markdown"])
    db.session.commit()
    path = info["download_url"]
    assert login(reader).get(path).status_code == 200
    forums.delete_post(post, author)
    db.session.commit()
    assert login(reader).get(path).status_code == 404
    # Moderators still see what they may restore.
    assert login(moderator).get(path).status_code == 200
    forums.restore_post(post, moderator)
    db.session.commit()
    assert login(reader).get(path).status_code == 200


def test_known_content_under_a_picture_name_is_still_refused(upload, author):
    assert upload(author, "notes.txt", b"plain words").status_code == 201
    assert upload(author, "notes.png", b"plain words").status_code == 415
