"""Dossier import benchmark: ``python -m bot import-dossiers`` on 100,000 synthetic rows.

Usage: .venv/bin/python -m bench.dossier_import_bench [--rows 100000]

Writes a CSV of synthetic dossiers (made-up names and numbers, never real data) and times
the whole command on a fresh SQLite database three times: the first import (all inserted),
the same file again (all unchanged), and the file with every tenth dossier's status moved
on (updated, with their status events).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bot.config import ROOT
from bot.dossiers.importer import KEYS


def write_csv(path: Path, rows: int, moved: bool = False) -> None:
    start = date(2026, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(KEYS)
        for i in range(rows):
            received = start + timedelta(days=i % 300)
            status = 10 if (moved and i % 10 == 0) else 4
            finished = (received + timedelta(days=2)).isoformat() if status == 10 else ""
            code = f"H26.{i // 10000:02d}-{received:%y%m%d}-{i % 10000:04d}"
            writer.writerow([
                code, "1.001193", "dan-phuong", f"Người thử {i}", f"09{i:08d}", f"001{i:09d}", received.isoformat(),
                (received + timedelta(days=3)).isoformat(), status, finished, finished, ("truc_tiep", "truc_tuyen")[i % 2], "", "",
            ])  # fmt: skip


def run(path: Path, database: Path) -> tuple[float, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{database}", "LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "import-dossiers", str(path)], check=False, env=env, cwd=ROOT, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return elapsed, done.stdout.strip().splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first, moved = folder / "dossiers.csv", folder / "moved.csv"
        write_csv(first, args.rows)
        write_csv(moved, args.rows, moved=True)
        database = folder / "bench.db"
        for label, path in (("first import", first), ("same file again", first), ("a tenth moved on", moved)):
            seconds, summary = run(path, database)
            print(f"{label}: {seconds:.1f} s (whole command) — {summary}")


if __name__ == "__main__":
    main()
