"""Catalogue benchmark: importing 2,000 procedures, and matching questions against 1,000.

Usage: .venv/bin/python -m bench.catalog_bench [--import-size 2000] [--match-size 1000]

Synthetic procedures are the real ones (data/procedures) copied with new codes and
names and aliases drawn from the real catalogue's words, so that common words are
shared by many names, as in the national database. The import goes through
``python -m bot import-procedures`` (one YAML file, a fresh SQLite database), twice:
the second run must change nothing. Matching times the dialogue's two calls per message
(``choose_several``, then ``choose``, which reuses the first one's ranking) on the
questions of tests/dialogue/cases.yml.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import yaml

from bench.nlu_bench import percentile
from bot.catalog.catalogue import ordinary_words
from bot.catalog.loader import load_procedures, to_json
from bot.catalog.matcher import ProcedureMatcher
from bot.catalog.records import ProcedureRecord
from bot.config import ROOT
from bot.dialogue.evaluation import load_cases


def synthetic(count: int, seed: int = 7) -> list[ProcedureRecord]:
    real = load_procedures(ROOT / "data" / "procedures")
    words = sorted({w for p in real for name in (p.name, *p.aliases) for w in name.split()})
    rng = random.Random(seed)
    records = list(real)
    while len(records) < count:
        base = rng.choice(real)
        number = len(records)
        name = " ".join(rng.sample(words, rng.randint(3, 7))).capitalize()
        aliases = tuple(" ".join(rng.sample(words, rng.randint(2, 4))) for _ in range(rng.randint(3, 10)))
        records.append(replace(base, code=f"9.{number:06d}", name=name, short_name=None, aliases=aliases))
    return records


def time_import(records: list[ProcedureRecord], workdir: Path) -> list[tuple[str, float]]:
    file = workdir / "procedures.yml"
    file.write_text(yaml.safe_dump([to_json(r) for r in records], allow_unicode=True, sort_keys=False), encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}", "LOG_LEVEL": "WARNING"}
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bot", "import-procedures", str(file)], check=False, env=env, cwd=ROOT, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        runs.append((done.stdout.strip(), elapsed))
    return runs


def time_matching(records: list[ProcedureRecord], rounds: int = 5) -> list[float]:
    matcher = ProcedureMatcher(records, ordinary_words(ROOT / "data" / "nlu"))
    questions = [turn.text for case in load_cases() for turn in case.turns]
    times = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            matcher.choose_several(question)
            matcher.choose(question)
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--import-size", type=int, default=2000)
    parser.add_argument("--match-size", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for output, seconds in time_import(synthetic(args.import_size), Path(tmp)):
            print(f"import (whole command, including Python start-up): {seconds:.2f} s — {output}")
    times = time_matching(synthetic(args.match_size))
    print(
        f"matching against {args.match_size} procedures, {len(times)} questions: "
        f"p50 {statistics.median(times):.3f} ms, p95 {percentile(times, 0.95):.3f} ms, p99 {percentile(times, 0.99):.3f} ms"
    )


if __name__ == "__main__":
    main()
