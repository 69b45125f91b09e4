"""The NLU targets, measured on the held-out file with the real model (never trained on)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ROOT
from nlu.evaluation import predict, read_examples, score

HELD_OUT = ROOT / "tests" / "nlu" / "test_nlu.yml"
# Issue 3's targets. Training is seeded, so CI's model is the one measured: 96.5 % accuracy,
# 96.2 % with and 96.8 % without diacritics (the margin is about four examples).
TARGET_ACCURACY = 0.95
MAX_DIACRITICS_GAP = 0.02


async def test_targets_on_held_out_file(rasa_server: tuple[str, Path]) -> None:
    examples = read_examples(HELD_OUT)
    report = score(examples, await predict(rasa_server[0], [e.text for e in examples]))
    assert report.accuracy >= TARGET_ACCURACY, report.errors
    assert report.accuracy_without_diacritics >= report.accuracy_with_diacritics - MAX_DIACRITICS_GAP
    assert report.code_recall == 1.0 and report.code_precision == 1.0, report.code_counts


@pytest.mark.parametrize(
    "text",
    [
        "thủ tục 1.001193 cần giấy tờ gì",
        "mã thủ tục 1.004222.000.00.00.H26 là gì",
        "số điện thoại của em là 0912 345 678",
        "cccd của tôi 001203004567, tra giúp hồ sơ",
        "hẹn ngày 28-04-2023 mà chưa có",
    ],
)
async def test_no_false_dossier_codes(rasa_server: tuple[str, Path], text: str) -> None:
    [parse] = await predict(rasa_server[0], [text])
    assert parse.first("dossier_code") is None


async def test_weather_is_not_a_status_lookup(rasa_server: tuple[str, Path]) -> None:
    [parse] = await predict(rasa_server[0], ["thời tiết hôm nay thế nào"])
    assert parse.intent in {"out_of_scope", "nlu_fallback"}
