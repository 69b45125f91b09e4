"""HTTP helpers shared by the webhooks: JSON errors, and accepting verified events."""

from __future__ import annotations

from aiohttp import web

from bot.inbox import store
from bot.runtime import Runtime
from connectors.base import InboundEvent


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def accept(runtime: Runtime, events: list[InboundEvent]) -> None:
    """Store the events (committed before the webhook answers 200), then wake the worker."""
    async with runtime.sessions() as session, session.begin():
        await store(session, events, runtime.clock())
    runtime.worker.wake()
