"""Writing dossiers to the database and reading them back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dossiers.records import DossierRecord
from bot.models import Dossier, DossierEvent

# Changes a citizen may need to hear about, recorded as events.
_TRACKED = ("status", "appointment_at", "new_appointment_at")


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


async def upsert_dossiers(session: AsyncSession, records: Iterable[DossierRecord]) -> UpsertCounts:
    """Insert or update by code, recording every tracked change as a :class:`DossierEvent`."""
    counts = UpsertCounts()
    for record in records:
        values = asdict(record)
        existing = await session.scalar(select(Dossier).where(Dossier.code == record.code))
        if existing is None:
            dossier = Dossier(**values)
            session.add(dossier)
            await session.flush()
            session.add(DossierEvent(dossier_id=dossier.id, kind="status", old_value=None, new_value=str(record.status)))
            counts.inserted += 1
            continue
        changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
        if not changed:
            counts.unchanged += 1
            continue
        for key in _TRACKED:
            if key in changed:
                session.add(
                    DossierEvent(dossier_id=existing.id, kind=key, old_value=_text(getattr(existing, key)), new_value=_text(changed[key]))
                )
        for key, value in changed.items():
            setattr(existing, key, value)
        counts.updated += 1
    return counts


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


async def find_dossier(session: AsyncSession, code: str) -> Dossier | None:
    return await session.scalar(select(Dossier).where(Dossier.code == code))


async def count_dossiers(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Dossier)) or 0)
