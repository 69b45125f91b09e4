"""Unanswered questions: what the bot could not place is kept (masked), grouped, labelled by an
officer, exported for review — and, merged, understood."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import yaml
from pytest_aiohttp.plugin import AiohttpClient
from sqlalchemy import select

from bot.app import create_app
from bot.config import ROOT, Settings
from bot.dialogue.unplaced import mask
from bot.models import UnplacedMessage
from bot.runtime import RUNTIME
from bot.staff.questions import group
from bot.staff.training_export import proposed_alias
from nlu.evaluation import read_examples
from tests.conftest import DEMO_NOW, say
from tests.staff.conftest import Client, signed_in

NEW_WORDS = "đăng ký giấy tờ cho em bé mới chào đời ở đâu"  # no name the catalogue knows (yet)
FEE_ALONE = "lệ phí bao nhiêu"


async def _messages(client: Client) -> list[UnplacedMessage]:
    async with client.app[RUNTIME].sessions() as session:
        return list((await session.scalars(select(UnplacedMessage).order_by(UnplacedMessage.id))).all())


async def test_what_the_bot_could_not_place_is_kept_masked(console: Client) -> None:
    await say(console, "xyz abc qwe", sender="a")
    await say(console, "gọi lại số 0912 345 678 hoặc email lan.nguyen@gmail.com giúp tôi", sender="a")  # a second miss
    await say(console, NEW_WORDS, sender="b")
    await say(console, FEE_ALONE, sender="c")
    await say(console, "làm giấy khai sinh cần giấy tờ gì", sender="d")  # answered: not kept
    await say(console, "/request_human", sender="e")  # a button: not kept
    kept = await _messages(console)
    assert [(m.reason, m.text) for m in kept] == [
        ("fallback", "xyz abc qwe"),
        ("failed_twice", "gọi lại số … hoặc email … giúp tôi"),
        ("no_procedure", NEW_WORDS),
        ("no_procedure", FEE_ALONE),
    ]
    assert kept[3].guess_intent == "ask_fee" and kept[0].guess_intent is None
    assert {m.platform for m in kept} == {"rest"}


def test_masking_keeps_codes_and_amounts() -> None:
    assert mask("hồ sơ 000.00.31.H26-230428-0005, cccd 001090012345") == "hồ sơ 000.00.31.H26-230428-0005, cccd …"
    assert mask("lệ phí 1.500.000 đồng năm 2019, sđt 0912.345.678") == "lệ phí 1.500.000 đồng năm 2019, sđt …"


def test_similar_messages_group_and_the_most_asked_come_first() -> None:
    texts = [
        "ad ơi lệ phí làm giấy chứng sinh cho con bao nhiêu",
        "lệ phí làm giấy chứng sinh cho con bao nhiêu ạ",
        "cho em hỏi lệ phí làm giấy chứng sinh cho con bao nhiêu",
        "đăng ký nuôi chó ở đâu",
    ]
    messages = [
        UnplacedMessage(id=i, platform="zalo", text=t, reason="fallback", guess_intent="ask_fee" if i < 3 else None, created_at=DEMO_NOW)
        for i, t in enumerate(texts)
    ]
    groups = group(messages)
    assert [g.ids for g in groups] == [[0, 1, 2], [3]]
    assert groups[0].guess_intent == "ask_fee" and groups[1].guess_intent is None


async def test_an_officer_labels_a_group_and_it_is_exported_for_review(console: Client, settings: Settings, tmp_path: Path) -> None:
    for sender, text in (("a", NEW_WORDS), ("b", NEW_WORDS + " ạ"), ("c", "ad ơi " + NEW_WORDS), ("d", FEE_ALONE)):
        await say(console, text, sender=sender)
    csrf = await signed_in(console, "lan", "officer")
    page = await (await console.get("/staff/questions")).text()
    assert "3 tin nhắn" in page and "1 tin nhắn" in page and "Hỏi lệ phí" in page
    ids = ",".join(str(m.id) for m in await _messages(console) if "chào đời" in m.text)
    refused = await console.post("/staff/questions/label", data={"csrf": csrf, "ids": ids})
    assert refused.status == 400 and "Hãy chọn loại câu hỏi hoặc thủ tục" in await refused.text()
    unknown = await console.post("/staff/questions/label", data={"csrf": csrf, "ids": ids, "intent": "ask_weather"})
    assert unknown.status == 400
    assert (await console.post("/staff/questions/label", data={"ids": ids, "intent": "ask_place"})).status == 403  # no CSRF token
    done = await console.post(
        "/staff/questions/label", data={"csrf": csrf, "ids": ids, "intent": "ask_place", "procedure": "1.001193"}, allow_redirects=False
    )
    assert done.status == 303
    page = await (await console.get("/staff/questions")).text()
    assert "3 tin nhắn" not in page and "Đã gán nhãn gần đây" in page

    out = tmp_path / "review"
    exported = _export(settings, "--since", (DEMO_NOW - timedelta(days=1)).date().isoformat(), "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "3 labelled message(s)" in exported.stdout
    examples = read_examples(out / "nlu.yml")
    assert {(e.text, e.intent) for e in examples} == {
        (NEW_WORDS, "ask_place"), (NEW_WORDS + " ạ", "ask_place"), ("ad ơi " + NEW_WORDS, "ask_place"),
    }  # fmt: skip
    aliases = yaml.safe_load((out / "aliases.yml").read_text(encoding="utf-8"))
    birth = {"code": "1.001193", "name": "Đăng ký khai sinh", "file": "data/procedures/1.001193.yml"}
    assert aliases == [birth | {"aliases": ["đăng ký giấy tờ cho em bé mới chào đời"]}]
    inside = _export(settings, "--since", "2026-01-01", "--out", str(ROOT / "data" / "export"))
    assert inside.returncode == 2 and "inside the data folder" in inside.stderr and not (ROOT / "data" / "export").exists()


async def test_a_merged_alias_is_understood(aiohttp_client: AiohttpClient, console: Client, settings: Settings, tmp_path: Path) -> None:
    """The loop for the catalogue: before, the question names no procedure; the exported alias,
    added to the procedure's file, makes the bot answer it (the NLU half: tests/integration)."""
    before = await say(console, NEW_WORDS, sender="x")
    assert "thủ tục nào" in before[0]["text"]
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    procedure = data / "procedures" / "1.001193.yml"
    alias = proposed_alias(NEW_WORDS)
    procedure.write_text(procedure.read_text(encoding="utf-8").replace("aliases:\n", f"aliases:\n- {alias}\n", 1), encoding="utf-8")
    merged = await aiohttp_client(create_app(replace(settings, data_dir=data), background=False))
    after = await say(merged, NEW_WORDS, sender="x")
    assert "Đăng ký khai sinh" in after[0]["text"] and "nộp" in after[0]["text"]


def _export(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": settings.database_url, "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "bot", "export-training", *args]
    return subprocess.run(command, check=False, env=env, cwd=ROOT, capture_output=True, text=True)
