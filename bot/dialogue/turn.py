"""One dialogue turn: understand the message, use the context, build the replies."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.catalog.catalogue import Catalogue
from bot.db import SessionFactory
from bot.dialogue import unplaced as unplaced_messages
from bot.dialogue.context import Context, load_context, save_context
from bot.dialogue.dossier_turn import DETAILS_INTENT, DOSSIER, VERIFY, DossierTurn, Who, digits_in, wants_details
from bot.dialogue.fields import OVERVIEW, asked_fields
from bot.dialogue.procedure_answers import FIELD_INTENTS
from bot.dialogue.procedure_turn import CHOICES, ProcedureTurn, picked_choice
from bot.dossiers import access
from bot.dossiers.receipt import FOLLOW_INTENT
from bot.dossiers.satisfaction import add_comment, add_feedback, add_rating, rescore, surveyed_code
from bot.dossiers.stats import LastMonth, render
from bot.dossiers.store import find_dossier
from bot.formatting import VIETNAM, hotline
from bot.messages import MAX_TEXT, InboundMessage, Reply, split_reply
from bot.payloads import RATE_INTENT, parse_payload, parse_score, rating_buttons
from bot.staff import handoffs
from bot.staff.hours import next_opening, said
from bot.texts import vi
from nlu.dossier_codes import is_dossier_code, normalize_code
from nlu.parse import Parse

log = logging.getLogger(__name__)

# Intents that only make sense as the whole message; with a procedure named they are questions.
_UNCLEAR = frozenset({"nlu_fallback", "out_of_scope", "affirm", "deny"})
OPTIONS = "options"  # context key: the payloads of the last reply's buttons, in order


def _numbered_option(text: str, options: object) -> str | None:
    """The payload a bare "2" picks from the buttons offered last, if any."""
    if not (text.isdecimal() and len(text) <= 2 and isinstance(options, list)):
        return None
    number = int(text)
    return str(options[number - 1]) if 1 <= number <= len(options) else None


# After a rating, a message with one of these intents is its comment.
_COMMENTS = frozenset({"feedback", "thank", "out_of_scope", "nlu_fallback", "affirm", "deny"})
COMMENT = "rating_comment"  # the pending question: a comment on the rating just given
RATING = "rating"  # context key: the id of that rating
RATED = "rated"  # context key: what that rating is about (a dossier's code, or "" for the conversation)
ASKED = "asked_rating"  # context key: the conversation's rating was asked for (counted once)
FAILURES = "failures"  # context key: messages not understood in a row (two: an officer is asked)
MISSED = "missed"  # context key, within a turn: the bot answered with its fallback
LOW_RATING = "low_rating"  # context key: the rating just given was 1 or 2 (an officer is asked)
LOW_SCORE = 2
RATED_CONVERSATION = "rated_conversation"  # context key: this conversation was rated (not asked again)

# Intents the NLU sometimes gives to a question about a named procedure ("bố em mất, làm giấy
# báo tử ở đâu" as unsubscribe): the catalogue's evidence wins — for the weak ones when a
# procedure (or a matter handled elsewhere) is named, for the others when a field is asked too.
_WEAK = frozenset({"feedback", "ask_stats"})
_STRONG = frozenset({"greet", "thank", "goodbye", "subscribe", "unsubscribe", "check_status"})


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
        catalogue: Catalogue,
        clock: Clock = utc_now,
        context_idle: timedelta = timedelta(minutes=30),
        receipt_secret: str = "",
        dossier_digits_limit: int = access.DOSSIER_DIGITS_LIMIT,
    ) -> None:
        self._nlu = nlu
        self._sessions = sessions
        self._catalogue = catalogue
        self._office = catalogue.office
        self._last_month = LastMonth(catalogue.office.code)
        self._procedures = ProcedureTurn(catalogue)
        self._dossiers = DossierTurn(catalogue, dossier_digits_limit)
        self._receipt_secret = receipt_secret
        self._clock = clock
        self._context_idle = context_idle

    @property
    def catalogue(self) -> Catalogue:
        return self._catalogue

    async def handle(self, message: InboundMessage) -> list[Reply]:
        """The replies to one message; a bare number picks from the last reply's buttons
        (platforms without buttons show them as numbered lines)."""
        text = message.text.strip()
        if not text:
            return [Reply(vi.EMPTY_MESSAGE)]
        if len(text) > MAX_TEXT:
            return [Reply(vi.TOO_LONG.format(limit=MAX_TEXT))]
        parse = parse_payload(text) or await self._understand(text)
        log.info("turn platform=%s intent=%s confidence=%.2f source=%s", message.platform, parse.intent, parse.confidence, parse.source)
        now = self._clock()
        async with self._sessions() as session, session.begin():
            if await handoffs.held_by_officer(session, message.platform, message.user_id):
                return []  # an officer holds the conversation (staff console): the bot stays silent
            context = await load_context(session, message.platform, message.user_id, now, self._context_idle)
            option = _numbered_option(text, context.extra.get(OPTIONS))
            if option is not None:
                text, parse = option, parse_payload(option) or parse
            who = Who(message.platform, message.user_id, message.client)
            replies = await self._respond(session, text, parse, context, now, who)
            unplaced = self._unplaced(parse, context)
            replies += await self._hand_off(session, parse, context, now, who)
            if unplaced is not None:
                ranked = self._catalogue.procedures.rank(text, limit=1)
                guess = ranked[0].procedure.code if ranked else None
                await unplaced_messages.record(session, who.platform, text, unplaced, parse, guess, now)
            offered = [b.payload for r in replies for b in r.buttons]
            if offered:
                context.extra[OPTIONS] = offered
            else:
                context.extra.pop(OPTIONS, None)
            await save_context(session, message.platform, message.user_id, context, now)
        return [part for reply in replies for part in split_reply(reply)]

    async def _understand(self, text: str) -> Parse:
        """The NLU's parse, timed; keywords mean Rasa did not answer (both counted in the metrics)."""
        started = time.perf_counter()
        parse = await self._nlu.parse(text)
        metrics.NLU_SECONDS.labels(parse.source).observe(time.perf_counter() - started)
        if parse.source == "keywords":
            metrics.NLU_KEYWORDS.inc()
        return parse

    async def _respond(self, session: AsyncSession, text: str, parse: Parse, context: Context, now: datetime, who: Who) -> list[Reply]:
        satisfaction = await self._satisfaction(session, text, parse, context, now, who)
        if satisfaction is not None:
            return [satisfaction]
        dossier_reply = await self._dossier_turn(session, text, parse, context, now, who)
        if dossier_reply is not None:
            return [dossier_reply]
        intent = parse.intent
        if intent == "feedback" and not self._about_procedure(text, intent):
            await add_feedback(session, who.platform, who.user_id, text, now)
        if context.pending_intent == "check_status" and intent in {"nlu_fallback", "out_of_scope"} and any(c.isdigit() for c in text):
            return [Reply(vi.DOSSIER_CODE_INVALID)]  # an attempt at a code that is not well-formed
        # A pick from the choices offered ("2", "chọn số 2") whatever the NLU made of it.
        picks = parse.source != "payload" and picked_choice(text, context.extra.get(CHOICES) or []) is not None
        if intent in FIELD_INTENTS or intent == OVERVIEW or picks or (parse.source != "payload" and self._about_procedure(text, intent)):
            replies = self._procedures.respond(text, parse, context, now.astimezone(VIETNAM).date())
            if replies is not None:
                return replies
        context.pending_intent = None
        context.extra.pop(CHOICES, None)  # a new topic: the numbers offered no longer mean anything
        if intent == "ask_stats":
            return [await self._stats(session, now)]
        return self._simple(intent, context)

    def _unplaced(self, parse: Parse, context: Context) -> str | None:
        """Why this turn's reply did not answer the message, if it did not: kept for officers.
        A second miss in a row is what calls an officer (:meth:`_hand_off`)."""
        reason = context.extra.pop(unplaced_messages.UNPLACED, None) or ("fallback" if context.extra.get(MISSED) else None)
        if reason is None or parse.source == "payload":
            return None
        if context.extra.get(MISSED) and int(context.extra.get(FAILURES, 0) or 0) >= 1:
            return "failed_twice"
        return str(reason)

    async def _hand_off(self, session: AsyncSession, parse: Parse, context: Context, now: datetime, who: Who) -> list[Reply]:
        """Pass the conversation to an officer when the citizen asks for one, after two
        misunderstandings in a row, or after a rating of 1–2; say when an officer will answer."""
        failures = int(context.extra.pop(FAILURES, 0) or 0) + 1 if context.extra.pop(MISSED, False) else 0
        low_rating = bool(context.extra.pop(LOW_RATING, False))
        if parse.intent == "request_human":
            reason, lead = "asked", ""
        elif failures >= 2:
            reason, lead = "failed_twice", vi.HANDOFF_AFTER_FAILURES
        elif low_rating:
            reason, lead = "low_rating", vi.HANDOFF_AFTER_LOW_RATING
        else:
            if failures:
                context.extra[FAILURES] = failures
            return []
        if who.platform not in handoffs.PLATFORMS:
            return []  # the web chat cannot receive an officer's message: the hotline is given instead
        opened = await handoffs.open_handoff(session, who.platform, who.user_id, reason, now)
        if not opened and reason != "asked":
            return []  # already with an officer, who has been told
        opening = next_opening(now)
        if opening is None:
            return [Reply(lead + vi.HANDOFF_NOW.format(agency=self._office.name))]
        return [Reply(lead + vi.HANDOFF_LATER.format(agency=self._office.name, when=said(opening), hotline=hotline(self._office)))]

    async def _stats(self, session: AsyncSession, now: datetime) -> Reply:
        """Last month's public report for this office (what the monthly report publishes)."""
        return Reply(render(await self._last_month.report(session, now), self._office.name))

    def _about_procedure(self, text: str, intent: str) -> bool:
        if intent in _UNCLEAR:
            return True
        if intent in _WEAK:
            return self._procedures.names_something(text)
        return intent in _STRONG and bool(asked_fields(text)) and self._procedures.names_something(text)

    async def _satisfaction(
        self, session: AsyncSession, text: str, parse: Parse, context: Context, now: datetime, who: Who
    ) -> Reply | None:
        """A rating (button), or the comment that follows it; ``None`` otherwise."""
        survey = None
        if parse.source != "payload" and parse_score(text.strip()) is not None and not context.extra.get(OPTIONS):
            survey = await surveyed_code(session, who.platform, who.user_id, now)  # a bare digit answering the survey
        if survey is not None or (parse.source == "payload" and parse.intent == RATE_INTENT):
            score = parse_score(text.strip()) if survey is not None else parse_score(parse.first("score"))
            if score is None:
                return Reply(vi.RATING_INVALID)
            code = survey or parse.first("code")
            dossier = await find_dossier(session, code) if code else None
            about = dossier.code if dossier else ""
            rating_id = context.extra.get(RATING)
            if context.pending_intent == COMMENT and context.extra.get(RATED) == about and isinstance(rating_id, int):
                await rescore(session, rating_id, score, now)  # another button of the same question: a change of mind
                return Reply(vi.RATING_THANKS.format(score=score))
            # Counted only when the bot asked: the survey, a returned dossier of theirs, the end of a conversation.
            if survey is None:
                asked = await access.may_rate(session, dossier, who.platform, who.user_id) if dossier else context.extra.pop(ASKED, False)
                if not asked:
                    return Reply(vi.RATING_NOT_COUNTED)
            context.extra[RATING] = await add_rating(session, score, dossier, self._office.code, who.platform, who.user_id, now)
            if score <= LOW_SCORE:
                context.extra[LOW_RATING] = True
            context.extra[RATED] = about
            if dossier is None:
                context.extra[RATED_CONVERSATION] = True
            context.pending_intent = COMMENT
            return Reply(vi.RATING_THANKS.format(score=score))
        if context.pending_intent == COMMENT:
            rating_id = context.extra.get(RATING)
            score = parse_score(text.strip()) if parse.source != "payload" else None
            if score is not None and isinstance(rating_id, int) and await rescore(session, rating_id, score, now):
                return Reply(vi.RATING_THANKS.format(score=score))  # another digit: the citizen changed their mind
            context.pending_intent = None
            context.extra.pop(RATING, None)
            context.extra.pop(RATED, None)
            # A question is a question, not a comment.
            is_comment = parse.source != "payload" and parse.intent in _COMMENTS and isinstance(rating_id, int)
            if is_comment and isinstance(rating_id, int) and await add_comment(session, rating_id, text):
                return Reply(vi.RATING_COMMENT_THANKS)
        return None

    async def _dossier_turn(
        self, session: AsyncSession, text: str, parse: Parse, context: Context, now: datetime, who: Who
    ) -> Reply | None:
        """A reply about a dossier, or ``None`` when the message is about something else."""
        dossiers, intent = self._dossiers, parse.intent
        code = parse.first("dossier_code") or (parse.first("code") if parse.source == "payload" else None)
        code = normalize_code(code) if code and is_dossier_code(code) else None  # a button's code is checked too
        if parse.source == "payload" and intent == FOLLOW_INTENT:
            return await dossiers.receipt(session, code or "", parse.first("sig") or "", self._receipt_secret, who, now)
        wants = parse.source == "payload" and intent == DETAILS_INTENT
        if wants or (parse.source != "payload" and context.extra.get(DOSSIER) and wants_details(text)):
            return await dossiers.unlock(session, code, "details", who, context, now)
        digits = digits_in(text) if context.pending_intent == VERIFY and not code else None
        if digits:
            return await dossiers.verify(session, digits, who, context, now)
        if intent in {"subscribe", "unsubscribe"} and not code and self._about_procedure(text, intent):
            return None  # a procedure question the NLU took for (un)subscribing
        if intent == "unsubscribe":
            context.pending_intent = None
            return await dossiers.unfollow(session, code, who)
        if intent == "subscribe" or (context.pending_intent == "subscribe" and code):
            return await dossiers.unlock(session, code, "follow", who, context, now)
        if code:
            context.pending_intent = None
            return await dossiers.status(session, code, who, context, now)
        if intent == "check_status" and parse.source != "payload":
            return await dossiers.followed(session, who, now)  # None: not following any, ask the code
        return None

    def _simple(self, intent: str, context: Context) -> list[Reply]:
        office = self._office
        if intent == "greet":
            return [Reply(vi.GREETING.format(agency=office.name))]
        if intent in {"thank", "goodbye"}:
            closing = Reply(vi.THANKS if intent == "thank" else vi.GOODBYE)
            if context.extra.get(RATED_CONVERSATION):  # asked and answered once in this conversation
                return [closing]
            context.extra[ASKED] = True
            return [closing, Reply(vi.ASK_RATING, rating_buttons())]
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
        context.extra[MISSED] = True  # the bot did not understand: two in a row call an officer
        return [Reply(vi.FALLBACK.format(hotline=hotline(office)))]
