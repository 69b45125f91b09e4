"""NLU benchmark: our pipeline against Rasa's default one, on the same data and test file.

Usage: .venv/bin/python -m bench.nlu_bench [--requests 500] [--skip-default]

Trains both pipelines (ours via ``python -m nlu train``; the default pipeline that
``rasa init`` describes, in a temporary folder), serves each with the real Rasa server
on 127.0.0.1, and measures held-out accuracy, parse latency p50/p95/p99 (sequential
requests) and throughput (8 concurrent clients). Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from nlu.__main__ import ROOT, rasa_env, rasa_executable, train
from nlu.evaluation import predict, read_examples, score
from nlu.server import running_server

TEST_FILE = ROOT / "tests" / "nlu" / "test_nlu.yml"
# The pipeline `rasa init` documents as its default (rasa/cli/initial_project/config.yml).
DEFAULT_PIPELINE = """recipe: default.v1
assistant_id: default_pipeline_bench
language: vi
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies: []
"""


@dataclass
class Row:
    name: str
    train_seconds: float | None
    accuracy: float
    accuracy_without_diacritics: float
    p50: float
    p95: float
    p99: float
    per_second: float


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def latencies(url: str, texts: list[str], requests: int) -> list[float]:
    times: list[float] = []
    async with aiohttp.ClientSession() as http:
        for i in range(requests):
            started = time.perf_counter()
            async with http.post(f"{url}/model/parse", json={"text": texts[i % len(texts)]}) as resp:
                await resp.read()
            times.append((time.perf_counter() - started) * 1000)
    return times


async def throughput(url: str, texts: list[str], requests: int, clients: int = 8) -> float:
    queue = list(range(requests))
    async with aiohttp.ClientSession() as http:

        async def worker() -> None:
            while queue:
                i = queue.pop()
                async with http.post(f"{url}/model/parse", json={"text": texts[i % len(texts)]}) as resp:
                    await resp.read()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return requests / (time.perf_counter() - started)


def measure(name: str, model: Path, train_seconds: float | None, requests: int, workdir: Path) -> Row:
    examples = read_examples(TEST_FILE)
    texts = [e.text for e in examples]
    with running_server(model, workdir / f"{name}.log") as url:
        report = score(examples, asyncio.run(predict(url, texts)))
        asyncio.run(latencies(url, texts, 50))  # warm-up
        times = asyncio.run(latencies(url, texts, requests))
        rate = asyncio.run(throughput(url, texts, requests))
    return Row(
        name, train_seconds, report.accuracy, report.accuracy_without_diacritics,
        statistics.median(times), percentile(times, 0.95), percentile(times, 0.99), rate,
    )  # fmt: skip


def train_default(workdir: Path) -> tuple[Path, float]:
    config = workdir / "default-config.yml"
    config.write_text(DEFAULT_PIPELINE, encoding="utf-8")
    started = time.perf_counter()
    cmd = [str(rasa_executable()), "train", "nlu", "--config", str(config), "--nlu", str(ROOT / "data" / "nlu")]
    cmd += ["--out", str(workdir), "--fixed-model-name", "default", "--quiet"]
    subprocess.run(cmd, cwd=workdir, env=rasa_env(), check=True, capture_output=True)
    return workdir / "default.tar.gz", time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--skip-default", action="store_true", help="measure only our pipeline")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        ours = train()
        trained = time.perf_counter() - started
        rows.append(measure("ours (config.yml)", ours, trained if trained > 5 else None, args.requests, workdir))
        if not args.skip_default:
            model, seconds = train_default(workdir)
            rows.append(measure("Rasa default", model, seconds, args.requests, workdir))
    print(f"\nHeld-out file {TEST_FILE.relative_to(ROOT)}; {args.requests} sequential parses; throughput with 8 clients.\n")
    print("| pipeline | training | accuracy | without diacritics | p50 | p95 | p99 | parses/s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        trained_text = f"{r.train_seconds:.0f} s" if r.train_seconds else "(cached)"
        print(
            f"| {r.name} | {trained_text} | {r.accuracy:.1%} | {r.accuracy_without_diacritics:.1%} "
            f"| {r.p50:.1f} ms | {r.p95:.1f} ms | {r.p99:.1f} ms | {r.per_second:.0f} |"
        )


if __name__ == "__main__":
    main()
