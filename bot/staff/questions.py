"""Unanswered questions: the messages the bot could not place, grouped by similarity and
counted, each group with the bot's best guess; an officer says what the group meant (an intent,
a procedure, or both) and ``export-training`` turns the labels into training data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import UnplacedMessage
from nlu.evaluation import read_examples
from nlu.vietnamese import tokens

SIMILAR = 0.5  # Jaccard similarity of the words (filler left out) for two messages to group
LOOK_BACK = 2000  # unlabelled messages grouped at once, newest first
MAX_IDS = 1000
# Words that say nothing of what is asked: without them "ad ơi cho em hỏi lệ phí khai sinh"
# and "lệ phí khai sinh ạ" are one question.
_FILLER = frozenset(
    {
        "a", "ad", "ah", "oi", "cho", "em", "anh", "chi", "minh", "toi", "hoi", "xin", "vay", "the", "nhe", "nha", "voi",
        "duoc", "dc", "la", "thi", "ma", "nay", "va", "roi", "khong", "ko", "k",
    }
)  # fmt: skip


@dataclass
class Group:
    words: frozenset[str]
    ids: list[int] = field(default_factory=list)
    texts: Counter[str] = field(default_factory=Counter)
    intents: Counter[str] = field(default_factory=Counter)
    procedures: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    last_at: datetime | None = None

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def guess_intent(self) -> str | None:
        return self.intents.most_common(1)[0][0] if self.intents else None

    @property
    def guess_procedure(self) -> str | None:
        return self.procedures.most_common(1)[0][0] if self.procedures else None

    def examples(self, limit: int = 5) -> list[tuple[str, int]]:
        return self.texts.most_common(limit)


def words(text: str) -> frozenset[str]:
    found = frozenset(tokens(text)) - _FILLER
    return found or frozenset(tokens(text))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def group(messages: Sequence[UnplacedMessage]) -> list[Group]:
    """Most asked first. Each message joins the most similar group (compared with the group's
    first message) when similar enough, else starts one."""
    groups: list[Group] = []
    for message in messages:
        said = words(message.text)
        best = max(groups, key=lambda g: similarity(said, g.words), default=None)
        if best is None or similarity(said, best.words) < SIMILAR:
            best = Group(said)
            groups.append(best)
        best.ids.append(message.id)
        best.texts[" ".join(message.text.split())] += 1
        best.reasons[message.reason] += 1
        if message.guess_intent:
            best.intents[message.guess_intent] += 1
        if message.guess_procedure:
            best.procedures[message.guess_procedure] += 1
        best.last_at = max(filter(None, (best.last_at, message.created_at)))
    return sorted(groups, key=lambda g: (-g.count, -(g.last_at.timestamp() if g.last_at else 0)))


async def unlabelled_groups(db: AsyncSession) -> list[Group]:
    query = select(UnplacedMessage).where(UnplacedMessage.labelled_at.is_(None))
    return group((await db.scalars(query.order_by(UnplacedMessage.created_at.desc()).limit(LOOK_BACK))).all())


async def recently_labelled(db: AsyncSession, limit: int = 50) -> Sequence[UnplacedMessage]:
    query = select(UnplacedMessage).where(UnplacedMessage.labelled_at.is_not(None))
    return (await db.scalars(query.order_by(UnplacedMessage.labelled_at.desc(), UnplacedMessage.id.desc()).limit(limit))).all()


async def label(db: AsyncSession, ids: Sequence[int], intent: str | None, procedure: str | None, who: str, now: datetime) -> int:
    """Label the messages (those not labelled yet); how many were."""
    query = (
        update(UnplacedMessage)
        .where(UnplacedMessage.id.in_(list(ids)[:MAX_IDS]), UnplacedMessage.labelled_at.is_(None))
        .values(label_intent=intent, label_procedure=procedure, labelled_by=who, labelled_at=now)
    )
    return int((await db.execute(query)).rowcount or 0)  # type: ignore[attr-defined]


async def labelled_since(db: AsyncSession, since: datetime) -> Sequence[UnplacedMessage]:
    query = select(UnplacedMessage).where(UnplacedMessage.labelled_at >= since)
    return (await db.scalars(query.order_by(UnplacedMessage.labelled_at, UnplacedMessage.id))).all()


def known_intents(nlu_data: Path) -> list[str]:
    """The intents of the NLU training data: what a message can be labelled with."""
    return sorted({e.intent for file in sorted(nlu_data.glob("*.yml")) for e in read_examples(file)})
