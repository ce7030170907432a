"""The editor in a real browser (Chromium): a pasted screenshot and dropped
files are uploaded and inserted; a refused file says why and the text stays."""

import json
import threading

import pytest
from werkzeug.serving import make_server

from portal.extensions import db
from portal.files.models import Attachment
from portal.wiki import service as wiki
from tests.factories import PASSWORD
from tests.files.conftest import pdf, png

# Make a File from bytes and hand it to the editor as a paste or a drop.
GIVE_FILES = """([selector, how, files]) => {
  const dt = new DataTransfer();
  for (const f of files) {
    dt.items.add(new File([new Uint8Array(f.bytes)], f.name, {type: f.type}));
  }
  const target = document.querySelector(selector);
  target.focus();
  const event = how === "paste"
    ? new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})
    : new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true});
  target.dispatchEvent(event);
}"""


@pytest.fixture
def live(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser, live, author):
    username = author.username
    _release()
    context = browser.new_context(base_url=live)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    r = context.request.post(
        "/login",
        form={"username": username, "password": PASSWORD},
        max_redirects=0,
    )
    assert r.status == 302, r.text()[:3000]
    yield tab
    context.close()


def _release():
    """End the test's transaction: outside a request it holds SQLite's write
    lock (BEGIN IMMEDIATE), and the server's threads must write."""
    db.session.rollback()


def _file(name, data, type_):
    return {"name": name, "bytes": list(data), "type": type_}


def test_a_pasted_screenshot_is_inserted_and_shown_after_posting(page, thread):
    url = thread.url
    _release()
    page.goto(url)
    page.fill("#body", "Look at this: ")
    page.evaluate(
        GIVE_FILES,
        ["#body", "paste", [_file("image.png", png((800, 600)), "image/png")]],
    )
    page.wait_for_function(
        "() => document.querySelector('#body').value.includes('/thumbnail)](/files/')"
    )
    body = page.input_value("#body")
    assert body.startswith("Look at this: [![screenshot-")
    page.click("form[action$='/reply'] button[type=submit]:not([name])")
    page.wait_for_selector("img[src$='/thumbnail']")
    # The thumbnails load after the page: wait for them, then they are 320 wide.
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"img[src$='/thumbnail']\")]"
        ".every(i => i.complete && i.naturalWidth === 320)"
    )
    db.session.expire_all()
    assert db.session.scalar(db.select(Attachment.owner_kind)) == "post"


def test_dropped_files_upload_with_progress_and_a_bad_one_says_why(page, author):
    wiki_page = wiki.create_page("ACME brief", "Intro", author)
    db.session.commit()
    url = f"{wiki_page.url}/edit"
    _release()
    page.goto(url)
    page.fill("#body", "Intro, still here.\n")
    page.evaluate(
        GIVE_FILES,
        [
            "#body",
            "drop",
            [
                _file("terms.pdf", pdf(), "application/pdf"),
                _file("cat.png", b"<html>no</html>", "image/png"),
            ],
        ],
    )
    page.wait_for_function(
        "() => document.querySelector('#body').value.includes('[terms.pdf](/files/')"
    )
    page.wait_for_selector(".files-upload-failed")
    error = page.text_content(".files-upload-failed")
    assert "cat.png" in error and "not really a picture" in error
    body = page.input_value("#body")
    assert body.startswith("Intro, still here.\n")
    assert "Uploading" not in body and "cat.png" not in body
    assert json.dumps(body).count("/files/") == 1
