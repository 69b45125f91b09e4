"""Turns about dossiers: status by code, confirming by digits, details, following.

A code gives the status, never personal data. "Xem chi tiết" and "Theo dõi hồ sơ" ask for
the last 4 digits of the phone or ID number on the dossier (once per user and dossier).
Unknown codes and wrong digits count against the user's limit (bot/dossiers/access.py);
when it is used up, every lookup waits, so that codes cannot be guessed one by one. The
distinct dossiers seen by code alone count too (a larger limit), so valid codes cannot be
walked either. A
signed receipt QR (``/follow{"code", "sig"}``) follows without digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.catalog.catalogue import Catalogue
from bot.dialogue.context import Context
from bot.dialogue.dossier_answers import dates_text, reason_text, status_text
from bot.dossiers import access
from bot.dossiers.receipt import is_genuine
from bot.dossiers.store import find_dossier
from bot.formatting import hotline
from bot.messages import Button, Reply
from bot.models import Dossier
from bot.payloads import make_payload, rating_buttons
from bot.texts import vi
from nlu.vietnamese import fold

VERIFY = "verify"  # the pending question: the digits
DOSSIER = "dossier"  # context key: the code looked up last
THEN = "then"  # context key: what the digits unlock ("details" or "follow")
DETAILS_INTENT = "dossier_details"
_DIGITS = re.compile(r"(?<!\d)(\d{4})(?!\d)")


@dataclass(frozen=True)
class Who:
    platform: str
    user_id: str
    client: str | None = None  # the network address on the open channels (limits count it too)


_DETAILS = re.compile(r"\b(?:xem )?(?:thong tin )?chi tiet\b|\bxem ho so\b|\bthong tin ho so\b")


def wants_details(text: str) -> bool:
    """ "xem chi tiết", "thông tin hồ sơ": the typed form of the details button."""
    return len(text) <= 80 and _DETAILS.search(fold(text)) is not None


def digits_in(text: str) -> str | None:
    """The 4 digits of a confirmation message ("4567", "số cuối là 4567 ạ")."""
    found = _DIGITS.findall(text)
    return found[0] if len(found) == 1 and len(text) <= 60 else None


class DossierTurn:
    def __init__(self, catalogue: Catalogue, digits_limit: int = access.DOSSIER_DIGITS_LIMIT) -> None:
        self._catalogue = catalogue
        self._digits_limit = digits_limit

    async def _locked(self, session: AsyncSession, dossier: Dossier, now: datetime) -> Reply | None:
        """The dossier's digits path is shut for today (too many wrong digits from anyone)."""
        if not await access.dossier_locked(session, dossier, self._digits_limit, now):
            return None
        metrics.LOOKUPS_REFUSED.labels("dossier_digits").inc()
        return Reply(vi.DOSSIER_DIGITS_LOCKED.format(code=dossier.code, hotline=hotline(self._catalogue.office)))

    async def _limited(self, session: AsyncSession, who: Who, now: datetime) -> Reply | None:
        until = await access.blocked_until(session, who.platform, who.user_id, now, who.client)
        if until is None:
            return None
        metrics.LOOKUPS_REFUSED.labels("failures").inc()
        return self._wait(vi.RATE_LIMITED, until, now)

    def _wait(self, text: str, until: datetime, now: datetime) -> Reply:
        minutes = max(1, int((until - now).total_seconds() // 60) + 1)
        return Reply(text.format(minutes=minutes, hotline=hotline(self._catalogue.office)))

    async def _lookup(self, session: AsyncSession, code: str, who: Who, now: datetime) -> Dossier | Reply:
        """The dossier, or why not: the user's limit is used up, the code is unknown (counted), or
        they looked up too many other dossiers this hour (one they confirmed is not counted)."""
        limited = await self._limited(session, who, now)
        if limited:
            return limited
        dossier = await find_dossier(session, code)
        if dossier is None:
            await access.record_failure(session, who.platform, who.user_id, "unknown_code", now, client=who.client)
            return Reply(vi.DOSSIER_NOT_FOUND.format(code=code, hotline=hotline(self._catalogue.office)))
        if not await access.is_verified(session, dossier, who.platform, who.user_id):
            until = await access.take_lookup(session, who.platform, who.user_id, dossier, now, who.client)
            if until is not None:
                metrics.LOOKUPS_REFUSED.labels("lookups").inc()
                return self._wait(vi.LOOKUPS_LIMITED, until, now)
        return dossier

    async def status(self, session: AsyncSession, code: str, who: Who, context: Context, now: datetime) -> Reply:
        dossier = await self._lookup(session, code, who, now)
        if isinstance(dossier, Reply):
            return dossier
        context.extra[DOSSIER] = dossier.code
        procedure = self._catalogue.procedures.get(dossier.procedure_code) if dossier.procedure_code else None
        confirmed = await access.is_verified(session, dossier, who.platform, who.user_id)
        text = status_text(dossier, procedure, self._catalogue.office, now, confirmed)
        if await access.may_rate(session, dossier, who.platform, who.user_id):  # done: ask how it went
            return Reply(text + "\n" + vi.ASK_RATING_DOSSIER.format(code=dossier.code), rating_buttons(dossier.code))
        details = Button(vi.BUTTON_DETAILS, make_payload(DETAILS_INTENT, code=dossier.code))
        if dossier.status == access.RETURNED:  # nothing left to follow
            return Reply(text, (details,))
        return Reply(text, (Button(vi.BUTTON_FOLLOW, make_payload("subscribe", code=dossier.code)), details))

    async def unlock(self, session: AsyncSession, code: str | None, then: str, who: Who, context: Context, now: datetime) -> Reply:
        """Details or following: at once for a user who confirmed before, else ask the digits."""
        code = code or context.extra.get(DOSSIER)
        if not code:
            context.pending_intent = "check_status" if then == "details" else "subscribe"
            return Reply(vi.ASK_CODE_TO_FOLLOW if then == "follow" else vi.ASK_DOSSIER_CODE)
        dossier = await self._lookup(session, code, who, now)
        if isinstance(dossier, Reply):
            return dossier
        if await access.is_verified(session, dossier, who.platform, who.user_id):
            return await self._unlocked(session, dossier, then, who, context, now)
        locked = await self._locked(session, dossier, now)
        if locked:
            return locked
        context.pending_intent = VERIFY
        context.extra[DOSSIER], context.extra[THEN] = dossier.code, then
        return Reply(vi.ASK_DIGITS.format(code=dossier.code))

    async def verify(self, session: AsyncSession, digits: str, who: Who, context: Context, now: datetime) -> Reply:
        limited = await self._limited(session, who, now)
        if limited:
            return limited
        dossier = await find_dossier(session, str(context.extra.get(DOSSIER, "")))
        if dossier is None:
            context.pending_intent = None
            return Reply(vi.ASK_DOSSIER_CODE)
        locked = await self._locked(session, dossier, now)
        if locked:  # even the right digits: guessing must not pay off
            context.pending_intent = None
            return locked
        if not access.digits_match(dossier, digits):
            left = await access.record_failure(session, who.platform, who.user_id, access.WRONG_DIGITS, now, dossier.id, who.client)
            locked = await self._locked(session, dossier, now)
            if locked:
                context.pending_intent = None
            return locked or await self._limited(session, who, now) or Reply(vi.DIGITS_WRONG.format(left=left))
        await access.mark_verified(session, dossier, who.platform, who.user_id, now)
        return await self._unlocked(session, dossier, str(context.extra.get(THEN, "details")), who, context, now)

    async def _unlocked(self, session: AsyncSession, dossier: Dossier, then: str, who: Who, context: Context, now: datetime) -> Reply:
        context.pending_intent = None
        context.extra.pop(THEN, None)
        if then == "follow":
            return await self._follow(session, dossier, who, "chat", now)
        procedure = self._catalogue.procedures.get(dossier.procedure_code) if dossier.procedure_code else None
        text = vi.DOSSIER_DETAILS.format(
            code=dossier.code,
            name=dossier.applicant_name or vi.UNKNOWN,
            procedure=procedure.name if procedure else (dossier.procedure_code or vi.UNKNOWN),
            channel=vi.CHANNEL_LABELS.get(dossier.channel or 0, vi.UNKNOWN),
            status=vi.STATUS_NAMES[dossier.status],
            dates=dates_text(dossier) + reason_text(dossier),
        ).rstrip()
        if dossier.status == access.RETURNED:  # confirmed just now: asked how it went
            return Reply(text + "\n" + vi.ASK_RATING_DOSSIER.format(code=dossier.code), rating_buttons(dossier.code))
        return Reply(text, (Button(vi.BUTTON_FOLLOW, make_payload("subscribe", code=dossier.code)),))

    async def _follow(self, session: AsyncSession, dossier: Dossier, who: Who, via: str, now: datetime) -> Reply:
        added = await access.follow(session, dossier, who.platform, who.user_id, via, now)
        return Reply((vi.FOLLOWING if added else vi.ALREADY_FOLLOWING).format(code=dossier.code))

    async def receipt(self, session: AsyncSession, code: str, sig: str, secret: str, who: Who, now: datetime) -> Reply:
        """The receipt's signed QR: follow at once, or refuse a forged one."""
        dossier = await find_dossier(session, code) if is_genuine(code, sig, secret) else None
        if dossier is None:
            return Reply(vi.RECEIPT_INVALID)
        await access.mark_verified(session, dossier, who.platform, who.user_id, now)
        return await self._follow(session, dossier, who, "receipt", now)

    async def followed(self, session: AsyncSession, who: Who, now: datetime) -> Reply | None:
        """ "Hồ sơ của em xong chưa?" from a follower: the statuses of the dossiers they follow."""
        codes = await access.followed_codes(session, who.platform, who.user_id)
        if not codes:
            return None
        texts = [vi.FOLLOWED_STATUSES]
        for code in codes[:5]:
            dossier = await find_dossier(session, code)
            if dossier is not None:
                procedure = self._catalogue.procedures.get(dossier.procedure_code) if dossier.procedure_code else None
                texts.append(status_text(dossier, procedure, self._catalogue.office, now, confirmed=True))  # a follower
        return Reply("\n\n".join(texts))

    async def unfollow(self, session: AsyncSession, code: str | None, who: Who) -> Reply:
        dossier = await find_dossier(session, code) if code else None
        if code and dossier is None:
            return Reply(vi.NOT_FOLLOWING)
        stopped = await access.unfollow(session, who.platform, who.user_id, dossier)
        if stopped == 0:
            return Reply(vi.NOT_FOLLOWING)
        if dossier is not None:
            return Reply(vi.UNFOLLOWED_ONE.format(code=dossier.code))
        return Reply(vi.UNFOLLOWED_ALL.format(count=stopped))
