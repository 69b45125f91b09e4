"""Importing dossiers from the one-stop system: CSV (UTF-8, header row) or JSON Lines.

Every row is checked first; a bad row is rejected with its line number and the reason and
never stops the good ones. A code that appears on several rows is rejected on all of them
(which one is right cannot be known). The good rows are upserted in one transaction, so
nothing is half-applied. Reasons never contain a phone or ID number.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.dossiers.records import DossierRecord, RecordError, parse_record
from bot.dossiers.store import UpsertCounts, upsert_dossiers
from bot.notify.outbox import record_changes
from bot.notify.rules import Policy

KEYS = (
    "code", "procedure_code", "agency_code", "applicant_name", "applicant_phone", "applicant_id_number", "received_at",
    "appointment_at", "status", "finished_at", "returned_at", "channel", "delay_reason", "new_appointment_at",
)  # fmt: skip


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a row: the file)."""


@dataclass
class Checked:
    """Rows that passed, and those rejected as (line or position, reason)."""

    records: list[DossierRecord] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ImportReport:
    counts: UpsertCounts
    rejected: list[tuple[int, str]]
    notices: int = 0  # outbox rows the changes earned

    def count(self) -> None:
        """Into the process's metrics, once the import's transaction has committed."""
        for result in ("inserted", "updated", "unchanged"):
            metrics.IMPORTED.labels(result).inc(getattr(self.counts, result))
        metrics.IMPORTED.labels("rejected").inc(len(self.rejected))

    def lines(self, where: str = "line") -> list[str]:
        summary = f"{self.counts}, rejected {len(self.rejected)}, notices {self.notices}"
        return [summary, *(f"{where} {number}: {reason}" for number, reason in self.rejected)]


def read_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, row) pairs; a JSON line that does not parse comes back as ``None``."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"{path}: is not UTF-8 text") from None
    first = text.lstrip()[:1]
    if path.suffix.lower() in {".jsonl", ".ndjson", ".json"} or first == "{":
        yield from _json_lines(text)
    else:
        yield from _csv_rows(text, path)


def _json_lines(text: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError:
            yield number, None


def _csv_rows(text: str, path: Path) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    if "code" not in header or "status" not in header:
        raise ImportFileError(f"{path}: the header row must name the columns (at least code and status): {', '.join(KEYS)}")
    reader.fieldnames = header
    for row in reader:
        if None in row:
            yield reader.line_num, None  # more cells than columns
        elif any(v and v.strip() for v in row.values()):
            yield reader.line_num, row


def check_rows(rows: Iterator[tuple[int, Any]] | list[tuple[int, Any]], where: str = "line") -> Checked:
    """Parse every row; reject bad ones and every row of a code that appears twice.

    ``where`` names a row's number in the reasons ("line" in files, "record" in API batches).
    """
    checked = Checked()
    parsed: list[tuple[int, DossierRecord]] = []
    lines_of: dict[str, list[int]] = defaultdict(list)
    for number, row in rows:
        if row is None:
            checked.rejected.append((number, "not a valid row (malformed JSON or too many cells)"))
            continue
        try:
            record = parse_record(row)
        except RecordError as exc:
            checked.rejected.append((number, str(exc)))
            continue
        parsed.append((number, record))
        lines_of[record.code].append(number)
    for number, record in parsed:
        others = [n for n in lines_of[record.code] if n != number]
        if others:
            checked.rejected.append((number, f"code: {record.code} appears more than once (also {where} {', '.join(map(str, others))})"))
        else:
            checked.records.append(record)
    checked.rejected.sort()
    return checked


async def import_checked(
    session: AsyncSession, checked: Checked, policy: Policy, now: datetime, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Upsert the records and add the notices their changes earn, in the caller's transaction."""
    counts = await upsert_dossiers(session, checked.records, progress)
    notices = await record_changes(session, counts.changes, policy, now)
    return ImportReport(counts, checked.rejected, notices)
