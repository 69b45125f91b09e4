"""Importing dossiers: rules per row, nothing half-applied, re-import changes nothing, events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import ROOT
from bot.db import make_engine, make_sessions
from bot.dossiers.importer import KEYS, check_rows, read_rows
from bot.models import Dossier, DossierEvent

GOOD = {
    "code": "000.00.31.H26-261101-0101", "procedure_code": "1.001193", "agency_code": "dan-phuong",
    "applicant_name": "Người Thử", "applicant_phone": "0900000101", "applicant_id_number": "001090000101",
    "received_at": "2026-11-01T08:00:00", "appointment_at": "2026-11-03", "status": "Đang xử lý",
    "finished_at": None, "returned_at": None, "channel": "truc_tuyen", "delay_reason": None, "new_appointment_at": None,
}  # fmt: skip


def _jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def _import(path: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "import-dossiers", str(path)], check=False, env=env, cwd=ROOT, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"finished_at": "2026-10-30", "status": 9}, "finished_at: is before received_at"),
        ({"returned_at": "2026-10-31"}, "returned_at: is before received_at"),
        ({"appointment_at": "2026-10-01"}, "appointment_at: is before received_at"),
        ({"status": "Chờ duyệt"}, "status: 'Chờ duyệt' is not a status code"),
        ({"status": 11}, "status: '11' is not a status code"),
        ({"channel": "fax"}, "channel: 'fax' is not truc_tiep"),
        ({"received_at": "01/11/2026"}, "received_at: '01/11/2026' is not an ISO 8601"),
        ({"received_at": "2026-02-30"}, "received_at: '2026-02-30' is not an ISO 8601"),
        ({"code": "1.001193"}, "code: '1.001193' is not a dossier code"),
        ({"code": None}, "code: is required"),
        ({"applicant_phone": "09x1234567"}, "applicant_phone: not a valid number"),
        ({"applicant_id_number": "12345"}, "applicant_id_number: not a valid number"),
        ({"applicant_name": "Nguyễn " * 50}, "applicant_name: longer than 255 characters"),
        ({"procedure_code": "1" * 65}, "procedure_code: longer than 64 characters"),
        ({"delay_reason": "x" * 8001}, "delay_reason: longer than 8000 characters"),
        ({"applicant_name": "Nguyễn\x00An"}, "applicant_name: holds a NUL"),
        ({"delay_reason": "thiếu \ud800 giấy"}, "delay_reason: holds a NUL or half a character"),
    ],
)
def test_each_bad_row_is_rejected_with_a_reason_that_names_the_field(change: dict[str, object], reason: str) -> None:
    checked = check_rows([(1, GOOD), (2, {**GOOD, "code": "000.00.31.H26-261101-0102", **change})])
    assert [r.code for r in checked.records] == ["000.00.31.H26-261101-0101"]
    [(line, text)] = checked.rejected
    assert line == 2 and text.startswith(reason)
    assert "09x1234567" not in text and "12345" not in text  # personal data is never echoed


def test_statuses_channels_and_dates_in_every_accepted_form() -> None:
    checked = check_rows([(1, {**GOOD, "status": "4", "channel": "2", "applicant_phone": "+84 900 000 101", "received_at": "2026-11-01"})])
    [record] = checked.records
    assert (record.status, record.channel, record.applicant_phone) == (4, 2, "0900000101")
    assert record.received_at is not None and record.received_at.isoformat() == "2026-10-31T17:00:00+00:00"  # midnight in Vietnam


def test_a_code_twice_in_a_file_is_rejected_on_both_lines() -> None:
    checked = check_rows([(1, GOOD), (2, {**GOOD, "status": 9, "finished_at": "2026-11-02"})])
    assert checked.records == []
    assert [line for line, _ in checked.rejected] == [1, 2]


def test_csv_and_jsonl_read_alike(tmp_path: Path) -> None:
    csv_file = tmp_path / "d.csv"
    csv_file.write_text(",".join(KEYS) + "\n" + ",".join("" if GOOD[k] is None else str(GOOD[k]) for k in KEYS) + "\n", encoding="utf-8")
    jsonl_file = _jsonl(tmp_path / "d.jsonl", [GOOD])
    assert check_rows(read_rows(csv_file)).records == check_rows(read_rows(jsonl_file)).records


async def test_import_counts_events_and_idempotence(tmp_path: Path, database_url: str) -> None:
    second = {**GOOD, "code": "000.00.31.H26-261101-0102"}
    file = _jsonl(tmp_path / "d.jsonl", [GOOD, "{not json", second, {**GOOD, "code": "x"}])
    first = _import(file, database_url)
    assert first.returncode == 1, first.stderr
    assert "inserted 2, updated 0, unchanged 0, rejected 2" in first.stdout
    assert "line 2: not a valid row" in first.stdout and "line 4: code: 'x' is not a dossier code" in first.stdout
    assert "inserted 0, updated 0, unchanged 2, rejected 2" in _import(file, database_url).stdout
    moved = _jsonl(tmp_path / "moved.jsonl", [{**GOOD, "status": 9, "finished_at": "2026-11-02"}, second])
    done = _import(moved, database_url)
    assert done.returncode == 0 and "inserted 0, updated 1, unchanged 1, rejected 0" in done.stdout
    assert "0900000101" not in done.stdout + done.stderr
    engine = make_engine(database_url)
    try:
        async with make_sessions(engine)() as session:
            dossier = await session.scalar(select(Dossier).where(Dossier.code == GOOD["code"]))
            assert dossier is not None and dossier.status == 9
            assert dossier.applicant_id_number == "0101"  # only the last 4 digits of the ID number are kept
            events = (
                await session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.id))
            ).all()
    finally:
        await engine.dispose()
    assert [(e.kind, e.old_value, e.new_value) for e in events] == [("status", None, "4"), ("status", "4", "9")]


def test_unreadable_files_are_refused(tmp_path: Path, database_url: str) -> None:
    binary = tmp_path / "d.csv"
    binary.write_bytes(b"\xff\xfe\x00code")
    assert _import(binary, database_url).returncode == 2
    headerless = tmp_path / "h.csv"
    headerless.write_text("000.00.31.H26-261101-0101,4\n", encoding="utf-8")
    done = _import(headerless, database_url)
    assert done.returncode == 2 and "header row" in done.stderr
