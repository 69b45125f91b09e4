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
    accepted: bool = False  # the platform took it (a message reached the user)


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
    """``POST /v3.0/oa/message/cs`` and ``/v3.0/oa/message/template`` (errors as HTTP 200 with a
    non-zero ``error``), the business API's ``POST /message/template`` (by phone, deduplicated
    by ``tracking_id`` as Zalo does), and the OAuth ``POST /v4/oa/access_token``: one valid
    access token, single-use refresh tokens.

    Users can be put ``outside_window`` (-230 on cs), ``blocked`` (-217) or ``not_following``
    (-213), as the real OA answers."""

    def __init__(self, access_token: str = "zalo-token", refresh_token: str = "refresh") -> None:
        super().__init__()
        self.access_token: str | None = access_token
        self.refresh_tokens = {refresh_token}
        self.oauth: list[Recorded] = []
        self.oauth_failures: list[Any] = []
        self.outside_window: set[str] = set()
        self.blocked: set[str] = set()
        self.not_following: set[str] = set()
        self.tracking_ids: set[str] = set()
        self.repeated_tracking_ids: list[str] = []  # ZNS sends dropped because their tracking id was seen

    def expire(self) -> None:
        self.access_token = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._cs)
        app.router.add_post("/v3.0/oa/message/template", self._template)
        app.router.add_post("/message/template", self._zns)
        app.router.add_post("/v4/oa/access_token", self._token)
        return app

    def delivered(self, user_id: str | None = None) -> list[Recorded]:
        """Requests that reached a user (accepted, not refused), optionally of one user."""
        return [r for r in self.requests if r.accepted and (user_id is None or _zalo_user(r.body) == user_id)]

    def _refusal(self, request: web.Request, user: str, window: bool) -> web.Response | None:
        if request.headers.get("access_token") != self.access_token:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        if user in self.blocked:
            return web.json_response({"error": -217, "message": "User has blocked the OA"})
        if user in self.not_following:
            return web.json_response({"error": -213, "message": "User has not followed the OA"})
        if window and user in self.outside_window:
            return web.json_response({"error": -230, "message": "User has not interacted with the OA in the last 7 days"})
        return None

    def _ok(self) -> web.Response:
        self.requests[-1].accepted = True
        return web.json_response({"error": 0, "message": "Success", "data": {"message_id": f"m{len(self.requests)}"}})

    async def _template(self, request: web.Request) -> web.Response:
        scripted = await self._record(request)
        if scripted is not None:
            return web.json_response(scripted[1], status=scripted[0])
        body = self.requests[-1].body
        if not isinstance(body, dict) or not body.get("template_id") or not isinstance(body.get("template_data"), dict):
            return web.json_response({"error": -201, "message": "Parameters are invalid"})
        return self._refusal(request, str(body.get("user_id")), window=False) or self._ok()

    async def _zns(self, request: web.Request) -> web.Response:
        scripted = await self._record(request)
        if scripted is not None:
            return web.json_response(scripted[1], status=scripted[0])
        body = self.requests[-1].body
        if not isinstance(body, dict) or not str(body.get("phone", "")).startswith("84") or not body.get("template_id"):
            return web.json_response({"error": -201, "message": "Parameters are invalid"})
        if request.headers.get("access_token") != self.access_token:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        tracking = str(body.get("tracking_id", ""))
        if tracking and tracking in self.tracking_ids:  # Zalo drops a repeated tracking id
            self.repeated_tracking_ids.append(tracking)
            return web.json_response({"error": 0, "message": "Success (duplicate tracking_id ignored)", "data": {}})
        self.tracking_ids.add(tracking)
        return self._ok()

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
        body = self.requests[-1].body
        return self._refusal(request, _zalo_user(body), window=True) or self._ok()


def _zalo_user(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    recipient = body.get("recipient")
    return str(recipient.get("user_id", "")) if isinstance(recipient, dict) else str(body.get("user_id", ""))


class FakeGraph(FakePlatform):
    """``POST /me/messages?access_token=…``: errors as HTTP 4xx with ``{"error": {code, error_subcode}}``.

    Users ``outside_window`` get 10/2018278 unless the message is tagged ``ACCOUNT_UPDATE``;
    ``unavailable`` users get 551; a ``dead_token`` gives 190."""

    def __init__(self) -> None:
        super().__init__()
        self.outside_window: set[str] = set()
        self.unavailable: set[str] = set()
        self.dead_token = False

    def delivered(self, user_id: str | None = None) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.accepted and (user_id is None or (isinstance(r.body, dict) and r.body["recipient"]["id"] == user_id))
        ]

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/me/messages", self._messages)
        return app

    async def _messages(self, request: web.Request) -> web.Response:
        scripted = await self._record(request)
        if scripted is not None:
            status, body = scripted
            return web.json_response(body, status=status)
        if not request.query.get("access_token") or self.dead_token:
            return web.json_response({"error": {"code": 190, "message": "Invalid OAuth access token"}}, status=400)
        body = self.requests[-1].body
        user = str(body.get("recipient", {}).get("id", "")) if isinstance(body, dict) else ""
        if user in self.unavailable:
            return web.json_response({"error": {"code": 551, "message": "This person isn't available right now"}}, status=400)
        tagged = isinstance(body, dict) and body.get("messaging_type") == "MESSAGE_TAG" and body.get("tag") == "ACCOUNT_UPDATE"
        if user in self.outside_window and not tagged:
            error = {"code": 10, "error_subcode": 2018278, "message": "outside of allowed window"}
            return web.json_response({"error": error}, status=400)
        self.requests[-1].accepted = True
        return web.json_response({"recipient_id": user, "message_id": f"mid.{len(self.requests)}"})
