"""Which notices a dossier change earns: a pure function of the change, the followers and the
policy (no database, no clock), so the rules are tested on their own and applied inside the
transaction that records the change.

Keys make the rules idempotent: one notice per (dossier, follower, kind, appointment date).
An apology is keyed by the appointment it missed, so a missed *new* appointment earns a new
apology, and the same missed date is never apologised for twice (by the sweep and by a
delay the one-stop system records); when the latter comes second it is sent as a "new date"
notice instead (see :attr:`Notice.instead`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.notify import kinds

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# The office is still working: it can be late (supplement and payment stop the clock).
IN_PROGRESS = frozenset({1, 2, 4})
STATUS_KINDS = {2: kinds.RECEIVED, 3: kinds.REFUSED, 5: kinds.SUPPLEMENT, 6: kinds.PAYMENT, 8: kinds.STOPPED, 9: kinds.READY}
RETURNED_STATUS = 10
_ONCE = frozenset({kinds.READY, kinds.RETURNED, kinds.SURVEY})  # once per dossier and follower


@dataclass(frozen=True)
class Facts:
    """What a notice may say about a dossier: no name, phone or ID number."""

    dossier_id: int
    code: str
    status: int
    procedure_code: str | None = None
    channel: int | None = None
    received_at: datetime | None = None
    appointment_at: datetime | None = None
    new_appointment_at: datetime | None = None
    supplement_due_at: datetime | None = None
    reason: str | None = None

    @property
    def due(self) -> datetime | None:
        """The appointment in force: the new one when the office set one."""
        return self.new_appointment_at or self.appointment_at


@dataclass(frozen=True)
class Change:
    before: Facts | None  # None: the dossier is new
    after: Facts


@dataclass(frozen=True)
class FollowerRef:
    platform: str
    user_id: str


@dataclass(frozen=True)
class Policy:
    kinds: frozenset[str] = kinds.DEFAULT
    survey_delay: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class Notice:
    dedupe_key: str
    dossier_id: int
    platform: str
    user_id: str
    kind: str
    data: dict[str, Any]
    due_at: datetime
    instead: Notice | None = None  # sent when this one's key already exists


def local_day(value: datetime | None) -> date | None:
    return value.astimezone(VIETNAM).date() if value is not None else None


def is_late(facts: Facts, now: datetime) -> bool:
    """Unfinished and its appointment day is over (calendar days in Vietnam)."""
    due = local_day(facts.due)
    today = local_day(now)
    return facts.status in IN_PROGRESS and due is not None and today is not None and due < today


def key(dossier_id: int, follower: FollowerRef, kind: str, marker: str) -> str:
    raw = f"{dossier_id}:{kind}:{marker}:{follower.platform}:{follower.user_id}"
    return raw if len(raw) <= 191 else f"{dossier_id}:{kind}:{marker}:" + hashlib.sha256(raw.encode()).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def facts_data(facts: Facts, **extra: Any) -> dict[str, Any]:
    """The notice's data: the facts at the moment of the change, as JSON."""
    data = {
        "code": facts.code,
        "status": facts.status,
        "procedure_code": facts.procedure_code,
        "channel": facts.channel,
        "received_at": _iso(facts.received_at),
        "appointment_at": _iso(facts.appointment_at),
        "new_appointment_at": _iso(facts.new_appointment_at),
        "supplement_due_at": _iso(facts.supplement_due_at),
        "reason": facts.reason,
    }
    return {**data, **{k: _iso(v) if isinstance(v, datetime) else v for k, v in extra.items()}}


def _marker(value: datetime | None) -> str:
    day = local_day(value)
    return day.isoformat() if day else "none"


def _maker(after: Facts, follower: FollowerRef, now: datetime) -> Callable[..., Notice]:
    def notice(kind: str, marker: str, due_at: datetime = now, **extra: Any) -> Notice:
        dedupe = key(after.dossier_id, follower, kind, marker)
        return Notice(dedupe, after.dossier_id, follower.platform, follower.user_id, kind, facts_data(after, **extra), due_at)

    return notice


def notices_for_change(change: Change, followers: Sequence[FollowerRef], policy: Policy, now: datetime) -> list[Notice]:
    """The notices one change earns for each follower (nothing for a change nobody follows)."""
    after, before = change.after, change.before
    found: list[Notice] = []
    for follower in followers:
        notice = _maker(after, follower, now)
        wanted: list[Notice] = []
        if before is None or before.status != after.status:
            kind = STATUS_KINDS.get(after.status)
            if kind == kinds.SUPPLEMENT:
                wanted.append(notice(kind, f"{_marker(after.due)}:{_marker(after.supplement_due_at)}"))
            elif kind is not None:
                wanted.append(notice(kind, "once" if kind in _ONCE else _marker(after.due)))
            elif after.status == RETURNED_STATUS:
                wanted.append(notice(kinds.RETURNED, "once"))
                wanted.append(notice(kinds.SURVEY, "once", now + policy.survey_delay))
        delayed = after.new_appointment_at is not None and (before is None or before.new_appointment_at != after.new_appointment_at)
        if delayed and after.status in IN_PROGRESS:
            missed = (before.due if before is not None else None) or after.appointment_at
            new_date = notice(kinds.NEW_DATE, _marker(after.new_appointment_at))
            apology = notice(kinds.APOLOGY, _marker(missed), missed_at=missed)
            wanted.append(replace(apology, instead=new_date if kinds.NEW_DATE in policy.kinds else None))
        found += [n for n in wanted if n.kind in policy.kinds]
    return found


def apologies_for_late(facts: Facts, followers: Sequence[FollowerRef], policy: Policy, now: datetime) -> list[Notice]:
    """The overdue sweep: the appointment in force passed without a result."""
    if kinds.APOLOGY not in policy.kinds or not is_late(facts, now):
        return []
    return [
        Notice(
            key(facts.dossier_id, follower, kinds.APOLOGY, _marker(facts.due)),
            facts.dossier_id,
            follower.platform,
            follower.user_id,
            kinds.APOLOGY,
            facts_data(facts, missed_at=facts.due, new_appointment_at=None),
            now,
        )
        for follower in followers
    ]


def notices(changes: Sequence[Change], followers: Mapping[int, Sequence[FollowerRef]], policy: Policy, now: datetime) -> list[Notice]:
    return [n for change in changes for n in notices_for_change(change, followers.get(change.after.dossier_id, ()), policy, now)]
