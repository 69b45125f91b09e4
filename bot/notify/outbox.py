"""Writing notices to the outbox, in the caller's transaction: a dossier change and the notices
it earns commit together (or not at all). Duplicate keys are ignored, so a rule that fires
twice — two processes, a re-sent batch — adds nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import Dossier, Follower, OutboxMessage
from bot.notify.rules import Change, Facts, FollowerRef, Notice, Policy, notices

_CHUNK = 500


def facts_of(dossier: Any) -> Facts:
    """The facts of a dossier row (a model or a selected row with the same attribute names)."""
    return Facts(
        dossier_id=dossier.id,
        code=dossier.code,
        status=dossier.status,
        procedure_code=dossier.procedure_code,
        channel=dossier.channel,
        received_at=dossier.received_at,
        appointment_at=dossier.appointment_at,
        new_appointment_at=dossier.new_appointment_at,
        supplement_due_at=dossier.supplement_due_at,
        reason=dossier.delay_reason,
    )


FACT_COLUMNS = (
    Dossier.id, Dossier.code, Dossier.status, Dossier.procedure_code, Dossier.channel, Dossier.received_at, Dossier.appointment_at,
    Dossier.new_appointment_at, Dossier.supplement_due_at, Dossier.delay_reason,
)  # fmt: skip


async def followers_of(session: AsyncSession, dossier_ids: Iterable[int]) -> dict[int, list[FollowerRef]]:
    found: dict[int, list[FollowerRef]] = defaultdict(list)
    ids = sorted(set(dossier_ids))
    for start in range(0, len(ids), _CHUNK):
        query = select(Follower.dossier_id, Follower.platform, Follower.user_id).where(Follower.dossier_id.in_(ids[start : start + _CHUNK]))
        for dossier_id, platform, user_id in await session.execute(query.order_by(Follower.id)):
            found[dossier_id].append(FollowerRef(platform, user_id))
    return found


async def record_changes(session: AsyncSession, changes: Sequence[Change], policy: Policy, now: datetime) -> int:
    """The notices the changes earn, added to the outbox; how many rows were added."""
    if not changes:
        return 0
    followers = await followers_of(session, (c.after.dossier_id for c in changes))
    if not followers:
        return 0
    return await add_notices(session, notices(changes, followers, policy, now), now)


async def add_notices(session: AsyncSession, found: Sequence[Notice], now: datetime) -> int:
    if not found:
        return 0
    fallbacks = [n.dedupe_key for n in found if n.instead is not None]
    taken: set[str] = set()
    for start in range(0, len(fallbacks), _CHUNK):
        query = select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(fallbacks[start : start + _CHUNK]))
        taken |= set(await session.scalars(query))
    chosen = [n.instead if n.dedupe_key in taken and n.instead is not None else n for n in found]
    rows = [
        {"dedupe_key": n.dedupe_key, "dossier_id": n.dossier_id, "platform": n.platform, "user_id": n.user_id, "kind": n.kind,
         "data": n.data, "state": "pending", "due_at": n.due_at, "attempts": 0, "parts_sent": 0, "created_at": now}
        for n in chosen
    ]  # fmt: skip
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # One cached statement, executed for many rows (SQLAlchemy batches them into multi-row
    # INSERTs); RETURNING counts the rows really added (a duplicate key returns nothing).
    statement = insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OutboxMessage.id)
    added = 0
    for start in range(0, len(rows), _CHUNK):
        added += len((await session.execute(statement, rows[start : start + _CHUNK])).all())
    return added


def policy_of(settings: Settings) -> Policy:
    return Policy(settings.notify_kinds, settings.survey_delay)
