"""One dialogue turn: understand the message, use the context, build the replies."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.matcher import ProcedureMatcher
from bot.catalog.records import AgencyRecord, ProcedureRecord
from bot.db import SessionFactory
from bot.dialogue import procedure_answers
from bot.dialogue.context import Context, load_context, save_context
from bot.dialogue.dossier_answers import status_text
from bot.dialogue.formatting import VIETNAM
from bot.dialogue.payloads import parse_payload
from bot.dialogue.procedure_answers import FIELD_INTENTS, OVERVIEW, choice_buttons, hotline
from bot.dossiers.store import find_dossier
from bot.messages import MAX_TEXT, InboundMessage, Reply, split_reply
from bot.texts import vi
from nlu.parse import Parse

log = logging.getLogger(__name__)

# Intents that only make sense as the whole message; with a procedure named they are questions.
_UNCLEAR = frozenset({"nlu_fallback", "out_of_scope", "affirm", "deny"})


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Understands(Protocol):
    async def parse(self, text: str) -> Parse: ...


class Dialogue:
    """Turns an :class:`InboundMessage` into replies; holds no per-user state in memory."""

    def __init__(
        self,
        nlu: Understands,
        sessions: SessionFactory,
        catalog: ProcedureMatcher,
        office: AgencyRecord,
        clock: Clock = utc_now,
    ) -> None:
        self._nlu = nlu
        self._sessions = sessions
        self._catalog = catalog
        self._office = office
        self._clock = clock

    async def handle(self, message: InboundMessage) -> list[Reply]:
        text = message.text.strip()
        if not text:
            return [Reply(vi.EMPTY_MESSAGE)]
        if len(text) > MAX_TEXT:
            return [Reply(vi.TOO_LONG.format(limit=MAX_TEXT))]
        parse = parse_payload(text) or await self._nlu.parse(text)
        log.info("turn platform=%s intent=%s confidence=%.2f source=%s", message.platform, parse.intent, parse.confidence, parse.source)
        now = self._clock()
        async with self._sessions() as session, session.begin():
            context = await load_context(session, message.platform, message.user_id, now)
            replies = await self._respond(session, text, parse, context, now)
            await save_context(session, message.platform, message.user_id, context, now)
        return [part for reply in replies for part in split_reply(reply)]

    async def _respond(self, session: AsyncSession, text: str, parse: Parse, context: Context, now: datetime) -> list[Reply]:
        code = parse.first("dossier_code")
        if code and parse.intent not in {"subscribe", "unsubscribe"}:
            context.pending_intent = None
            return [await self._dossier_status(session, code, now)]
        intent = parse.intent
        if context.pending_intent == "check_status" and intent in {"nlu_fallback", "out_of_scope"} and any(c.isdigit() for c in text):
            return [Reply(vi.DOSSIER_CODE_INVALID)]  # an attempt at a code that is not well-formed
        if intent in FIELD_INTENTS or intent == OVERVIEW or (intent in _UNCLEAR and parse.source != "payload"):
            replies = self._procedure_turn(text, parse, context, now)
            if replies is not None:
                return replies
        context.pending_intent = None
        return self._simple(intent, context)

    def _procedure_turn(self, text: str, parse: Parse, context: Context, now: datetime) -> list[Reply] | None:
        """Answer about a procedure, ask which one, or ``None`` when the message is not about one."""
        asked = parse.intent if parse.intent in FIELD_INTENTS or parse.intent == OVERVIEW else None
        procedure: ProcedureRecord | None = None
        close: list[ProcedureRecord] = []
        chosen = parse.first("procedure")
        if chosen:
            procedure = self._catalog.get(chosen)
        else:
            procedure, candidates = self._catalog.choose(text)
            close = [c.procedure for c in candidates] if procedure is None else []
        if asked is None:
            # An unclear message: a procedure named after "which procedure?" answers that question;
            # a procedure named alone gets its overview; anything else is not ours.
            if procedure is None and not close:
                return None
            asked = context.pending_intent or OVERVIEW
        if procedure is None and not close and context.procedure_code and not chosen:
            procedure = self._catalog.get(context.procedure_code)
        if procedure is not None:
            context.procedure_code = procedure.code
            context.pending_intent = None
            today = now.astimezone(VIETNAM).date()
            return [procedure_answers.answer(asked, procedure, self._office, today)]
        context.pending_intent = asked
        if close:
            return [Reply(vi.CHOOSE_PROCEDURE, choice_buttons(asked, close))]
        return [Reply(vi.ASK_WHICH_PROCEDURE)]

    async def _dossier_status(self, session: AsyncSession, code: str, now: datetime) -> Reply:
        dossier = await find_dossier(session, code)
        if dossier is None:
            return Reply(vi.DOSSIER_NOT_FOUND.format(code=code, hotline=hotline(self._office)))
        procedure = self._catalog.get(dossier.procedure_code) if dossier.procedure_code else None
        return Reply(status_text(dossier, procedure, self._office, now))

    def _simple(self, intent: str, context: Context) -> list[Reply]:
        office = self._office
        if intent == "greet":
            return [Reply(vi.GREETING.format(agency=office.name))]
        if intent == "thank":
            return [Reply(vi.THANKS)]
        if intent == "goodbye":
            return [Reply(vi.GOODBYE)]
        if intent == "affirm":
            return [Reply(vi.AFFIRM)]
        if intent == "deny":
            return [Reply(vi.DENY)]
        if intent == "check_status":
            context.pending_intent = "check_status"
            return [Reply(vi.ASK_DOSSIER_CODE)]
        if intent == "request_human":
            return [
                Reply(
                    vi.HUMAN.format(
                        agency=office.name, hotline=hotline(office), address=office.address or vi.UNKNOWN, hours=office.hours or vi.UNKNOWN
                    )
                )
            ]
        if intent == "feedback":
            return [Reply(vi.FEEDBACK_THANKS.format(hotline=hotline(office)))]
        if intent in {"subscribe", "unsubscribe", "ask_stats"}:
            return [Reply(vi.NOT_YET.format(hotline=hotline(office)))]
        return [Reply(vi.FALLBACK.format(hotline=hotline(office)))]
