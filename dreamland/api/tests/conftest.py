"""API test helpers: a bearer token per persona and a JSON client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient

from dreamland.accounts.models import User
from dreamland.api.services import api_token_create


class Api:
    """Thin JSON client for one user (or anonymous)."""

    def __init__(self, token: str | None) -> None:
        self.http = HttpClient()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _send(self, method: str, path: str, body: Any = None, raw: str | None = None) -> Any:
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs: dict[str, Any] = {"headers": self.headers}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(self.http, method)(f"/api/v1{path}", **kwargs)

    def get(self, path: str) -> Any:
        return self._send("get", path)

    def post(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        return self._send("post", path, body, raw)

    def patch(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        return self._send("patch", path, body, raw)

    def delete(self, path: str) -> Any:
        return self._send("delete", path)


@pytest.fixture
def api_as() -> Callable[[User | None], Api]:
    def make(user: User | None) -> Api:
        return Api(api_token_create(user=user)[1] if user is not None else None)

    return make
