"""Writing dossiers to the database and reading them back.

Upserts go by chunks: one query finds the chunk's existing rows, new rows are inserted in
one statement, changed rows updated by primary key, and every change a citizen may need
to hear about (status, appointment dates) is recorded as a :class:`DossierEvent` — what
notifications are made from. 100,000 rows take seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dossiers.records import DossierRecord
from bot.models import Dossier, DossierEvent, utcnow
from bot.notify.outbox import facts_of
from bot.notify.rules import Change

# Changes a citizen may need to hear about, recorded as events.
_TRACKED = ("status", "appointment_at", "new_appointment_at")
_FIELDS = tuple(f.name for f in fields(DossierRecord))
_CHUNK = 500


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    # Changes of existing dossiers (new ones have no followers yet): what notices are made from.
    changes: list[Change] = field(default_factory=list, repr=False)

    def __str__(self) -> str:
        return f"inserted {self.inserted}, updated {self.updated}, unchanged {self.unchanged}"


async def upsert_dossiers(
    session: AsyncSession, records: Sequence[DossierRecord], progress: Callable[[int], None] | None = None
) -> UpsertCounts:
    """Insert or update by code (codes must be unique within ``records``), recording changes;
    ``progress`` is told how many records each chunk wrote (a bar on a terminal)."""
    counts = UpsertCounts()
    for start in range(0, len(records), _CHUNK):
        chunk = records[start : start + _CHUNK]
        await _upsert_chunk(session, chunk, counts)
        if progress is not None:
            progress(len(chunk))
    return counts


async def _upsert_chunk(session: AsyncSession, records: Sequence[DossierRecord], counts: UpsertCounts) -> None:
    columns = [Dossier.id, *(getattr(Dossier, name) for name in _FIELDS)]
    found = await session.execute(select(*columns).where(Dossier.code.in_([r.code for r in records])))
    existing = {row.code: row for row in found}
    new: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    now = utcnow()
    for record in records:
        values = asdict(record)
        row = existing.get(record.code)
        if row is None:
            new.append({**values, "updated_at": now})
            continue
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not changed:
            counts.unchanged += 1
            continue
        events += [_event(row.id, key, getattr(row, key), changed[key], now) for key in _TRACKED if key in changed]
        if any(key in changed for key in _TRACKED):
            counts.changes.append(Change(facts_of(row), facts_of(_Row(row.id, values))))
        changes.append({"id": row.id, **values, "updated_at": now})
        counts.updated += 1
    if new:
        # One multi-row INSERT, then the new ids by code (RETURNING in parameter order would
        # make SQLite insert row by row).
        await session.execute(insert(Dossier), new)
        found_ids = await session.execute(select(Dossier.code, Dossier.id).where(Dossier.code.in_([v["code"] for v in new])))
        ids: dict[str, int] = {code: dossier_id for code, dossier_id in found_ids}
        events += [_event(ids[values["code"]], "status", None, values["status"], now) for values in new]
        counts.inserted += len(new)
    if changes:
        await session.execute(update(Dossier), changes)
    if events:
        await session.execute(insert(DossierEvent), events)


class _Row:
    """A record's values with an id, read like a dossier row by :func:`facts_of`."""

    def __init__(self, dossier_id: int, values: dict[str, Any]) -> None:
        self.id = dossier_id
        self.__dict__.update(values)


def _event(dossier_id: int, kind: str, old: object, new: object, now: datetime) -> dict[str, Any]:
    return {"dossier_id": dossier_id, "kind": kind, "old_value": _text(old), "new_value": _text(new), "seen_at": now}


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


async def find_dossier(session: AsyncSession, code: str) -> Dossier | None:
    return await session.scalar(select(Dossier).where(Dossier.code == code))


async def count_dossiers(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Dossier)) or 0)
