"""Demo data from DATA_DIR: the catalogue kept in step with its files, dossiers into an empty database."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from bot.catalog.loader import load_agencies, load_procedures
from bot.catalog.store import upsert_agencies, upsert_procedures
from bot.db import SessionFactory
from bot.dossiers.records import RecordError, parse_record
from bot.dossiers.store import count_dossiers, upsert_dossiers

log = logging.getLogger(__name__)


async def load_demo_data(sessions: SessionFactory, data_dir: Path) -> None:
    """Agencies and procedures upserted from their files at every start (a no-op when
    unchanged, so a developer's database follows the data); demo dossiers on first start."""
    async with sessions() as session, session.begin():
        agencies = await upsert_agencies(session, load_agencies(data_dir / "agencies.yml"))
        procedures = await upsert_procedures(session, load_procedures(data_dir / "procedures"))
        log.info("catalogue: agencies %s; procedures %s", agencies, procedures)
        demo = data_dir / "demo" / "dossiers.jsonl"
        if demo.exists() and await count_dossiers(session) == 0:
            records = []
            for number, line in enumerate(demo.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    records.append(parse_record(json.loads(line)))
                except (ValueError, RecordError) as exc:
                    raise RecordError(f"{demo}:{number}: {exc}") from exc
            counts = await upsert_dossiers(session, records)
            log.info("loaded %d demo dossiers", counts.inserted)
