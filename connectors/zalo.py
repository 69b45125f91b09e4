"""Zalo Official Account: ``POST /webhooks/zalo`` and consultation messages (a small client).

Inbound: ``X-ZEvent-Signature: [mac=]<hex>`` with ``hex = sha256(app_id + raw body +
timestamp + OA secret key)`` — a plain SHA-256, not an HMAC; ``timestamp`` is the one in the
body (milliseconds, a string). Checked on the raw bytes, in constant time, before anything
in the body is used; stale timestamps (over 5 minutes) are refused. Some integrations sign
with the OA id instead of the app id: both are accepted (the secret key is what matters).

Outbound: ``POST {api}/v3.0/oa/message/cs`` with the ``access_token`` header; errors come as
HTTP 200 with a non-zero ``error`` and are mapped to :mod:`connectors.base`. Zalo shows no
buttons in consultation messages: choices go out as numbered lines, answered with a digit.
Consultation messages are allowed for 7 days after the user's last interaction; after that a
notice needs an approved template (``ZALO_TEMPLATE_<KIND>``): by phone through the business
API (former ZNS, with ``tracking_id`` so that Zalo drops a repeated send) when the dossier has
a phone, else by user id.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web

from bot.config import ZaloSettings
from bot.http_body import as_bytes, parse_json
from bot.messages import Reply, split_reply
from connectors.base import (
    FOLLOW,
    TEXT,
    UNFOLLOW,
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
from connectors.zalo_tokens import ZaloTokens

PLATFORM = "zalo"
SIGNATURE_HEADER = "X-ZEvent-Signature"
MAX_AGE_MS = 5 * 60 * 1000
MAX_BODY = 1024 * 1024
_UNSUPPORTED = {"user_send_image", "user_send_sticker", "user_send_gif", "user_send_file", "user_send_audio", "user_send_video"}
_UNSUPPORTED |= {"user_send_location", "user_send_link", "user_send_business_card"}
WINDOW = timedelta(days=7)
_RETRY = {-32, -234, -133}  # rate limit; quiet hours (22:00–06:00: -234 OA, -133 ZNS)
_TOKEN = {-216, -220}
_WINDOW = {-230, -232}
_UNREACHABLE = {-213, -217, -227, -244}


def signature(raw: bytes, signer_id: str, timestamp: str, oa_secret_key: str) -> str:
    return hashlib.sha256(signer_id.encode() + raw + timestamp.encode() + oa_secret_key.encode()).hexdigest()


def verify(raw: bytes, header: str | None, app_id: str, oa_secret_key: str, now_ms: int) -> str | None:
    """``None`` when the event is genuine and fresh, else the reason to refuse it."""
    if not header:
        return f"missing {SIGNATURE_HEADER}"
    given = as_bytes(header.strip().removeprefix("mac=").lower())
    try:
        body = parse_json(raw)
        timestamp = str(body["timestamp"])
        signers = {app_id, str(body.get("oa_id") or body.get("recipient", {}).get("id") or app_id)}
        age = abs(now_ms - int(timestamp))
    except (ValueError, TypeError, KeyError, AttributeError):
        return "the body has no timestamp to check the signature with"
    genuine = False
    for signer in signers:
        genuine |= hmac.compare_digest(given, signature(raw, signer, timestamp, oa_secret_key).encode())
    if not genuine:
        return f"wrong {SIGNATURE_HEADER}"
    if age > MAX_AGE_MS:
        return "stale event (timestamp more than 5 minutes away)"
    return None


def parse(body: Any) -> list[InboundEvent]:
    """The events the dialogue must see; the OA's own events and receipts are ignored."""
    if not isinstance(body, dict):
        return []
    name = body.get("event_name")
    if not isinstance(name, str):
        return []
    timestamp = str(body.get("timestamp", ""))
    if name == "user_send_text":
        message, sender = body.get("message") or {}, body.get("sender") or {}
        if isinstance(message, dict) and isinstance(sender, dict) and message.get("msg_id") and sender.get("id"):
            return [InboundEvent(PLATFORM, str(message["msg_id"]), str(sender["id"]), TEXT, str(message.get("text") or ""))]
    elif name in _UNSUPPORTED:
        message, sender = body.get("message") or {}, body.get("sender") or {}
        if isinstance(message, dict) and isinstance(sender, dict) and message.get("msg_id") and sender.get("id"):
            return [InboundEvent(PLATFORM, str(message["msg_id"]), str(sender["id"]), UNSUPPORTED)]
    elif name in {"follow", "unfollow"}:
        follower = body.get("follower") or {}
        if isinstance(follower, dict) and follower.get("id"):
            user = str(follower["id"])
            return [InboundEvent(PLATFORM, f"{name}:{user}:{timestamp}", user, FOLLOW if name == "follow" else UNFOLLOW)]
    elif name == "user_click_chatnow" and body.get("user_id"):
        user = str(body["user_id"])
        return [InboundEvent(PLATFORM, f"chatnow:{user}:{timestamp}", user, FOLLOW)]
    return []  # oa_send_*, user_received_message, user_seen_message, anything new


