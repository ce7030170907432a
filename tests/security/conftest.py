"""Fixtures for the security tests: the token API client of tests/api."""

from tests.api.conftest import api  # noqa: F401 (a fixture, used by name)
