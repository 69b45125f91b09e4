"""Catalogue commands: ``import-procedures`` (national records, or a province's layer) and
``catalogue-check`` (what will go blank, what is unconfirmed, what the office still lacks)."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from pathlib import Path

from bot.catalog import check, layers
from bot.catalog.loader import CatalogError, load_agencies, load_procedures, procedure_files
from bot.catalog.records import AgencyRecord
from bot.catalog.store import read_procedures, upsert_layers, upsert_procedures
from bot.config import Settings
from bot.db import command_session
from bot.formatting import VIETNAM
from bot.progress import ProgressBar


async def cmd_import_procedures(settings: Settings, path: Path, province: str | None) -> int:
    """Validate every record first (nothing is written if one is wrong), then upsert. With
    ``province``, the files are that province's layer, checked against the national records
    already imported."""
    started = time.perf_counter()
    async with command_session(settings.database_url) as session:
        try:
            with ProgressBar(f"Reading {path.name}", len(procedure_files(path)), unit="files") as bar:
                if province is None:
                    records = load_procedures(path, bar.advance)
                    counts = await upsert_procedures(session, records)
                    what = f"{len(records)} procedures"
                else:
                    found = layers.load_layer_files(province, path, await read_procedures(session), bar.advance)
                    counts = await upsert_layers(session, found)
                    what = f"{len(found)} layers of province {province}"
        except CatalogError as exc:
            print(f"Not imported: {exc}", file=sys.stderr)
            return 1
    print(f"{what} from {path}: {counts} ({time.perf_counter() - started:.2f} s)")
    return 0


def cmd_catalogue_check(settings: Settings, on: date, within: int, province: str | None) -> int:
    """0 when no key figure goes blank within the window, 1 when one does, 2 when the files are wrong."""
    try:
        national = load_procedures(settings.data_dir / "procedures")
        agency = _agency(settings)
        chosen = province or (agency.province if agency else None)
        found_layers = [layer for layer in layers.load_layers(settings.data_dir, national) if layer.province == chosen]
    except CatalogError as exc:
        print(f"Cannot check: {exc}", file=sys.stderr)
        return 2
    procedures = layers.apply(national, found_layers)
    found = check.check(procedures, agency if province is None else None, on, within)
    print(f"Agency {settings.agency_code}, province layer {chosen or '(none)'}")
    print("\n".join(check.report(found, procedures, on, within)))
    return 1 if any(f.failing for f in found) else 0


def _agency(settings: Settings) -> AgencyRecord | None:
    agencies = load_agencies(settings.data_dir / "agencies.yml")
    return next((a for a in agencies if a.code == settings.agency_code), None)


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date (YYYY-MM-DD)") from None


def _days(raw: str) -> int:
    if not raw.isdecimal() or int(raw) > 3650:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number of days from 0 to 3650")
    return int(raw)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imports = sub.add_parser("import-procedures", help="validate procedure files (YAML/JSON) and load or update them")
    imports.add_argument("path", type=Path, help="a file (one record or a list) or a folder of files")
    imports.add_argument("--province", help="the files are this province's layer (data/provinces/<province>/procedures)")
    checks = sub.add_parser("catalogue-check", help="figures that go blank or are unconfirmed; the office's empty fields")
    checks.add_argument("--on", type=_day, default=None, help="the first day checked (default: today in Vietnam)")
    checks.add_argument("--within", type=_days, default=0, help="also the next DAYS days (exit 1 if a key figure goes blank)")
    checks.add_argument("--province", help="check this province's layer instead of the agency's (AGENCY_CODE)")


async def run(args: argparse.Namespace, settings: Settings) -> int | None:
    """Run a catalogue command; ``None`` when ``args`` is another module's command."""
    if args.command == "import-procedures":
        return await cmd_import_procedures(settings, args.path, args.province)
    if args.command == "catalogue-check":
        return cmd_catalogue_check(settings, args.on or datetime.now(VIETNAM).date(), args.within, args.province)
    return None
