"""The OpenAPI description is true: schemathesis generates requests for every
operation from ``/api/v1/openapi.json`` and sends them to a running portal.

No request may cause a server error, and every response must match what the
description promises (status, content type, body schema).
"""

import threading

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from portal.accounts import service as accounts_service
from portal.api import service as api_service
from portal.extensions import db
from portal.search import indexing
from portal.wiki import service as wiki
from tests.forums.factories import make_forum, make_reply, make_thread

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 25


@pytest.fixture
def app_config():
    # Index right after commit, inside the request. In the background the
    # indexing thread would write while Hypothesis generates the next example,
    # and Whoosh names its temporary files from the ``random`` module that
    # Hypothesis watches (and reseeds) during generation.
    return {"API_RATE_LIMIT": 1_000_000, "SEARCH_ASYNC": False}


@pytest.fixture
def portal_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def content(make, admin):
    member = make.user("member")
    account = accounts_service.create_account("ACME 中国", "CRM-1")
    db.session.commit()
    forum = make_forum("Questions", kind="questions", slug="questions")
    thread = make_thread(forum, member, "ACME 续约?", accounts=[account])
    make_reply(thread, admin, "Ask the buyer.")
    wiki.create_page("Renewals", "How we renew.", member)
    db.session.commit()
    indexing.rebuild()  # no index is a 503 by design; here the index is built


def _token(user) -> str:
    _token, secret = api_service.create_token(user, "schemathesis")
    db.session.commit()
    return secret


def _exercise(operation, portal_url, token_for) -> None:
    """Send EXAMPLES generated requests to one operation and check each answer."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate(
            base_url=portal_url,
            headers={"Authorization": f"Bearer {token_for(operation)}"},
            checks=CHECKS,
        )

    run()


def _why(error: BaseException) -> str:
    """The error and, for a group (Hypothesis reports a failure that did not
    repeat as one), every error inside it: the first one is the finding."""
    if isinstance(error, BaseExceptionGroup):
        inner = "\n".join(f"  - {_why(e)}" for e in error.exceptions)
        return f"{error}\n{inner}"
    return f"{type(error).__name__}: {error}"


def test_every_operation_keeps_its_description(app, portal_url, admin, content):
    schema = schemathesis.openapi.from_url(f"{portal_url}/api/v1/openapi.json")
    secret = _token(admin)

    def token_for(operation):
        # Revoking spends the token it is sent with: give it its own.
        revoking = operation.method.upper() == "DELETE" and operation.path.endswith(
            "/tokens/current"
        )
        return _token(admin) if revoking else secret

    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            _exercise(operation, portal_url, token_for)
        except Exception as error:  # noqa: BLE001 - collect every operation's failure
            failures.append(
                f"{operation.method.upper()} {operation.path}: {_why(error)}"
            )
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
