"""Limits are settings: the size of a file, the kinds accepted."""

import io

import pytest


@pytest.fixture
def app_config():
    return {"FILES_MAX_BYTES": 1000, "FILES_ALLOWED_KINDS": ("image", "pdf", "text")}


def test_over_the_size_limit_is_413_with_the_limit_in_words(upload, author):
    r = upload(author, "big.txt", b"x" * 1001)
    assert r.status_code == 413
    assert "at most 1000 B" in r.get_json()["error"]["message"]


def test_the_allowed_types_are_a_setting(upload, author):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "a")
    r = upload(author, "bundle.zip", out.getvalue())
    assert r.status_code == 415
