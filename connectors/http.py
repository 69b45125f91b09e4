"""HTTP helpers shared by the webhooks: JSON errors, and accepting verified events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.http_body import BodyTooLargeError, parse_json, read_body
from connectors.base import Accept, InboundEvent


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def receive(
    request: web.Request,
    limit: int,
    verify: Callable[[bytes], str | None],
    parse: Callable[[Any], list[InboundEvent]],
    accept: Accept,
) -> web.Response:
    """A webhook's common path: the body (with a limit), its signature, then every event stored
    before the 200 (401 when the signature fails, 413 too large, 400 not JSON)."""
    try:
        raw = await read_body(request, limit)
    except BodyTooLargeError as exc:
        return json_error(413, str(exc))
    refused = verify(raw)
    if refused:
        return json_error(401, refused)
    try:
        body = parse_json(raw)
    except ValueError:
        return json_error(400, "body must be JSON")
    await accept(parse(body))
    return web.json_response({"status": "ok"})
