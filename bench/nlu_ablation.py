"""What each Vietnamese text-handling step buys: accuracy with and without it.

Usage: .venv/bin/python -m bench.nlu_ablation [--only NAME ...]

Trains config.yml's pipeline with the tokenizer's steps switched off one after another
(and with Rasa's plain WhitespaceTokenizer), on data/nlu/, and evaluates each model on
the development file (used for choices) and the held-out test file (reported). Each
training takes minutes on two cores; everything stays on 127.0.0.1.
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


VARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "whitespace tokenizer": whitespace,
    "+ NFC, tone placement, lower case": normalise_only,
    "+ abbreviations and teencode": with_abbreviations,
    "+ diacritic folding (config.yml)": full,
    "folded words only, no diacritic view": folded_only,
}


def train(config: dict[str, Any], workdir: Path, name: str) -> tuple[Path, float]:
    path = workdir / f"{name}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    started = time.perf_counter()
    cmd = [str(rasa_executable()), "train", "nlu", "--config", str(path), "--nlu", str(ROOT / "data" / "nlu")]
    cmd += ["--out", str(workdir), "--fixed-model-name", name, "--quiet"]
    subprocess.run(cmd, cwd=ROOT, env=rasa_env(), check=True, capture_output=True)
    return workdir / f"{name}.tar.gz", time.perf_counter() - started


def evaluate(model: Path, workdir: Path) -> dict[str, Report]:
    reports = {}
    with running_server(model, workdir / f"{model.stem}.log") as url:
        for key, file in FILES.items():
            examples = read_examples(file)
            reports[key] = score(examples, asyncio.run(predict(url, [e.text for e in examples])))
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--epochs", type=int, default=None, help="DIET epochs for every variant (quicker comparisons)")
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
            reports = evaluate(model, workdir)
            rows.append((name, seconds, reports))
            print(f"done: {name}", flush=True)
    print("\n| pipeline | training | dev accuracy | dev without diacritics | test accuracy | test without diacritics |")
    print("|---|---|---|---|---|---|")
    for name, seconds, r in rows:
        dev, test = r["dev"], r["test"]
        print(
            f"| {name} | {seconds:.0f} s{' (cached)' if seconds < 5 else ''} | {dev.accuracy:.1%} | {dev.accuracy_without_diacritics:.1%} "
            f"| {test.accuracy:.1%} | {test.accuracy_without_diacritics:.1%} |"
        )


if __name__ == "__main__":
    main()
