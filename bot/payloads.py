"""Button payloads in Rasa's form: ``/intent{"entity": "value"}``.

A payload comes back as an ordinary message (REST channel, quick reply, postback); it is
parsed here without asking the NLU server, so buttons work even while it is down.
"""

from __future__ import annotations

import json
import re

from bot.http_body import parse_json
from bot.messages import Button
from bot.texts import vi
from nlu.parse import Entity, Parse

_PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]{1,40})(?P<entities>\{.*\})?$", re.DOTALL)


def make_payload(intent: str, **entities: str) -> str:
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, ensure_ascii=False, separators=(',', ':'))}"


def parse_payload(text: str) -> Parse | None:
    """The :class:`Parse` a payload stands for, or ``None`` if ``text`` is not one."""
    match = _PAYLOAD.match(text.strip())
    if match is None:
        return None
    entities: tuple[Entity, ...] = ()
    if match.group("entities"):
        try:
            data = parse_json(match.group("entities"))
        except ValueError:
            return None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            return None
        entities = tuple(Entity(str(k), v) for k, v in data.items())
    return Parse(match.group("intent"), 1.0, entities, source="payload")


RATE_INTENT = "rate"


def rating_buttons(code: str | None = None) -> tuple[Button, ...]:
    """The 1–5 satisfaction choices (about a dossier when ``code`` is given)."""
    extra = {"code": code} if code else {}
    # In score order: on platforms without buttons "3" typed is the score 3.
    return tuple(Button(vi.RATING_LABELS[score], make_payload(RATE_INTENT, score=str(score), **extra)) for score in range(1, 6))


def parse_score(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdecimal() and 1 <= int(raw) <= 5 else None
