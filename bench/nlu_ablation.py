"""What each pipeline choice buys: accuracy (and parse latency) with and without it.

Usage: .venv/bin/python -m bench.nlu_ablation [--only NAME ...]

Trains config.yml's pipeline with the tokenizer's steps switched off one after another
(and with Rasa's plain WhitespaceTokenizer), and with smaller DIET networks, on
data/nlu/; evaluates each model on the development file (used for choices) and the
held-out test file (reported), and measures parse latency p95 through the real server.
Each training takes minutes on two cores; everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench.nlu_bench import latencies, percentile
from nlu.__main__ import ROOT, rasa_env, rasa_executable
from nlu.__main__ import train as train_project
from nlu.evaluation import Report, predict, read_examples, score
from nlu.server import running_server

TOKENIZER = "nlu.components.vietnamese_tokenizer.VietnameseTokenizer"
FILES = {"dev": ROOT / "tests" / "nlu" / "dev_nlu.yml", "test": ROOT / "tests" / "nlu" / "test_nlu.yml"}


def _tokenizer(config: dict[str, Any]) -> dict[str, Any]:
    step: dict[str, Any] = next(s for s in config["pipeline"] if s["name"] == TOKENIZER)
    return step


def whitespace(config: dict[str, Any]) -> None:
    config["pipeline"] = [{"name": "WhitespaceTokenizer"} if s["name"] == TOKENIZER else s for s in config["pipeline"]]


def normalise_only(config: dict[str, Any]) -> None:
    _tokenizer(config).update(expand_abbreviations=False, fold_diacritics=False)


def with_abbreviations(config: dict[str, Any]) -> None:
    _tokenizer(config).update(expand_abbreviations=True, fold_diacritics=False)


def full(config: dict[str, Any]) -> None:
    _tokenizer(config).update(expand_abbreviations=True, fold_diacritics=True)


def folded_only(config: dict[str, Any]) -> None:
    """No view with diacritics at all: every featurizer sees the folded words."""
    full(config)
    config["pipeline"] = [s for s in config["pipeline"] if not (s["name"] == "CountVectorsFeaturizer" and s.get("use_lemma") is False)]


def _diet(config: dict[str, Any]) -> dict[str, Any]:
    step: dict[str, Any] = next(s for s in config["pipeline"] if s["name"] == "DIETClassifier")
    return step


def one_transformer_layer(config: dict[str, Any]) -> None:
    _diet(config)["number_of_transformer_layers"] = 1


def no_transformer(config: dict[str, Any]) -> None:
    """Bag of features: DIET's feed-forward layers only (the words' order is ignored)."""
    _diet(config)["number_of_transformer_layers"] = 0


def small_transformer(config: dict[str, Any]) -> None:
    _diet(config).update(number_of_transformer_layers=1, transformer_size=128)


VARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "whitespace tokenizer": whitespace,
    "+ NFC, tone placement, lower case": normalise_only,
    "+ abbreviations and teencode": with_abbreviations,
    "+ diacritic folding (config.yml)": full,
    "folded words only, no diacritic view": folded_only,
    "DIET with 1 transformer layer": one_transformer_layer,
    "DIET with 1 transformer layer of size 128": small_transformer,
    "DIET without transformer": no_transformer,
}


def train(config: dict[str, Any], workdir: Path, name: str) -> tuple[Path, float]:
    path = workdir / f"{name}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    started = time.perf_counter()
    cmd = [str(rasa_executable()), "train", "nlu", "--config", str(path), "--nlu", str(ROOT / "data" / "nlu")]
    cmd += ["--out", str(workdir), "--fixed-model-name", name, "--quiet"]
    subprocess.run(cmd, cwd=ROOT, env=rasa_env(), check=True, capture_output=True)
    return workdir / f"{name}.tar.gz", time.perf_counter() - started


def evaluate(model: Path, workdir: Path, requests: int) -> tuple[dict[str, Report], float]:
    """Reports on both files, and the p95 of ``requests`` sequential parses of the test file."""
    reports = {}
    with running_server(model, workdir / f"{model.stem}.log") as url:
        for key, file in FILES.items():
            examples = read_examples(file)
            reports[key] = score(examples, asyncio.run(predict(url, [e.text for e in examples])))
        texts = [e.text for e in read_examples(FILES["test"])]
        asyncio.run(latencies(url, texts, 50))  # warm-up
        p95 = percentile(asyncio.run(latencies(url, texts, requests)), 0.95)
    return reports, p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--epochs", type=int, default=None, help="DIET epochs for every variant (quicker comparisons)")
    parser.add_argument("--requests", type=int, default=500, help="sequential parses for the p95")
    args = parser.parse_args()
    base = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    if args.epochs:
        for step in base["pipeline"]:
            if step["name"] == "DIETClassifier":
                step["epochs"] = args.epochs
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for number, name in enumerate(args.only):
            config = copy.deepcopy(base)
            VARIANTS[name](config)
            if config == base and not args.epochs:  # config.yml itself: its model is trained (or cached) as usual
                started = time.perf_counter()
                model, seconds = train_project(), time.perf_counter() - started
            else:
                model, seconds = train(config, workdir, f"variant{number}")
            reports, p95 = evaluate(model, workdir, args.requests)
            rows.append((name, seconds, reports, p95))
            print(f"done: {name}", flush=True)
    print("\n| pipeline | training | dev accuracy | dev without diacritics | test accuracy | test without diacritics | p95 |")
    print("|---|---|---|---|---|---|---|")
    for name, seconds, r, p95 in rows:
        dev, test = r["dev"], r["test"]
        print(
            f"| {name} | {seconds:.0f} s{' (cached)' if seconds < 5 else ''} | {dev.accuracy:.1%} | {dev.accuracy_without_diacritics:.1%} "
            f"| {test.accuracy:.1%} | {test.accuracy_without_diacritics:.1%} | {p95:.1f} ms |"
        )


if __name__ == "__main__":
    main()
