"""Fake Zalo OpenAPI and Graph API servers: real aiohttp applications on 127.0.0.1.

They record every request (path, headers, JSON body) and answer like the platforms,
including scripted failures: push a response onto ``failures`` and the next request gets
it (an HTTP status with a body), before the normal success resumes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    body: Any


@dataclass
class FakePlatform:
    requests: list[Recorded] = field(default_factory=list)
    failures: list[tuple[int, Any]] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [r.body["message"]["text"] for r in self.requests if isinstance(r.body, dict) and "message" in r.body]

    async def _record(self, request: web.Request) -> tuple[int, Any] | None:
        try:
            body = await request.json()
        except ValueError:
            body = None
        self.requests.append(Recorded(request.path, dict(request.headers), dict(request.query), body))
        return self.failures.pop(0) if self.failures else None


class FakeZalo(FakePlatform):
    """``POST /v3.0/oa/message/cs`` (errors as HTTP 200 with a non-zero ``error``) and the
    OAuth ``POST /v4/oa/access_token``: one valid access token, single-use refresh tokens."""

    def __init__(self, access_token: str = "zalo-token", refresh_token: str = "refresh") -> None:
        super().__init__()
        self.access_token: str | None = access_token
        self.refresh_tokens = {refresh_token}
        self.oauth: list[Recorded] = []
        self.oauth_failures: list[Any] = []

    def expire(self) -> None:
        self.access_token = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._cs)
        app.router.add_post("/v4/oa/access_token", self._token)
        return app

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.oauth.append(Recorded(request.path, dict(request.headers), dict(request.query), form))
        await asyncio.sleep(0.05)  # slow enough for concurrent callers to overlap
        if self.oauth_failures:
            return web.json_response(self.oauth_failures.pop(0))
        if form.get("refresh_token") not in self.refresh_tokens or request.headers.get("secret_key") != "app-secret":
            return web.json_response({"error": -14014, "message": "Invalid refresh token"})
        self.refresh_tokens.discard(str(form["refresh_token"]))  # single use
        number = len(self.oauth)
        self.access_token = f"access-{number}"
        self.refresh_tokens.add(f"refresh-{number}")
        return web.json_response({"access_token": self.access_token, "refresh_token": f"refresh-{number}", "expires_in": "90000"})

    async def _cs(self, request: web.Request) -> web.Response:
        scripted = await self._record(request)
        if scripted is not None:
            status, body = scripted
            return web.json_response(body, status=status)
        if request.headers.get("access_token") != self.access_token:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        return web.json_response({"error": 0, "message": "Success", "data": {"message_id": f"m{len(self.requests)}"}})


class FakeGraph(FakePlatform):
    """``POST /me/messages?access_token=…``: errors as HTTP 4xx with ``{"error": {code, error_subcode}}``."""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/me/messages", self._messages)
        return app

    async def _messages(self, request: web.Request) -> web.Response:
        scripted = await self._record(request)
        if scripted is not None:
            status, body = scripted
            return web.json_response(body, status=status)
        if not request.query.get("access_token"):
            return web.json_response({"error": {"code": 190, "message": "Invalid OAuth access token"}}, status=400)
        return web.json_response({"recipient_id": "r", "message_id": f"mid.{len(self.requests)}"})
