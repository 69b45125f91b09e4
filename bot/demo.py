"""At start: the catalogue kept in step with DATA_DIR's files, and — only when asked — the
synthetic demo dossiers (data/demo/) in an empty database. A bot started without asking never
invents dossiers; ``/healthz`` says when demo dossiers are in the database."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.layers import load_layers
from bot.catalog.loader import load_agencies, load_procedures
from bot.catalog.store import upsert_agencies, upsert_layers, upsert_procedures
from bot.db import SessionFactory, one_at_a_time
from bot.dossiers.records import DossierRecord, RecordError, parse_record
from bot.dossiers.store import count_dossiers, upsert_dossiers
from bot.models import Dossier

log = logging.getLogger(__name__)


def _demo_file(data_dir: Path) -> Path:
    return data_dir / "demo" / "dossiers.jsonl"


async def sync_catalogue(sessions: SessionFactory, data_dir: Path) -> None:
    """Agencies, procedures and province layers upserted from their files (a no-op when
    unchanged, so a developer's database follows the data)."""
    national = load_procedures(data_dir / "procedures")
    found = load_layers(data_dir, national)
    async with sessions() as session, session.begin():
        await one_at_a_time(session)
        agencies = await upsert_agencies(session, load_agencies(data_dir / "agencies.yml"))
        procedures = await upsert_procedures(session, national)
        provincial = await upsert_layers(session, found)
        log.info("catalogue: agencies %s; procedures %s; province layers %s", agencies, procedures, provincial)


def demo_records(data_dir: Path) -> list[DossierRecord]:
    """The demo dossiers; a bad line names the file and line."""
    demo = _demo_file(data_dir)
    records: list[DossierRecord] = []
    if not demo.exists():
        return records
    for number, line in enumerate(demo.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(parse_record(json.loads(line)))
        except (ValueError, RecordError) as exc:
            raise RecordError(f"{demo}:{number}: {exc}") from exc
    return records


async def load_demo_dossiers(sessions: SessionFactory, data_dir: Path) -> None:
    """The demo dossiers, into an empty database only (never mixed with real ones)."""
    async with sessions() as session, session.begin():
        await one_at_a_time(session)
        if await count_dossiers(session) == 0:
            counts = await upsert_dossiers(session, demo_records(data_dir))
            log.info("loaded %d demo dossiers", counts.inserted)


async def demo_present(session: AsyncSession, codes: frozenset[str]) -> bool:
    """Whether any demo dossier (by its invented code) is in the database."""
    if not codes:
        return False
    return await session.scalar(select(Dossier.id).where(Dossier.code.in_(codes)).limit(1)) is not None
