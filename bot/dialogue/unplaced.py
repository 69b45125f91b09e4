"""Messages the bot could not place, kept (masked) for officers to label: the unanswered
questions of the console (bot/staff/questions.py) and the training data they become."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import UnplacedMessage
from nlu.dossier_codes import find_codes
from nlu.parse import Parse

UNPLACED = "unplaced"  # context key, within a turn: why the reply did not answer (set by the turn that gave up)
REASONS = ("fallback", "no_procedure", "failed_twice")
MASK = "…"
# Eight digits or more, with single spaces, dots or dashes between them: phone and ID numbers
# ("0912 345 678", "001090012345"), not amounts of money or years. Dossier codes are kept.
_LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){7,}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask(text: str) -> str:
    """``text`` without phone numbers, ID numbers and e-mail addresses; dossier codes kept."""
    codes = find_codes(text)
    kept, last = [], 0
    for code in codes:
        kept.append(_mask_plain(text[last : code.start]))
        kept.append(text[code.start : code.end])
        last = code.end
    kept.append(_mask_plain(text[last:]))
    return "".join(kept)


def _mask_plain(text: str) -> str:
    return _LONG_NUMBER.sub(MASK, _EMAIL.sub(MASK, text))


async def record(session: AsyncSession, platform: str, text: str, reason: str, parse: Parse, procedure: str | None, now: datetime) -> None:
    """Keep a message not placed; ``parse.guess`` is the NLU's top intent below the threshold."""
    guess = parse.guess or (parse.intent if parse.intent != "nlu_fallback" else None)
    session.add(
        UnplacedMessage(
            platform=platform,
            text=mask(text),
            reason=reason,
            guess_intent=guess,
            guess_confidence=round(parse.confidence, 3) if guess else None,
            guess_procedure=procedure,
            created_at=now,
        )
    )
