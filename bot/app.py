"""The aiohttp application: routes, error handling, and the runtime's life cycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.db import ping
from bot.demo import demo_present
from bot.dialogue.turn import Clock, utc_now
from bot.dossiers import api as dossier_api
from bot.messages import InboundMessage, Reply
from bot.nlu_mode import nlu_report
from bot.notify.jobs import Jobs
from bot.runtime import RUNTIME, open_runtime
from bot.staff import web as staff_web
from bot.web import metrics_page, report, sheets
from bot.web.headers import security_headers
from connectors import facebook, rest, zalo
from connectors.base import InboundEvent
from connectors.http import json_error
from nlu.status import read_status

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "web" / "static"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """API errors as JSON; an unexpected exception is logged and answered 500, never a crash."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or not _is_api(request):
            raise
        return json_error(exc.status, exc.reason)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return json_error(500, "internal error")


def _is_api(request: web.Request) -> bool:
    return request.path.startswith(("/webhooks/", "/api/", "/healthz", "/metrics"))


def _index(ids: rest.ChatIds) -> Handler:
    async def index(request: web.Request) -> web.StreamResponse:
        """The chat page, with the server's sender id for it (a signed, HttpOnly cookie)."""
        response = web.FileResponse(STATIC / "index.html")
        if ids.read(request.cookies.get(rest.COOKIE)) is None:
            response.set_cookie(rest.COOKIE, ids.issue(), httponly=True, samesite="Strict", secure=request.secure, max_age=90 * 24 * 3600)
        return response

    return index


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    database = await ping(runtime.engine)
    nlu = await runtime.nlu.ready()
    status = "ok" if database and nlu else ("degraded" if database else "down")
    body: dict[str, object] = {"status": status, "database": database, "nlu": nlu}
    body["nlu_state"] = nlu_report(nlu, None if nlu else read_status(), time.time())
    if database:  # invented dossiers must never pass for real ones unnoticed
        with contextlib.suppress(SQLAlchemyError):  # the database went away since the ping: omitted
            async with runtime.sessions() as session:
                body["demo_data"] = await demo_present(session, runtime.demo_codes)
    return web.json_response(body, status=200 if database else 503)


async def chat_status(request: web.Request) -> web.Response:
    """The web chat's header: which way messages are understood (polled while not by Rasa).
    Cheap: the mode of the last parse or watch, and a small local file, no call to Rasa."""
    rasa = request.app[RUNTIME].nlu.mode == "rasa"
    return web.json_response(nlu_report(rasa, None if rasa else read_status(), time.time()))


def create_app(settings: Settings, clock: Clock = utc_now, background: bool = True) -> web.Application:
    """The app; ``background`` starts the inbox worker and the scheduler's jobs with it (tests
    that drive them step by step turn it off)."""
    # Each route reads its body with its own limit (bot/http_body.py); this is the largest.
    app = web.Application(middlewares=[json_errors], client_max_size=dossier_api.MAX_BODY)

    async def runtime_context(app: web.Application) -> AsyncIterator[None]:
        async with open_runtime(settings, clock) as runtime:
            app[RUNTIME] = runtime
            if not background:
                yield
                return
            worker = asyncio.create_task(runtime.worker.run(), name="inbox-worker")
            jobs = Jobs()
            runtime.schedule(jobs)
            jobs.start()
            yield
            runtime.worker.stop()
            await jobs.stop()
            try:
                await asyncio.wait_for(worker, timeout=30)
            except TimeoutError:
                log.error("the inbox worker did not stop within 30 s; its event will be handled after restart")

    # The connectors are given what they need; the runtime exists once the app has started.
    async def accept(events: list[InboundEvent]) -> None:
        await app[RUNTIME].accept(events)

    async def handle(message: InboundMessage) -> list[Reply]:
        return await app[RUNTIME].dialogue.handle(message)

    app.on_response_prepare.append(security_headers)
    app.cleanup_ctx.append(runtime_context)
    ids = rest.ChatIds(settings.web_chat_secret)
    app.router.add_get("/", _index(ids))
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/api/chat/status", chat_status)
    metrics_page.add_routes(app, settings, lambda: app[RUNTIME].sessions, clock)
    rest.add_routes(app, handle, ids, settings.trusted_proxies)
    dossier_api.add_routes(app, settings, lambda: app[RUNTIME].sessions, clock)
    staff_web.add_routes(app, settings, lambda: app[RUNTIME].sessions, clock, lambda: app[RUNTIME].dialogue.catalogue, ids)
    sheets.add_routes(app, lambda: app[RUNTIME].dialogue.catalogue, clock)
    report.add_routes(app, settings, lambda: app[RUNTIME].sessions, lambda: app[RUNTIME].dialogue.catalogue, clock)
    zalo.add_routes(app, settings.zalo, clock, accept)
    facebook.add_routes(app, settings.facebook, accept)
    return app
