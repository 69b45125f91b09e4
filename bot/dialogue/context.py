"""Conversation context kept in the database, so it survives restarts and works across processes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Conversation


@dataclass
class Context:
    procedure_code: str | None = None
    pending_intent: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


async def load_context(session: AsyncSession, platform: str, user_id: str, now: datetime, idle: timedelta) -> Context:
    """The conversation's context; after ``idle`` without a message it starts afresh."""
    row = await _row(session, platform, user_id)
    if row is None or now - row.updated_at > idle:
        return Context()
    state = dict(row.state or {})
    pending = state.pop("pending_intent", None)
    return Context(row.procedure_code, pending if isinstance(pending, str) else None, state)


async def save_context(session: AsyncSession, platform: str, user_id: str, context: Context, now: datetime) -> None:
    state = dict(context.extra)
    if context.pending_intent:
        state["pending_intent"] = context.pending_intent
    row = await _row(session, platform, user_id)
    if row is None:
        try:
            async with session.begin_nested():
                session.add(
                    Conversation(platform=platform, user_id=user_id, procedure_code=context.procedure_code, state=state, updated_at=now)
                )
            return
        except IntegrityError:  # another process created it meanwhile
            row = await _row(session, platform, user_id)
            if row is None:
                raise
    row.procedure_code = context.procedure_code
    row.state = state
    row.updated_at = now


async def _row(session: AsyncSession, platform: str, user_id: str) -> Conversation | None:
    return await session.scalar(select(Conversation).where(Conversation.platform == platform, Conversation.user_id == user_id))


async def conversation_procedure(session: AsyncSession, platform: str, user_id: str) -> str | None:
    """The procedure a conversation is about now (assist mode's sheet button)."""
    row = await _row(session, platform, user_id)
    return row.procedure_code if row is not None else None
