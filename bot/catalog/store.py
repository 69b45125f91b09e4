"""Catalogue in the database: import from files, read back for the bot."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import layers
from bot.catalog.loader import agencies_from_json, from_json, to_json
from bot.catalog.records import AgencyRecord, ProcedureRecord
from bot.models import Agency, Procedure
from bot.models import ProcedureLayer as LayerRow


@dataclass
class ImportCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"inserted {self.inserted}, updated {self.updated}, unchanged {self.unchanged}"


async def upsert_procedures(session: AsyncSession, records: Iterable[ProcedureRecord]) -> ImportCounts:
    counts = ImportCounts()
    existing = {p.code: p for p in await session.scalars(select(Procedure))}
    for record in records:
        data = to_json(record)
        row = existing.get(record.code)
        if row is None:
            session.add(Procedure(code=record.code, name=record.name, field=record.field, data=data))
            counts.inserted += 1
        elif row.data != data:
            row.name, row.field, row.data = record.name, record.field, data
            counts.updated += 1
        else:
            counts.unchanged += 1
    return counts


async def upsert_agencies(session: AsyncSession, records: Iterable[AgencyRecord]) -> ImportCounts:
    counts = ImportCounts()
    existing = {a.code: a for a in await session.scalars(select(Agency))}
    for record in records:
        data = to_json(record)
        row = existing.get(record.code)
        if row is None:
            session.add(Agency(code=record.code, name=record.name, data=data))
            counts.inserted += 1
        elif row.data != data:
            row.name, row.data = record.name, data
            counts.updated += 1
        else:
            counts.unchanged += 1
    return counts


async def upsert_layers(session: AsyncSession, found: Iterable[layers.ProcedureLayer]) -> ImportCounts:
    """Province layers by (province, code); one no longer in the files is kept (import is additive)."""
    counts = ImportCounts()
    existing = {(row.province, row.code): row for row in await session.scalars(select(LayerRow))}
    for layer in found:
        row = existing.get((layer.province, layer.code))
        if row is None:
            session.add(LayerRow(province=layer.province, code=layer.code, data=layer.data))
            counts.inserted += 1
        elif row.data != layer.data:
            row.data = layer.data
            counts.updated += 1
        else:
            counts.unchanged += 1
    return counts


async def read_procedures(session: AsyncSession, province: str | None = None) -> list[ProcedureRecord]:
    """The national records, with ``province``'s layer merged over them."""
    national = [from_json(p.data) for p in await session.scalars(select(Procedure).order_by(Procedure.code))]
    if province is None:
        return national
    rows = await session.scalars(select(LayerRow).where(LayerRow.province == province))
    return layers.apply(national, [layers.ProcedureLayer(row.province, row.code, row.data) for row in rows])


async def read_agency(session: AsyncSession, code: str) -> AgencyRecord | None:
    row = await session.scalar(select(Agency).where(Agency.code == code))
    return agencies_from_json([row.data])[0] if row else None


async def count_procedures(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Procedure)) or 0)
