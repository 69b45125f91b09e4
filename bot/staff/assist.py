"""Assist mode (helper): the web chat in large type for a tablet a community digital team helper
shares with a resident — the procedure sheet of the conversation one tap away, the follow QR of
the dossier the resident brought, and "next person", which starts a new conversation so the
next resident never sees the last one's."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.catalog.catalogue import Catalogue
from bot.dialogue.context import conversation_procedure
from bot.dossiers.store import find_dossier
from bot.staff.rendering import Staff, render
from connectors import rest
from nlu.dossier_codes import find_codes, normalize_code

QrMaker = Callable[[str], str | None]


class AssistPage:
    def __init__(self, catalogue: Callable[[], Catalogue], ids: rest.ChatIds, follow_qr: QrMaker) -> None:
        self._catalogue, self._ids, self._follow_qr = catalogue, ids, follow_qr

    async def page(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        """Without script the code form reloads this page; assist.js asks :meth:`qr` instead, so
        the conversation on screen stays."""
        raw = request.query.get("code", "").strip()[:100]
        context: dict[str, object] = {"query": raw}
        if raw:
            context |= await self._qr_of(staff, raw)
        response = render("assist.html", request, staff, context)
        if self._ids.read(request.cookies.get(rest.COOKIE)) is None:
            self._new_chat(response, request)
        return response

    async def qr(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        """The follow QR of a typed code, as JSON: ``code``, ``known``, ``qr`` (a data: URI or null)."""
        raw = request.query.get("code", "").strip()[:100]
        if not raw:
            raise web.HTTPBadRequest(text="code: missing")
        return web.json_response(await self._qr_of(staff, raw), headers={"Cache-Control": "no-store"})

    async def _qr_of(self, staff: Staff, raw: str) -> dict[str, object]:
        found = find_codes(raw)
        code = found[0].value if found else normalize_code(raw)
        dossier = await find_dossier(staff.db, code)
        return {"code": code, "known": dossier is not None, "qr": self._follow_qr(dossier.code) if dossier is not None else None}

    async def next_person(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        """A new chat id: the conversation so far stays with the last resident's id, unseen."""
        response = web.Response(status=303, headers={"Location": "/staff/assist"})
        self._new_chat(response, request)
        return response

    async def procedure(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        """The procedure the tablet's conversation is about, for the sheet button (assist.js)."""
        chat_id = self._ids.read(request.cookies.get(rest.COOKIE))
        code = await conversation_procedure(staff.db, rest.PLATFORM, f"web-{chat_id}") if chat_id else None
        procedure = self._catalogue().procedures.get(code) if code else None
        body = {"code": procedure.code, "name": procedure.name} if procedure else {"code": None, "name": None}
        return web.json_response(body, headers={"Cache-Control": "no-store"})

    def _new_chat(self, response: web.StreamResponse, request: web.Request) -> None:
        response.set_cookie(rest.COOKIE, self._ids.issue(), httponly=True, samesite="Strict", secure=request.secure, max_age=12 * 3600)
