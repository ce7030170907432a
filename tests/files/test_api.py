"""The files API: upload, metadata, the library; same permissions as the web."""

import io

import pytest

from portal.extensions import db
from portal.forums import service as forums
from tests.files.conftest import pdf, png


def _post(client, name, data, attach_to):
    return client.post(
        "/files",
        data={"file": (io.BytesIO(data), name), "attach_to": attach_to},
        content_type="multipart/form-data",
    )


def test_upload_to_an_account_returns_id_type_size_and_urls(api, author, account):
    r = _post(api(author), "contract.pdf", pdf(), f"account:{account.id}")
    assert r.status_code == 201
    body = r.get_json()
    assert body["type"] == "application/pdf" and body["size"] > 0
    assert body["download_url"] == f"/files/{body['id']}/download"
    assert body["attached_to"] == f"account:{account.id}"


def test_metadata_and_library_obey_the_web_permissions(
    api, insider, outsider, secret_thread, account
):
    post = forums.reply(secret_thread, insider, "Here")
    db.session.commit()
    r = _post(api(insider), "salaries.png", png(), f"post:{post.id}")
    fid = r.get_json()["id"]
    assert api(insider).get(f"/files/{fid}").status_code == 200
    assert api(outsider).get(f"/files/{fid}").status_code == 404
    assert api(outsider).get(f"/accounts/{account.id}/files").get_json()["total"] == 0
    library = api(insider).get(f"/accounts/{account.id}/files?kind=image").get_json()
    assert [f["id"] for f in library["items"]] == [fid]


@pytest.mark.parametrize(
    ("attach_to", "status"),
    [("draft", 400), ("nonsense", 400), ("post:999", 404), ("account:999", 404)],
)
def test_upload_needs_an_existing_target(api, author, attach_to, status):
    assert _post(api(author), "a.txt", b"x", attach_to).status_code == status


def test_a_bad_file_is_a_json_error(api, author, account):
    r = _post(api(author), "a.png", b"<html></html>", f"account:{account.id}")
    assert r.status_code == 415
    assert r.get_json()["error"]["code"] == "unsupported_type"


def test_the_files_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert (
        "multipart/form-data"
        in paths["/api/v1/files"]["post"]["requestBody"]["content"]
    )
    assert "get" in paths["/api/v1/accounts/{account_id}/files"]
