"""Rasa-compatible REST channel: ``POST /webhooks/rest/webhook``.

Request ``{"sender": "...", "message": "..."}``; answer a JSON list of
``{"recipient_id", "text", "buttons"?}``. Used by the web chat page and for testing.

Here the caller chooses the sender id, so it proves nothing: the web chat page gets its id
from the server instead (a signed, HttpOnly cookie set with the page, which outranks the
body's ``sender``), and every message carries the client's address (``X-Forwarded-For`` is
believed only from the configured proxies) for the lookup limits to count.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

from bot.http_body import BodyTooLargeError, as_bytes, parse_json, read_body
from bot.messages import InboundMessage, Reply
from connectors.http import json_error

PLATFORM = "rest"
MAX_BODY = 64 * 1024
MAX_SENDER = 128
Handle = Callable[[InboundMessage], Awaitable[list[Reply]]]


COOKIE = "motcua_chat"


class ChatIds:
    """Sender ids for the web chat, issued by the server in a signed cookie."""

    def __init__(self, secret: str) -> None:
        # Without a configured secret each process signs with its own: ids then last until
        # the next restart (or, behind several processes, a conversation may restart).
        self._key = (secret or secrets.token_hex(32)).encode()

    def _mac(self, chat_id: str) -> str:
        return hmac.new(self._key, as_bytes(chat_id), hashlib.sha256).hexdigest()[:32]  # a cookie may hold anything

    def issue(self) -> str:
        chat_id = secrets.token_urlsafe(18)
        return f"{chat_id}.{self._mac(chat_id)}"

    def read(self, cookie: str | None) -> str | None:
        """The id in a genuine cookie, else ``None``."""
        chat_id, _, mac = (cookie or "").partition(".")
        if not chat_id or not mac.isascii() or not hmac.compare_digest(mac.encode(), self._mac(chat_id).encode()):
            return None
        return chat_id


def client_address(request: web.Request, trusted: Iterable[str]) -> str | None:
    """The caller's address: the peer's, or — when the peer is a trusted proxy — the last
    address in ``X-Forwarded-For`` that is not one of ours (earlier ones are the caller's to forge)."""
    proxies = set(trusted)
    address = request.remote
    if address not in proxies:
        return address
    for raw in reversed(request.headers.get("X-Forwarded-For", "").split(",")):
        hop = raw.strip()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # garbage: keep the proxy's own address
        if hop not in proxies:
            return hop
    return address


def _reply_json(recipient: str, reply: Reply) -> dict[str, Any]:
    item: dict[str, Any] = {"recipient_id": recipient, "text": reply.text}
    if reply.buttons:
        item["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    return item


async def _webhook(request: web.Request, handle: Handle, ids: ChatIds, trusted: frozenset[str]) -> web.Response:
    if request.content_type != "application/json":  # a form post from another site is not a message
        return json_error(415, "Content-Type must be application/json")
    try:
        raw = await read_body(request, MAX_BODY)
    except BodyTooLargeError as exc:
        return json_error(413, str(exc))
    try:
        body = parse_json(raw)
    except ValueError as exc:
        return json_error(400, f"body must be UTF-8 JSON: {exc}")
    if not isinstance(body, dict):
        return json_error(400, "body must be a JSON object")
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER:
        return json_error(400, f"'sender' must be a non-empty string of at most {MAX_SENDER} characters")
    if not isinstance(message, str):
        return json_error(400, "'message' must be a string")
    chat_id = ids.read(request.cookies.get(COOKIE))
    user_id = f"web-{chat_id}" if chat_id else sender  # the page's own id cannot be chosen by it
    replies = await handle(InboundMessage(PLATFORM, user_id, message, client_address(request, trusted)))
    return web.json_response([_reply_json(sender, r) for r in replies], dumps=lambda o: json.dumps(o, ensure_ascii=False))


def add_routes(app: web.Application, handle: Handle, ids: ChatIds, trusted: frozenset[str] = frozenset()) -> None:
    """``handle`` answers one message (the dialogue), given when the routes are registered."""

    async def webhook(request: web.Request) -> web.Response:
        return await _webhook(request, handle, ids, trusted)

    app.router.add_post("/webhooks/rest/webhook", webhook)
