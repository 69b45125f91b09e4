"""Evaluation of the NLU model on a held-out file in Rasa's NLU YAML format.

Reports what the issue asks for: intent accuracy, macro-F1, per-intent F1, the most
confused pairs, accuracy on messages with and without diacritics, and dossier-code
precision/recall. Predictions come from a running Rasa server over HTTP, the same way
the bot gets them. A fallback (``nlu_fallback``) counts as ``out_of_scope``: the bot
answers both the same way.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from nlu.client import parse_from_rasa
from nlu.dossier_codes import normalize_code
from nlu.parse import FALLBACK_INTENT, Parse

_ANNOTATION = re.compile(r"\[(?P<value>[^\]]+)\](?:\((?P<entity>[^)]+)\)|(?P<json>\{[^}]*\}))")


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    codes: tuple[str, ...] = ()


def _strip_annotations(line: str) -> tuple[str, list[tuple[str, str]]]:
    entities: list[tuple[str, str]] = []

    def plain(match: re.Match[str]) -> str:
        entity = match.group("entity")
        if entity is None:
            entity = str(json.loads(match.group("json")).get("entity", ""))
        entities.append((entity.split(":")[0], match.group("value")))
        return match.group("value")

    return _ANNOTATION.sub(plain, line), entities


def read_examples(path: Path) -> list[Example]:
    """The examples of a Rasa NLU YAML file, annotations removed, dossier codes kept."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples: list[Example] = []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for raw in str(block.get("examples", "")).splitlines():
            line = raw.strip()
            if not line.startswith("- "):
                continue
            text, entities = _strip_annotations(line[2:].strip())
            codes = tuple(normalize_code(v) for e, v in entities if e == "dossier_code")
            examples.append(Example(text, str(block["intent"]), codes))
    return examples


def has_diacritics(text: str) -> bool:
    return any(not ch.isascii() for ch in text if ch.isalpha())


@dataclass
class Report:
    total: int
    accuracy: float
    macro_f1: float
    per_intent_f1: dict[str, float]
    confused: list[tuple[str, str, int]]
    accuracy_with_diacritics: float
    accuracy_without_diacritics: float
    with_diacritics: int
    without_diacritics: int
    code_precision: float
    code_recall: float
    code_counts: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def _share(hits: Iterable[bool]) -> tuple[float, int]:
    values = list(hits)
    return (sum(values) / len(values) if values else 1.0), len(values)


def _as_answered(intent: str) -> str:
    """The bot answers a fallback exactly as out of scope, so they count as one."""
    return "out_of_scope" if intent == FALLBACK_INTENT else intent


def score(examples: list[Example], predictions: list[Parse]) -> Report:
    """Compare gold examples with predictions (same order)."""
    pairs = [(e, replace(p, intent=_as_answered(p.intent))) for e, p in zip(examples, predictions, strict=True)]
    intents = sorted({e.intent for e in examples})
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    confused: Counter[tuple[str, str]] = Counter()
    code_tp = code_fp = code_fn = 0
    errors: list[tuple[str, str, str]] = []
    for example, parse in pairs:
        if parse.intent == example.intent:
            tp[example.intent] += 1
        else:
            fp[parse.intent] += 1
            fn[example.intent] += 1
            confused[(example.intent, parse.intent)] += 1
            errors.append((example.text, example.intent, parse.intent))
        gold = Counter(example.codes)
        found = Counter(e.value for e in parse.entities if e.entity == "dossier_code")
        code_tp += sum((gold & found).values())
        code_fp += sum((found - gold).values())
        code_fn += sum((gold - found).values())
    per_intent = {i: _f1(tp[i], fp[i], fn[i]) for i in intents}
    with_marks, n_with = _share(p.intent == e.intent for e, p in pairs if has_diacritics(e.text))
    without_marks, n_without = _share(p.intent == e.intent for e, p in pairs if not has_diacritics(e.text))
    return Report(
        total=len(pairs),
        accuracy=sum(tp.values()) / len(pairs) if pairs else 0.0,
        macro_f1=sum(per_intent.values()) / len(per_intent) if per_intent else 0.0,
        per_intent_f1=per_intent,
        confused=[(a, b, n) for (a, b), n in confused.most_common(8)],
        accuracy_with_diacritics=with_marks,
        accuracy_without_diacritics=without_marks,
        with_diacritics=n_with,
        without_diacritics=n_without,
        code_precision=code_tp / (code_tp + code_fp) if code_tp + code_fp else 1.0,
        code_recall=code_tp / (code_tp + code_fn) if code_tp + code_fn else 1.0,
        code_counts={"true_positives": code_tp, "false_positives": code_fp, "false_negatives": code_fn},
        errors=errors,
    )


async def predict_raw(url: str, texts: list[str], concurrency: int = 4) -> list[dict[str, Any]]:
    """Rasa's answers for every text (no keyword fallback here)."""
    semaphore = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as http:

        async def one(text: str) -> dict[str, Any]:
            async with semaphore, http.post(f"{url}/model/parse", json={"text": text}) as resp:
                resp.raise_for_status()
                body: dict[str, Any] = await resp.json()
                return body

        return list(await asyncio.gather(*(one(t) for t in texts)))


async def predict(url: str, texts: list[str]) -> list[Parse]:
    """Parse every text with the Rasa server at ``url``, as the bot would."""
    return [parse_from_rasa(body, text) for body, text in zip(await predict_raw(url, texts), texts, strict=True)]


def best_guess(body: dict[str, Any]) -> tuple[str, float]:
    """The top intent and its confidence before Rasa's fallback replaced it."""
    for ranked in body.get("intent_ranking") or []:
        if ranked.get("name") != FALLBACK_INTENT:
            return str(ranked["name"]), float(ranked["confidence"])
    intent = body["intent"]
    return str(intent["name"]), float(intent["confidence"])


def threshold_table(examples: list[Example], bodies: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """Accuracy on ``examples`` for fallback thresholds 0.00–0.95 (below it: out of scope)."""
    guesses = [best_guess(b) for b in bodies]
    table = []
    for step in range(20):
        threshold = step / 20
        hits = sum(
            (intent if confidence >= threshold else "out_of_scope") == example.intent
            for example, (intent, confidence) in zip(examples, guesses, strict=True)
        )
        table.append((threshold, hits / len(examples)))
    return table


def render(report: Report, title: str) -> str:
    """The report as text for a terminal."""
    pct = "{:.1%}".format
    lines = [
        f"{title}: {report.total} examples",
        f"intent accuracy          {pct(report.accuracy)}",
        f"macro-F1                 {pct(report.macro_f1)}",
        f"with diacritics          {pct(report.accuracy_with_diacritics)} ({report.with_diacritics} examples)",
        f"without diacritics       {pct(report.accuracy_without_diacritics)} ({report.without_diacritics} examples)",
        f"dossier codes            precision {pct(report.code_precision)}, recall {pct(report.code_recall)} {report.code_counts}",
        "per-intent F1:",
        *(f"  {intent:<22} {pct(f1)}" for intent, f1 in sorted(report.per_intent_f1.items(), key=lambda kv: kv[1])),
        "most confused (gold → predicted):",
        *(f"  {a} → {b}: {n}" for a, b, n in report.confused),
    ]
    return "\n".join(lines)
