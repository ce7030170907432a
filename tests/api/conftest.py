import pytest

from portal.api import service
from portal.extensions import db


class ApiClient:
    """A test client that sends a bearer token with every request."""

    def __init__(self, client, secret):
        self.client, self.secret = client, secret

    def open(self, method, path, **kw):
        headers = {"Authorization": f"Bearer {self.secret}", **kw.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kw)

    def get(self, path, **kw):
        return self.open("GET", path, **kw)

    def post(self, path, **kw):
        return self.open("POST", path, **kw)

    def put(self, path, **kw):
        return self.open("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.open("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.open("DELETE", path, **kw)


@pytest.fixture
def api(app):
    """``api(user)`` returns a client authenticated with a new token of ``user``."""

    def _api(user):
        _token, secret = service.create_token(user, "tests")
        db.session.commit()
        return ApiClient(app.test_client(), secret)

    return _api
