"""``make run``'s first minutes: the bot answers before Rasa is up, and moves to it by itself,
without a restart and without losing a message."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest
from pytest_aiohttp.plugin import AiohttpClient

from bot.app import create_app
from bot.config import ROOT, Settings
from bot.runtime import NLU_WATCH_EVERY, RUNTIME
from nlu.__main__ import fingerprint, model_path
from nlu.server import free_port
from tests.conftest import say

QUESTIONS = ("làm giấy khai sinh cần giấy tờ gì", "phí chứng thực chữ ký bao nhiêu", "xin chào", "tra cứu hồ sơ 000.00.31.H26-261120-0001")


async def _model_loaded(http: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with http.get(f"{url}/status", timeout=aiohttp.ClientTimeout(total=2)) as resp:
            return resp.status == 200 and bool((await resp.json()).get("model_file"))
    except (TimeoutError, aiohttp.ClientError, ValueError):
        return False


async def test_the_bot_answers_while_rasa_starts_then_switches_to_it(
    aiohttp_client: AiohttpClient, settings: Settings, clock: Callable[[], datetime], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="nlu.client")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    client = await aiohttp_client(create_app(replace(settings, nlu_url=url, nlu_timeout=1.5), clock))  # with its scheduled jobs
    nlu = client.app[RUNTIME].nlu
    assert "Đăng ký khai sinh" in (await say(client, QUESTIONS[0], sender="early"))[0]["text"]
    assert nlu.mode == "keywords" and nlu.sources["keywords"] == 1

    answered: list[tuple[int, int]] = []  # (HTTP status, number of replies) of every message sent meanwhile
    stop = asyncio.Event()

    async def keep_asking() -> None:
        i = 0
        while not stop.is_set():
            resp = await client.post("/webhooks/rest/webhook", json={"sender": f"u{i % 5}", "message": QUESTIONS[i % len(QUESTIONS)]})
            answered.append((resp.status, len(await resp.json()) if resp.status == 200 else 0))
            i += 1
            await asyncio.sleep(0.2)

    asker = asyncio.create_task(keep_asking())
    log = (tmp_path / "rasa.log").open("wb")
    serve = ["-m", "nlu", "serve", "--port", str(port), "--model", str(model_path(fingerprint()))]
    rasa = await asyncio.create_subprocess_exec(sys.executable, *serve, cwd=ROOT, stdout=log, stderr=log)
    try:
        async with aiohttp.ClientSession() as http:
            deadline = time.monotonic() + 240
            while not await _model_loaded(http, url):
                assert rasa.returncode is None and time.monotonic() < deadline, (tmp_path / "rasa.log").read_text(errors="replace")[-2000:]
                await asyncio.sleep(0.5)
        loaded = time.monotonic()
        while nlu.mode != "rasa":
            assert time.monotonic() - loaded < NLU_WATCH_EVERY.total_seconds() + 3, "the bot did not switch to Rasa"
            await asyncio.sleep(0.1)
        stop.set()
        await asker  # no message of its own is parsed while the next four are counted
        before = nlu.sources["rasa"]
        for question in QUESTIONS:
            assert (await say(client, question, sender="late"))[0]["text"]
        assert nlu.sources["rasa"] == before + len(QUESTIONS)
    finally:
        stop.set()
        await asker
        rasa.terminate()
        await rasa.wait()
        log.close()
    assert len(answered) >= 20 and all(status == 200 and replies >= 1 for status, replies in answered), answered
    # One line each way, at INFO: keywords at start-up are expected (whether the watch job or the
    # first message found Rasa absent), not a warning.
    switches = [(r.levelname, r.getMessage()) for r in caplog.records if r.getMessage().startswith("nlu_switch")]
    assert [level for level, _ in switches] == ["INFO", "INFO"], switches
    assert "keywords" in switches[0][1] and switches[1][1] == "nlu_switch: NLU server answers; parsing with Rasa"
