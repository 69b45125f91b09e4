"""``python -m bot import-procedures``: load or update, a no-op when re-run, nothing half-done."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from bot.catalog.store import read_procedures
from bot.config import ROOT
from bot.db import make_engine, make_sessions


def _import(path: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "import-procedures", str(path)], check=False, env=env, cwd=ROOT, capture_output=True, text=True
    )


async def _codes(database_url: str) -> dict[str, str]:
    engine = make_engine(database_url)
    try:
        async with make_sessions(engine)() as session:
            return {p.code: p.name for p in await read_procedures(session)}
    finally:
        await engine.dispose()


async def test_import_then_reimport_then_update(database_url: str, tmp_path: Path) -> None:
    folder = ROOT / "data" / "procedures"
    first = _import(folder, database_url)
    assert first.returncode == 0, first.stderr
    count = len(list(folder.glob("*.yml")))
    assert f"inserted {count}, updated 0, unchanged 0" in first.stdout
    again = _import(folder, database_url)
    assert f"inserted 0, updated 0, unchanged {count}" in again.stdout
    record = yaml.safe_load((folder / "1.001193.yml").read_text(encoding="utf-8"))
    record["name"] = "Đăng ký khai sinh (sửa)"
    changed = tmp_path / "one.yml"
    changed.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    update = _import(changed, database_url)
    assert "inserted 0, updated 1, unchanged 0" in update.stdout
    assert (await _codes(database_url))["1.001193"] == "Đăng ký khai sinh (sửa)"


async def test_one_bad_record_imports_nothing_and_names_file_and_field(database_url: str, tmp_path: Path) -> None:
    assert _import(ROOT / "data" / "procedures" / "1.001193.yml", database_url).returncode == 0
    good = yaml.safe_load((ROOT / "data" / "procedures" / "1.001193.yml").read_text(encoding="utf-8"))
    good["name"] = "Đăng ký khai sinh (sửa)"
    bad = {**good, "code": "9.000002", "fees": [{"text": "Miễn phí", "legal_basis": "Luật", "valid_from": "mai"}]}
    path = tmp_path / "batch.yml"
    path.write_text(yaml.safe_dump([good, bad], allow_unicode=True), encoding="utf-8")
    done = _import(path, database_url)
    assert done.returncode == 1
    assert "batch.yml[1]: fees[0].valid_from: 'mai' is not a date" in done.stderr
    assert await _codes(database_url) == {"1.001193": "Đăng ký khai sinh"}  # the good record was not applied either
