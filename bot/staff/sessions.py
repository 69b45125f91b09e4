"""Server-side sessions of the staff console, and the audit log.

The cookie holds a random token; the table holds its SHA-256, the account, the session's CSRF
token and when it was last used. A session ends when signed out, revoked, idle for ``IDLE`` or
older than ``LIFETIME``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AuditEntry, StaffAccount, StaffSession

COOKIE = "staff_session"
IDLE = timedelta(hours=2)
LIFETIME = timedelta(hours=12)
_TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(db: AsyncSession, account: StaffAccount, now: datetime) -> str:
    """A new session for ``account``; the token for its cookie."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    db.add(StaffSession(token_hash=token_hash(token), staff_id=account.id, csrf=csrf, created_at=now, last_seen_at=now))
    await db.flush()
    return token


async def find_session(db: AsyncSession, token: str | None, now: datetime) -> tuple[StaffSession, StaffAccount] | None:
    """The live session of a cookie's token, with its account; None for anything else."""
    if not token or len(token) > 128:
        return None
    query = select(StaffSession, StaffAccount).join(StaffAccount, StaffAccount.id == StaffSession.staff_id)
    row = (await db.execute(query.where(StaffSession.token_hash == token_hash(token)))).first()
    if row is None:
        return None
    live, account = row
    if live.revoked_at is not None or now - live.last_seen_at > IDLE or now - live.created_at > LIFETIME:
        return None
    if now - live.last_seen_at >= _TOUCH_EVERY:
        live.last_seen_at = now
    return live, account


async def revoke(db: AsyncSession, live: StaffSession, now: datetime) -> None:
    live.revoked_at = now


async def revoke_all(db: AsyncSession, account: StaffAccount, now: datetime) -> int:
    """End every session of an account (a new password, a role taken away)."""
    done = await db.execute(
        update(StaffSession).where(StaffSession.staff_id == account.id, StaffSession.revoked_at.is_(None)).values(revoked_at=now)
    )
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


async def audit(
    db: AsyncSession,
    account: StaffAccount,
    action: str,
    target: str,
    now: datetime,
    detail: str | None = None,
    again_after: timedelta | None = None,
) -> None:
    """Who did what to which dossier or conversation: the personal data views and the replies.
    With ``again_after``, a view the same person recorded less than that ago is not repeated."""
    if again_after is not None:
        recent = select(AuditEntry.id).where(
            AuditEntry.staff_id == account.id,
            AuditEntry.action == action,
            AuditEntry.target == target[:191],
            AuditEntry.at > now - again_after,
        )
        if await db.scalar(recent.limit(1)) is not None:
            return
    db.add(AuditEntry(staff_id=account.id, username=account.username, action=action, target=target[:191], detail=detail, at=now))


async def audit_entries(db: AsyncSession, limit: int = 500) -> Sequence[AuditEntry]:
    return (await db.scalars(select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))).all()
