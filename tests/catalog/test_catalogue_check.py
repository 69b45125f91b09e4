"""``catalogue-check``: the cliff a month ahead, not on the day; abolished procedures expected."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import yaml

from bot.catalog.check import first_blank_day
from bot.catalog.records import Figure
from bot.config import ROOT


def _figure(start: str | None, end: str | None) -> Figure:
    return Figure("x", "y", date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None)


def test_the_first_blank_day_is_where_a_rule_ends_without_a_successor() -> None:
    rules = [_figure("2016-01-01", "2027-02-28"), _figure("2027-03-01", None)]
    assert first_blank_day(rules, date(2026, 12, 1), date(2027, 6, 1)) is None
    assert first_blank_day(rules[:1], date(2026, 12, 1), date(2027, 6, 1)) == date(2027, 3, 1)
    assert first_blank_day(rules[:1], date(2026, 12, 1), date(2027, 1, 1)) is None  # after the window
    assert first_blank_day([_figure("2027-01-01", None)], date(2026, 12, 1), date(2027, 6, 1)) == date(2026, 12, 1)


def _check(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATA_DIR": str(data), "AGENCY_CODE": "dan-phuong", "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "bot", "catalogue-check", "--on", "2026-12-02", *args]
    return subprocess.run(command, check=False, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_a_key_figure_going_blank_within_the_window_fails_the_check(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "procedures").mkdir(parents=True)
    (data / "agencies.yml").write_text((ROOT / "data" / "agencies.yml").read_text(encoding="utf-8"), encoding="utf-8")
    record = yaml.safe_load((ROOT / "data" / "procedures" / "1.001193.yml").read_text(encoding="utf-8"))
    record["processing_time"] = [dict(record["processing_time"][0], valid_until=date(2026, 12, 20))]
    (data / "procedures" / "1.001193.yml").write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    ahead = _check(data, "--within", "30")
    assert ahead.returncode == 1, ahead.stdout + ahead.stderr
    assert "!! blank       processing_time: no valid rule from 2026-12-21" in ahead.stdout
    assert "address: empty" in ahead.stdout  # the office's own checklist
    assert _check(data, "--within", "10").returncode == 0
    # Abolished on that day: nothing is expected of it afterwards.
    record["abolished_from"] = date(2026, 12, 21)
    (data / "procedures" / "1.001193.yml").write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    abolished = _check(data, "--within", "30")
    assert abolished.returncode == 0 and "abolished from 2026-12-21" in abolished.stdout, abolished.stdout


def test_a_wrong_file_is_reported_not_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "procedures").mkdir(parents=True)
    (data / "agencies.yml").write_text("[]\n", encoding="utf-8")
    (data / "procedures" / "bad.yml").write_text("code: x\n", encoding="utf-8")
    result = _check(data)
    assert result.returncode == 2 and "Cannot check:" in result.stderr and "Traceback" not in result.stderr
