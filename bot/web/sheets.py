"""Procedure sheets (no sign-in): what a community digital team helper prints for a resident.

``/procedures`` finds a procedure with the bot's own matcher; ``/procedures/{code}`` is one A4
page (print CSS) with every field the catalogue has, in the words the bot answers with, as
valid on the day it is printed (the date is on the page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.catalog.catalogue import Catalogue
from bot.dialogue.procedure_answers import answer, sheet_fields
from bot.dialogue.turn import Clock
from bot.formatting import VIETNAM, vn_date

MAX_QUERY = 200


def add_routes(app: web.Application, catalogue: Callable[[], Catalogue], clock: Clock) -> None:
    """Needs the Jinja2 environment the staff console sets up (bot/staff/web.py)."""

    async def search(request: web.Request) -> web.StreamResponse:
        query = request.query.get("q", "").strip()[:MAX_QUERY]
        found = catalogue().procedures
        ranked = [c.procedure for c in found.rank(query, limit=10)] if query else sorted(found.procedures, key=lambda p: p.name)
        return _page("sheets.html", request, {"query": query, "results": ranked})

    async def sheet(request: web.Request) -> web.StreamResponse:
        known = catalogue()
        procedure = known.procedures.get(request.match_info["code"])
        if procedure is None:
            raise web.HTTPNotFound(text="no such procedure in the catalogue")
        today = clock().astimezone(VIETNAM).date()
        sections = [
            (title, _without_lead(answer(intent, procedure, known.office, today).text)) for intent, title in sheet_fields(procedure)
        ]
        context = {"procedure": procedure, "sections": sections, "office": known.office, "today": vn_date(today)}
        return _page("sheet.html", request, context)

    app.router.add_get("/procedures", search)
    app.router.add_get("/procedures/{code}", sheet)


def _without_lead(text: str) -> str:
    """The answer without the chat's lead-in line ("Dạ, lệ phí “Đăng ký khai sinh”:"): on a
    sheet the section's title says it, and the page must fit on paper."""
    first, _, rest = text.partition("\n")
    return rest if first.startswith("Dạ,") and first.rstrip().endswith(":") and rest.strip() else text


def _page(template: str, request: web.Request, context: dict[str, Any]) -> web.Response:
    return aiohttp_jinja2.render_template(template, request, {"account": None} | context)
