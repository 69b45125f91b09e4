"""What the bot keeps about people, and for how long (the README's "What is kept" table).

The scheduler's retention job (bot/notify/jobs.py) applies it every few hours. Messages —
what citizens wrote, the conversation's state, the notices sent and who proved to know a
dossier — go after ``messages`` (90 days by default): long enough for an officer to look
into a complaint about an answer. Ratings and feedback serve the yearly satisfaction report
and the handling of complaints: after ``ratings`` (1 year) a rating keeps only its score and
date (no comment, no user), and feedback messages are deleted. The applicant's name, phone
and ID digits of a dossier returned that long ago are cleared: they only served confirming
and notices. Lookup attempts serve the limits, which look back at most one day. Closed
hand-offs, staff sessions and the messages the bot could not place (labelled or not: export
them for training within that time) go with the messages; the staff audit log (who saw whose personal
data) is kept as long as the ratings, so a complaint about an access can be looked into.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Delete, Update, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    AuditEntry,
    Conversation,
    Dossier,
    FeedbackMessage,
    Follower,
    Handoff,
    InboxEvent,
    LookupAttempt,
    OutboxMessage,
    Rating,
    StaffSession,
    UnplacedMessage,
    Verification,
)

KEEP_LOOKUPS = timedelta(days=2)


@dataclass(frozen=True)
class Retention:
    messages: timedelta = timedelta(days=90)
    ratings: timedelta = timedelta(days=365)


def _statements(retention: Retention, now: datetime) -> dict[str, Delete | Update]:
    messages, ratings = now - retention.messages, now - retention.ratings
    personal = (Dossier.applicant_name, Dossier.applicant_phone, Dossier.applicant_id_number)
    returned_long_ago = select(Dossier.id).where(Dossier.returned_at < messages).scalar_subquery()
    return {
        "inbox": delete(InboxEvent).where(InboxEvent.state.in_(("sent", "failed", "dropped")), InboxEvent.done_at < messages),
        "outbox": delete(OutboxMessage).where(OutboxMessage.state != "pending", OutboxMessage.done_at < messages),
        "conversations": delete(Conversation).where(Conversation.updated_at < messages),
        "verifications": delete(Verification).where(Verification.verified_at < messages),
        "followers": delete(Follower).where(Follower.dossier_id.in_(returned_long_ago)),
        "lookup_attempts": delete(LookupAttempt).where(LookupAttempt.at < now - KEEP_LOOKUPS),
        "feedback": delete(FeedbackMessage).where(FeedbackMessage.created_at < ratings),
        "handoffs": delete(Handoff).where(Handoff.closed_at < messages),
        "staff_sessions": delete(StaffSession).where(StaffSession.created_at < messages),
        "unplaced_messages": delete(UnplacedMessage).where(UnplacedMessage.created_at < messages),
        "staff_audit": delete(AuditEntry).where(AuditEntry.at < ratings),
        "ratings": update(Rating)
        .where(Rating.created_at < ratings, (Rating.user_id != "") | Rating.comment.is_not(None))
        .values(user_id="", comment=None),
        "applicants": update(Dossier)
        .where(Dossier.returned_at < ratings, or_(*(column.is_not(None) for column in personal)))
        .values(applicant_name=None, applicant_phone=None, applicant_id_number=None),
    }


async def apply_retention(session: AsyncSession, retention: Retention, now: datetime) -> dict[str, int]:
    """Delete or redact what is older than ``retention``; the rows touched, by what."""
    touched = {}
    for name, statement in _statements(retention, now).items():
        touched[name] = int((await session.execute(statement)).rowcount or 0)  # type: ignore[attr-defined]
    return touched
