"""Facebook Messenger: ``GET``/``POST /webhooks/facebook`` and the Send API.

Inbound: the GET handshake echoes ``hub.challenge`` when ``hub.verify_token`` matches;
events carry ``X-Hub-Signature-256: sha256=<HMAC-SHA256(app secret, raw body)>``, checked on
the raw bytes (re-serialising would break Vietnamese) in constant time before parsing.
Every event of every entry is read; echoes are ignored; quick replies, postbacks and
``m.me?ref=`` referrals deliver their payload like a button.

Outbound: ``POST {graph}/me/messages``; choices become quick replies (at most 13, titles at
most 20 characters) on the last message. ``messaging_type`` is ``RESPONSE`` for answers,
``UPDATE`` for notices within 24 hours of the user's last message, and after that
``MESSAGE_TAG`` with ``tag: ACCOUNT_UPDATE`` (a non-promotional change to an application's
status — what every notice of ours is).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web

from bot.config import FacebookSettings
from bot.http_body import as_bytes
from bot.messages import Reply, split_reply
from connectors.base import (
    NOTICE,
    PAYLOAD,
    TEXT,
    UNSUPPORTED,
    Accept,
    BadRequestError,
    InboundEvent,
    OutsideWindowError,
    RetryLaterError,
    Template,
    TokenExpiredError,
    UnreachableError,
)
from connectors.http import json_error, receive

PLATFORM = "facebook"
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_QUICK_REPLIES = 13
MAX_TITLE = 20
MAX_BODY = 5 * 1024 * 1024  # a batch may hold up to 1,000 events
WINDOW = timedelta(hours=24)


def signature(raw: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()


def verify(raw: bytes, header: str | None, app_secret: str) -> str | None:
    """``None`` when the body is signed with the app secret, else the reason to refuse it."""
    if not header:
        return f"missing {SIGNATURE_HEADER}"
    if not hmac.compare_digest(as_bytes(header.strip().lower()), signature(raw, app_secret).encode()):
        return f"wrong {SIGNATURE_HEADER}"
    return None


def _event(item: Any) -> InboundEvent | None:
    if not isinstance(item, dict) or not isinstance(item.get("sender"), dict) or not item["sender"].get("id"):
        return None
    user, stamp = str(item["sender"]["id"]), str(item.get("timestamp", ""))
    message, postback, referral = item.get("message"), item.get("postback"), item.get("referral")
    if isinstance(message, dict):
        if message.get("is_echo") or not message.get("mid"):
            return None
        mid = str(message["mid"])
        quick = message.get("quick_reply")
        if isinstance(quick, dict) and quick.get("payload"):
            return InboundEvent(PLATFORM, mid, user, PAYLOAD, str(quick["payload"]))
        if isinstance(message.get("text"), str):
            return InboundEvent(PLATFORM, mid, user, TEXT, message["text"])
        return InboundEvent(PLATFORM, mid, user, UNSUPPORTED)
    if isinstance(postback, dict) and postback.get("payload"):
        mid = str(postback.get("mid") or f"postback:{user}:{stamp}")
        return InboundEvent(PLATFORM, mid, user, PAYLOAD, str(postback["payload"]))
    if isinstance(referral, dict) and referral.get("ref"):
        return InboundEvent(PLATFORM, f"referral:{user}:{stamp}", user, PAYLOAD, str(referral["ref"]))
    return None  # deliveries, reads, reactions…


def parse(body: Any) -> list[InboundEvent]:
    """Every message, quick reply, postback and referral of every entry, in order."""
    if not isinstance(body, dict) or body.get("object") != "page" or not isinstance(body.get("entry"), list):
        return []
    events = []
    for entry in body["entry"]:
        items = entry.get("messaging") if isinstance(entry, dict) else None
        for item in items if isinstance(items, list) else []:
            event = _event(item)
            if event is not None:
                events.append(event)
    return events


class GraphClient:
    window = WINDOW

    def __init__(self, http: aiohttp.ClientSession, graph_base: str, page_access_token: str) -> None:
        self._http = http
        self._url = f"{graph_base.rstrip('/')}/me/messages"
        self._token = page_access_token

    def parts(self, replies: list[Reply]) -> list[Reply]:
        parts = [part for reply in replies for part in split_reply(reply)]
        # Quick replies only on the last message: they vanish once another message arrives.
        return [part if i == len(parts) - 1 else Reply(part.text) for i, part in enumerate(parts)]

    async def send_part(self, user_id: str, part: Reply, purpose: str, outside_window: bool = False) -> None:
        message: dict[str, Any] = {"text": part.text}
        if part.buttons:
            message["quick_replies"] = [
                {"content_type": "text", "title": b.title[:MAX_TITLE], "payload": b.payload} for b in part.buttons[:MAX_QUICK_REPLIES]
            ]
        body: dict[str, Any] = {"messaging_type": "RESPONSE", "recipient": {"id": user_id}, "message": message}
        if purpose == NOTICE:
            body["messaging_type"] = "MESSAGE_TAG" if outside_window else "UPDATE"
            if outside_window:
                body["tag"] = "ACCOUNT_UPDATE"
        await self._post(body)

    def can_tag(self) -> bool:
        return True

    def has_template(self, kind: str) -> bool:
        return False  # utility templates: open beta in Vietnam, send body unconfirmed; the tag covers notices

    async def send_template(self, user_id: str, template: Template) -> str:
        raise OutsideWindowError("messenger templates are not configured")

    async def _post(self, body: dict[str, Any]) -> None:
        try:
            async with self._http.post(self._url, params={"access_token": self._token}, json=body) as resp:
                if resp.status == 200:
                    return
                if resp.status >= 500:
                    raise RetryLaterError(f"graph http {resp.status}")
                answer = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLaterError(f"graph unreachable ({type(exc).__name__})") from exc
        except ValueError as exc:
            raise RetryLaterError("graph answered something that is not JSON") from exc
        error = answer.get("error", {}) if isinstance(answer, dict) else {}
        code, subcode = error.get("code"), error.get("error_subcode")
        reason = f"graph error {code}/{subcode}"
        if code in {2, 4, 613} or resp.status == 429:
            raise RetryLaterError(reason)
        if code == 10 and subcode == 2018278:
            raise OutsideWindowError(reason)
        if code == 551:
            raise UnreachableError(reason)
        if code == 190:
            raise TokenExpiredError(reason)
        raise BadRequestError(reason)


def add_routes(app: web.Application, facebook: FacebookSettings | None, accept: Accept) -> None:
    async def handshake(request: web.Request) -> web.Response:
        """Meta's subscription check: echo the challenge when the verify token matches."""
        if facebook is None:
            return json_error(404, "facebook is not configured")
        query = request.query
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(as_bytes(token), facebook.verify_token.encode()):
            return json_error(403, "verify token mismatch")
        return web.Response(text=query.get("hub.challenge", ""))

    async def webhook(request: web.Request) -> web.Response:
        """Verify, store every event of the batch, then answer 200 (the worker replies)."""
        if facebook is None:
            return json_error(404, "facebook is not configured")
        header = request.headers.get(SIGNATURE_HEADER)
        return await receive(request, MAX_BODY, lambda raw: verify(raw, header, facebook.app_secret), parse, accept)

    app.router.add_get("/webhooks/facebook", handshake)
    app.router.add_post("/webhooks/facebook", webhook)
