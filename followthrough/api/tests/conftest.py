"""API test helpers: a test Client per user carrying a real bearer token, and frozen time."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from followthrough.accounts.models import User
from followthrough.accounts.services import api_token_create
from followthrough.conftest import NOW


class ApiClient:
    """The Django test client speaking JSON with one user's bearer token."""

    def __init__(self, raw_token: str) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {raw_token}"})

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/v1{path}", body or {}, content_type="application/json")

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(f"/api/v1{path}", body, content_type="application/json")


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api_as() -> Callable[[User], ApiClient]:
    def make(user: User) -> ApiClient:
        _, raw = api_token_create(user=user, name="tests")
        return ApiClient(raw)

    return make


@pytest.fixture
def alice_api(api_as: Callable[[User], ApiClient], alice: User) -> ApiClient:
    return api_as(alice)


@pytest.fixture
def charlie_api(api_as: Callable[[User], ApiClient], charlie: User) -> ApiClient:
    return api_as(charlie)


def error_locs(response: Any) -> list[list[str]]:
    assert response.status_code == 422, response.content
    return [item["loc"] for item in response.json()["detail"]]


def error_for(response: Any, *loc: str) -> str:
    """The message the API gave for the field at `loc` (fails when no error names it)."""
    for item in response.json()["detail"]:
        if tuple(item["loc"]) == loc:
            return str(item["msg"])
    raise AssertionError(f"no error at {loc}: {response.json()}")
