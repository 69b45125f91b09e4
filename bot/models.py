"""Database tables (SQLAlchemy 2). Alembic (``migrations/``) owns the schema.

Personal data (names, phones, ID numbers) lives only in ``dossiers``; every other table
refers to a dossier by id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite forgets the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime, dict[str, Any]: JSON, list[str]: JSON}


class Agency(Base):
    """A one-stop office: contact facts the bot gives citizens."""

    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Procedure(Base):
    """A catalogue entry; ``data`` is the validated record from data/procedures/."""

    __tablename__ = "procedures"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    field: Mapped[str] = mapped_column(String(255))
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProcedureLayer(Base):
    """A province's own facts for a procedure (bot/catalog/layers.py), merged over the national record."""

    __tablename__ = "procedure_layers"
    __table_args__ = (UniqueConstraint("province", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    province: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Dossier(Base):
    """A dossier from the one-stop system. The applicant fields are personal data."""

    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_status_appointment", "status", "appointment_at"),
        Index("ix_dossiers_agency_received", "agency_code", "received_at"),  # the monthly report
        # The overdue sweep: unfinished dossiers by the appointment in force.
        Index(
            "ix_dossiers_open_due",
            func.coalesce(text("new_appointment_at"), text("appointment_at")),
            postgresql_where=text("status IN (1, 2, 4)"),
            sqlite_where=text("status IN (1, 2, 4)"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    procedure_code: Mapped[str | None] = mapped_column(String(64), index=True)
    agency_code: Mapped[str | None] = mapped_column(String(64))
    applicant_name: Mapped[str | None] = mapped_column(String(255))
    applicant_phone: Mapped[str | None] = mapped_column(String(32))
    # Only the last 4 digits (bot/dossiers/records.py): all that confirmation needs.
    applicant_id_number: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[int] = mapped_column(Integer)
    channel: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime | None]
    appointment_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    delay_reason: Mapped[str | None] = mapped_column(Text)
    new_appointment_at: Mapped[datetime | None]
    # When the one-stop system asks for papers (status 5): the date they are due, if it sets one.
    supplement_due_at: Mapped[datetime | None]
    # The appointment (in force) the overdue sweep last apologised for: it is not swept again.
    apologised_for: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DossierEvent(Base):
    """A status or date change of a dossier, as seen by an import: what notices are made from."""

    __tablename__ = "dossier_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(String(64))
    new_value: Mapped[str | None] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    """Per platform user: what the conversation is about, so follow-up questions work."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    procedure_code: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Follower(Base):
    """A platform user who gets notices about a dossier (the applicant, a relative, a helper)."""

    __tablename__ = "dossier_followers"
    __table_args__ = (UniqueConstraint("dossier_id", "platform", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    # How they became one: "chat" (confirmed digits), "receipt" (signed QR), "officer" (CLI).
    via: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Verification(Base):
    """A platform user who proved to know a dossier (last 4 digits of its phone or ID number)."""

    __tablename__ = "dossier_verifications"
    __table_args__ = (UniqueConstraint("dossier_id", "platform", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)


class LookupAttempt(Base):
    """A failed lookup (unknown code, wrong digits) or a dossier looked up by code alone: what
    the per-user, per-address and per-dossier limits count."""

    __tablename__ = "lookup_attempts"
    __table_args__ = (
        Index("ix_lookup_attempts_user_at", "platform", "user_id", "at"),
        Index("ix_lookup_attempts_dossier_at", "dossier_id", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Wrong digits name the dossier guessed at (they count against it from any sender); a
    # lookup names the dossier seen (the same one again is not counted twice).
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE", name="fk_lookup_attempts_dossier_id"))


class Rating(Base):
    """A 1–5 satisfaction rating, about a dossier or the conversation, with an optional comment."""

    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="SET NULL"), index=True)
    agency_code: Mapped[str | None] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # An officer read it and acted (staff console): who and when.
    handled_at: Mapped[datetime | None]
    handled_by: Mapped[str | None] = mapped_column(String(64))


class FeedbackMessage(Base):
    """Praise, complaints and suggestions, kept for officers."""

    __tablename__ = "feedback_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    handled_at: Mapped[datetime | None]
    handled_by: Mapped[str | None] = mapped_column(String(64))


class InboxEvent(Base):
    """An inbound platform event, stored before the webhook answers 200: nothing is lost, and a
    redelivery (same platform and message id) is ignored. The worker answers it, keeps the
    replies, and sends them (retrying the sending, never the dialogue turn)."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "message_id"),
        Index("ix_inbox_state_due", "state", "due_at"),
        Index("ix_inbox_user_state", "platform", "user_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(191))
    user_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    # new → answered (replies kept) → sent; or failed / dropped with last_error.
    state: Mapped[str] = mapped_column(String(16), default="new")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    replies: Mapped[list[Any] | None] = mapped_column(JSON)
    # Parts of the replies already accepted by the platform: a retry sends only the rest.
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    # Who holds the lease (until due_at): finishing checks it is still the same worker.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(255))


class PlatformToken(Base):
    """A platform's current token pair (Zalo's refresh token is single-use: rotated atomically)."""

    __tablename__ = "platform_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), unique=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Contact(Base):
    """A platform user: when they last wrote (the platforms' window rules need it) and
    whether they can still be reached (blocked, left, inactive)."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    last_inbound_at: Mapped[datetime | None]
    # Set when the platform says the user cannot be reached; a new message from them clears it.
    unreachable_at: Mapped[datetime | None]
    unreachable_reason: Mapped[str | None] = mapped_column(String(255))
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A notice the bot sends on its own (result ready, apology …), one per (dossier, follower,
    kind, appointment date): ``dedupe_key`` is unique, so a rule that fires twice adds nothing.

    ``data`` is the dossier's facts at the moment of the change (no name, phone or ID number);
    the text is rendered from it when the notice is sent. ``due_at`` doubles as the lease while
    a dispatcher holds the row (``lease_token`` says which one)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(191), unique=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="SET NULL"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # pending → sent; or failed (gave up, or the user cannot be reached) / undeliverable
    # (outside the platform's window with no template: an officer should call) / cancelled.
    state: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    # How it went out: window (consultation / UPDATE), tag (Messenger ACCOUNT_UPDATE), template or zns (Zalo).
    via: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    # Undeliverable or failed: an officer called the citizen instead (staff console).
    called_at: Mapped[datetime | None]
    called_by: Mapped[str | None] = mapped_column(String(64))


class StaffAccount(Base):
    """An officer, a community digital team helper or an admin of the staff console (/staff)."""

    __tablename__ = "staff_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # helper < officer < admin
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, parameters in the hash
    # Consecutive wrong passwords; at the limit the account is locked until ``locked_until``.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    copy of the database opens no session. Revoked by signing out or by an admin."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))  # the forms' token for this session
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Who saw a dossier's personal data or wrote to a citizen, when, and what: for admins."""

    __tablename__ = "staff_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True)
    username: Mapped[str] = mapped_column(String(64))  # kept when the account is deleted
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(191))
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Handoff(Base):
    """A conversation passed to a person: the citizen asked for one, the bot failed twice in a
    row, or a rating of 1–2. ``waiting`` → ``taken`` (an officer holds it: the bot is silent for
    that user) → ``closed`` (given back). ``open_key`` is the user's key while open and NULL
    once closed: the unique constraint allows one open hand-off per user."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_state_created", "state", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    open_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    reason: Mapped[str] = mapped_column(String(16))  # asked | failed_twice | low_rating
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL", name="fk_handoffs_officer_id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    taken_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class UnplacedMessage(Base):
    """A message the bot could not place — its fallback, a question about a procedure it could
    not find, a second miss in a row (which calls an officer) — with its best guess, for officers to
    label (bot/staff/questions.py) and ``export-training`` to turn into training data. Long
    digit runs (phones, ID numbers) and e-mail addresses are masked before it is stored; the
    sender is not kept."""

    __tablename__ = "unplaced_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(16))  # fallback | no_procedure | failed_twice
    guess_intent: Mapped[str | None] = mapped_column(String(64))
    guess_confidence: Mapped[float | None] = mapped_column(Float)
    guess_procedure: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    label_intent: Mapped[str | None] = mapped_column(String(64))
    label_procedure: Mapped[str | None] = mapped_column(String(64))
    labelled_by: Mapped[str | None] = mapped_column(String(64))
    labelled_at: Mapped[datetime | None] = mapped_column(index=True)
