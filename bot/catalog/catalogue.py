"""What the dialogue knows: the procedures, the matters handled elsewhere, the office."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.loader import load_referrals
from bot.catalog.matcher import ProcedureMatcher
from bot.catalog.records import AgencyRecord
from bot.catalog.referrals import ReferralFinder
from bot.catalog.store import read_agency, read_procedures
from bot.config import ConfigError
from nlu.evaluation import read_examples


@dataclass(frozen=True)
class Catalogue:
    procedures: ProcedureMatcher
    referrals: ReferralFinder
    office: AgencyRecord


def ordinary_words(nlu_data: Path) -> set[str]:
    """Words citizens use in questions (the NLU training data): never read as typos."""
    return {w for file in sorted(nlu_data.glob("*.yml")) for e in read_examples(file) for w in e.text.split()}


async def load_catalogue(session: AsyncSession, data_dir: Path, agency_code: str) -> Catalogue:
    office = await read_agency(session, agency_code)
    if office is None:
        raise ConfigError("AGENCY_CODE", f"{agency_code!r} is not in the database (import data/agencies.yml)")
    words = ordinary_words(data_dir / "nlu")
    return Catalogue(
        ProcedureMatcher(await read_procedures(session, office.province), words),
        ReferralFinder(load_referrals(data_dir / "referrals.yml"), words),
        office,
    )
