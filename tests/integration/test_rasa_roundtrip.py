"""The real Rasa NLU server on the trained model, and the bot talking to it. No mocks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from pytest_aiohttp.plugin import AiohttpClient

from bot.app import create_app
from bot.config import Settings
from bot.texts import vi
from nlu.client import NluClient
from tests.conftest import say


@pytest.fixture
async def rasa_client(
    aiohttp_client: AiohttpClient, settings: Settings, clock: Callable[[], datetime], rasa_server: tuple[str, Path]
) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(replace(settings, nlu_url=rasa_server[0], nlu_timeout=5.0), clock))


async def test_parse_comes_from_rasa(rasa_server: tuple[str, Path]) -> None:
    async with aiohttp.ClientSession() as http:
        nlu = NluClient(http, rasa_server[0], timeout=5.0)
        assert await nlu.ready()
        parse = await nlu.parse("cho em tra cứu hồ sơ 000.00.31.h26-261123-0002 với")
    assert parse.source == "rasa"
    assert parse.intent == "check_status"
    assert parse.first("dossier_code") == "000.00.31.H26-261123-0002"


async def test_round_trip_greeting_and_dossier_status(rasa_client: TestClient[Any, Any], rasa_server: tuple[str, Path]) -> None:
    greeting = await say(rasa_client, "xin chào")
    assert greeting[0]["text"].startswith("Dạ, xin chào anh/chị")
    status = (await say(rasa_client, "tra cứu hồ sơ 000.00.31.H26-261124-0003"))[0]["text"]
    assert status.startswith("Dạ, hồ sơ 000.00.31.H26-261124-0003 (Đăng ký kết hôn)")
    assert vi.STATUS_NAMES[4] in status
    health = await (await rasa_client.get("/healthz")).json()
    assert health == {"status": "ok", "database": True, "nlu": True, "nlu_state": {"mode": "rasa", "notice": ""}, "demo_data": True}


async def test_procedure_question_without_diacritics(rasa_client: TestClient[Any, Any]) -> None:
    text = (await say(rasa_client, "chung thuc chu ky het bao nhieu tien vay ad"))[0]["text"]
    assert "10.000 đồng" in text


async def test_rasa_logs_no_citizen_text(rasa_client: TestClient[Any, Any], rasa_server: tuple[str, Path]) -> None:
    secret = "bí mật riêng tư của công dân"
    await say(rasa_client, f"nhà em có {secret} thì làm sao")
    assert secret not in rasa_server[1].read_text(encoding="utf-8", errors="replace")