def numbered(reply: Reply) -> Reply:
    """Buttons as numbered lines ("1. Lệ phí"): the citizen answers with the digit."""
    if not reply.buttons:
        return reply
    lines = "\n".join(f"{i}. {b.title}" for i, b in enumerate(reply.buttons, 1))
    return Reply(f"{reply.text}\n\n{lines}")


class ZaloClient:
    window = WINDOW

    def __init__(
        self,
        http: aiohttp.ClientSession,
        api_base: str,
        tokens: ZaloTokens,
        business_api_base: str = "https://business.openapi.zalo.me",
        templates: Mapping[str, str] | None = None,
    ) -> None:
        self._http = http
        self._cs_url = f"{api_base.rstrip('/')}/v3.0/oa/message/cs"
        self._template_url = f"{api_base.rstrip('/')}/v3.0/oa/message/template"
        self._zns_url = f"{business_api_base.rstrip('/')}/message/template"
        self._tokens = tokens
        self._templates = dict(templates or {})

    def parts(self, replies: list[Reply]) -> list[Reply]:
        return [part for reply in replies for part in split_reply(numbered(reply))]

    async def send_part(self, user_id: str, part: Reply, purpose: str, outside_window: bool = False) -> None:
        await self._call(self._cs_url, {"recipient": {"user_id": user_id}, "message": {"text": part.text}})

    def can_tag(self) -> bool:
        return False

    def has_template(self, kind: str) -> bool:
        return kind in self._templates

    async def send_template(self, user_id: str, template: Template) -> str:
        template_id = self._templates.get(template.kind)
        if template_id is None:
            raise OutsideWindowError(f"no zalo template for {template.kind}")
        data = dict(template.data)
        if template.phone:
            body = {"phone": "84" + template.phone.removeprefix("0"), "template_id": template_id, "template_data": data}
            await self._call(self._zns_url, {**body, "tracking_id": template.tracking_id[:48]})
            return "zns"
        await self._call(self._template_url, {"user_id": user_id, "template_id": template_id, "template_data": data})
        return "template"

    async def _call(self, url: str, body: dict[str, Any]) -> None:
        """One request; an expired token is refreshed once and the request sent again."""
        token = await self._tokens.access_token()
        try:
            await self._post(url, body, token)
        except TokenExpiredError:
            await self._post(url, body, await self._tokens.refresh(token))

    async def _post(self, url: str, body: dict[str, Any], token: str) -> None:
        try:
            async with self._http.post(url, json=body, headers={"access_token": token}) as resp:
                if resp.status == 429 or resp.status >= 500:
                    raise RetryLaterError(f"zalo http {resp.status}")
                answer = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLaterError(f"zalo unreachable ({type(exc).__name__})") from exc
        except ValueError as exc:
            raise RetryLaterError("zalo answered something that is not JSON") from exc
        code = answer.get("error", 0) if isinstance(answer, dict) else None
        if code == 0:
            return
        reason = f"zalo error {code}"
        if code in _RETRY:
            raise RetryLaterError(reason)
        if code in _TOKEN:
            raise TokenExpiredError(reason)
        if code in _WINDOW:
            raise OutsideWindowError(reason)
        if code in _UNREACHABLE:
            raise UnreachableError(reason)
        raise BadRequestError(reason)


def add_routes(app: web.Application, zalo: ZaloSettings | None, clock: Callable[[], datetime], accept: Accept) -> None:
    async def webhook(request: web.Request) -> web.Response:
        """Verify, store every event, then answer 200 (the worker replies)."""
        if zalo is None:
            return json_error(404, "zalo is not configured")
        header, now_ms = request.headers.get(SIGNATURE_HEADER), int(clock().timestamp() * 1000)
        return await receive(request, MAX_BODY, lambda raw: verify(raw, header, zalo.app_id, zalo.oa_secret_key, now_ms), parse, accept)

    app.router.add_post("/webhooks/zalo", webhook)
