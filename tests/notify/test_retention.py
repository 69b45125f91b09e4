"""The retention job: what is older than the settings' ages is deleted or redacted, the rest stays."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.config import Settings
from bot.db import make_engine, make_sessions, migrate
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
    StaffAccount,
    StaffSession,
    Verification,
)  # fmt: skip
from bot.notify.jobs import cleanup_job
from bot.retention import Retention
from tests.conftest import DEMO_NOW

NOW = DEMO_NOW
RETENTION = Retention(messages=timedelta(days=90), ratings=timedelta(days=365))


def _rows(age: timedelta, n: int) -> list[object]:
    """One row of each kept kind, ``age`` old (dossier ``n`` returned that long ago)."""
    at = NOW - age
    return [
        Dossier(id=n, code=f"H26-{n}", status=10, returned_at=at, applicant_name="Lê Văn An", applicant_phone="0912345678",
                applicant_id_number="5678"),
        InboxEvent(platform="zalo", message_id=f"m{n}", user_id="u", kind="text", text="tôi là Lê Văn An", state="sent", done_at=at),
        InboxEvent(platform="zalo", message_id=f"p{n}", user_id="u", kind="text", text="chưa trả lời", state="new", received_at=at),
        OutboxMessage(dedupe_key=f"k{n}", dossier_id=n, platform="zalo", user_id="u", kind="ready", state="sent", done_at=at),
        Conversation(platform="zalo", user_id=f"u{n}", updated_at=at),
        Verification(dossier_id=n, platform="zalo", user_id="u", verified_at=at),
        Follower(dossier_id=n, platform="zalo", user_id="u", via="chat", created_at=at),
        LookupAttempt(platform="zalo", user_id="u", kind="lookup", at=at),
        FeedbackMessage(platform="zalo", user_id="u", text="cán bộ nhiệt tình", created_at=at),
        Rating(dossier_id=n, platform="zalo", user_id="u", score=4, comment="nhanh", created_at=at),
        StaffAccount(id=n, username=f"can.bo{n}", role="officer", password_hash="x", failed_logins=0, created_at=at),
        StaffSession(token_hash=f"t{n}", staff_id=n, csrf="c", created_at=at, last_seen_at=at),
        AuditEntry(staff_id=n, username=f"can.bo{n}", action="view_dossier", target=f"H26-{n}", at=at),
        Handoff(platform="zalo", user_id=f"u{n}", reason="asked", state="closed", created_at=at, closed_at=at),
        Handoff(platform="zalo", user_id=f"w{n}", open_key=f"zalo:w{n}", reason="asked", state="waiting", created_at=at),
    ]  # fmt: skip


async def test_old_rows_go_recent_ones_stay(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
        sessions = make_sessions(engine)
        async with sessions() as session, session.begin():
            rows = _rows(timedelta(days=1), 1) + _rows(timedelta(days=100), 2) + _rows(timedelta(days=400), 3)
            session.add_all([row for row in rows if isinstance(row, (Dossier, StaffAccount))])
            await session.flush()  # what the other rows refer to
            session.add_all([row for row in rows if not isinstance(row, (Dossier, StaffAccount))])
        await cleanup_job(sessions, RETENTION, lambda: NOW)
        async with sessions() as session:

            async def count(model: type, *where: object) -> int:
                return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]

            # Messages, notices, conversations, proofs and followers: 90 days; unanswered inbox rows stay.
            assert await count(InboxEvent, InboxEvent.state == "sent") == 1
            assert await count(InboxEvent, InboxEvent.state == "new") == 3
            for model in (OutboxMessage, Conversation, Verification, Follower, StaffSession):
                assert await count(model) == 1, model
            assert await count(Handoff, Handoff.state == "closed") == 1 and await count(Handoff, Handoff.state == "waiting") == 3
            assert await count(AuditEntry) == 2  # the staff audit log: a year
            assert await count(LookupAttempt) == 1  # the limits look back a day
            # Ratings and feedback: a year; an older rating keeps its score, not who gave it or the comment.
            assert await count(FeedbackMessage) == 2
            ratings = [(r.user_id, r.comment, r.score) for r in await session.scalars(select(Rating).order_by(Rating.dossier_id))]
            assert ratings == [("u", "nhanh", 4), ("u", "nhanh", 4), ("", None, 4)]
            applicants = [
                (d.applicant_name, d.applicant_phone, d.applicant_id_number)
                for d in await session.scalars(select(Dossier).order_by(Dossier.id))
            ]
            assert applicants == [("Lê Văn An", "0912345678", "5678")] * 2 + [(None, None, None)]
        assert await cleanup_job(sessions, RETENTION, lambda: NOW) == 0  # nothing left to do: a second pass touches nothing
    finally:
        await engine.dispose()
