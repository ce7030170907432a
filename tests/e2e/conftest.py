"""End-to-end fixtures: the portal served on a free port, and headless Chromium.

Chromium is Debian's (``.ci/run`` installs it); Playwright drives it with
``executable_path`` since it cannot download its own browser here. A failing
test leaves a screenshot of every open page in ``tests/e2e/artifacts/``.
"""

import contextlib
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal.extensions import db
from tests.factories import PASSWORD

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture
def app_config():
    # Real forms in a real browser: CSRF on, as in production.
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def server(app):
    """The test's app, served on 127.0.0.1 in a thread; yields its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture
def person(request, browser, server):
    """``person(user)`` opens a browser context logged in as ``user`` and
    returns its page; every page is screenshotted if the test fails."""
    contexts = []

    def _open(user):
        name = user.username
        # End the test's own transaction: on SQLite it holds the write lock
        # that the served requests need. Tests read what they need first.
        db.session.commit()
        context = browser.new_context(base_url=server, locale="en-US")
        context.set_default_timeout(10_000)
        contexts.append((name, context))
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", name)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    yield _open
    failed = getattr(request.node, "e2e_failed", False)
    for name, context in contexts:
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for n, page in enumerate(context.pages):
                # A missing picture must not hide the failure itself.
                with contextlib.suppress(Exception):
                    page.screenshot(
                        path=str(ARTIFACTS / f"{request.node.name}-{name}-{n}.png")
                    )
        context.close()
