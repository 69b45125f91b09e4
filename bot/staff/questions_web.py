"""The unanswered-questions page (officer, admin): groups of messages the bot could not place,
and the form that says what a group meant."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from bot.catalog.catalogue import Catalogue
from bot.dialogue.turn import Clock
from bot.staff import questions
from bot.staff.rendering import Staff, render
from bot.staff.sessions import audit
from bot.texts import vi


class QuestionsPage:
    def __init__(self, clock: Clock, catalogue: Callable[[], Catalogue], nlu_data: Path) -> None:
        self._clock, self._catalogue = clock, catalogue
        self._intents = [i for i in questions.known_intents(nlu_data) if i != "nlu_fallback"]

    async def page(self, request: web.Request, staff: Staff, said: str | None = None, status: int = 200) -> web.StreamResponse:
        procedures = sorted(self._catalogue().procedures.procedures, key=lambda p: p.name)
        context = {
            "groups": await questions.unlabelled_groups(staff.db),
            "labelled": await questions.recently_labelled(staff.db),
            "intents": [(i, vi.INTENT_NAMES.get(i, i)) for i in self._intents],
            "intent_names": vi.INTENT_NAMES,
            "reasons": vi.UNPLACED_REASONS,
            "procedures": procedures,
            "procedure_name": self._procedure_name,
            "said": said,
        }
        return render("questions.html", request, staff, context, status=status)

    async def label(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        assert staff.form is not None
        intent = str(staff.form.get("intent", "")).strip() or None
        procedure = str(staff.form.get("procedure", "")).strip() or None
        try:
            ids = [int(part) for part in str(staff.form.get("ids", "")).split(",") if part.strip()]
        except ValueError:
            ids = []
        if not ids or len(ids) > questions.MAX_IDS:
            return await self.page(request, staff, "bad_ids", status=400)
        if intent is None and procedure is None:
            return await self.page(request, staff, "nothing", status=400)
        if (intent is not None and intent not in self._intents) or (
            procedure is not None and self._catalogue().procedures.get(procedure) is None
        ):
            return await self.page(request, staff, "unknown", status=400)
        now = self._clock()
        done = await questions.label(staff.db, ids, intent, procedure, staff.account.username, now)
        await audit(staff.db, staff.account, "label_question", f"{done} message(s)", now, f"{intent or ''} {procedure or ''}".strip())
        return web.Response(status=303, headers={"Location": "/staff/questions"})

    def _procedure_name(self, code: str | None) -> str:
        return self._catalogue().procedures.name_of(code) or code or ""
