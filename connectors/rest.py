"""Rasa-compatible REST channel: ``POST /webhooks/rest/webhook``.

Request ``{"sender": "...", "message": "..."}``; answer a JSON list of
``{"recipient_id", "text", "buttons"?}``. Used by the web chat page and for testing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.http_body import BodyTooLargeError, parse_json, read_body
from bot.messages import InboundMessage, Reply
from connectors.http import json_error

PLATFORM = "rest"
MAX_BODY = 64 * 1024
MAX_SENDER = 128
Handle = Callable[[InboundMessage], Awaitable[list[Reply]]]


def _reply_json(recipient: str, reply: Reply) -> dict[str, Any]:
    item: dict[str, Any] = {"recipient_id": recipient, "text": reply.text}
    if reply.buttons:
        item["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    return item


async def _webhook(request: web.Request, handle: Handle) -> web.Response:
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
    replies = await handle(InboundMessage(PLATFORM, sender, message))
    return web.json_response([_reply_json(sender, r) for r in replies], dumps=lambda o: json.dumps(o, ensure_ascii=False))


def add_routes(app: web.Application, handle: Handle) -> None:
    """``handle`` answers one message (the dialogue), given when the routes are registered."""

    async def webhook(request: web.Request) -> web.Response:
        return await _webhook(request, handle)

    app.router.add_post("/webhooks/rest/webhook", webhook)
