"""Stopping the real NLU server: the bot keeps answering (degraded), then recovers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from pytest_aiohttp.plugin import AiohttpClient

from bot.app import create_app
from bot.config import Settings
from bot.texts import vi
from nlu.__main__ import fingerprint, model_path
from nlu.server import running_server
from tests.conftest import say


async def test_bot_degrades_when_rasa_stops(
    aiohttp_client: AiohttpClient, settings: Settings, clock: Callable[[], datetime], tmp_path: Path
) -> None:
    with running_server(model_path(fingerprint()), tmp_path / "rasa.log") as url:
        client = await aiohttp_client(create_app(replace(settings, nlu_url=url, nlu_timeout=1.5), clock))
        assert (await (await client.get("/healthz")).json())["status"] == "ok"
        assert (await say(client, "chào em"))[0]["text"].startswith("Dạ, xin chào")
    # The server is stopped now.
    assert (await (await client.get("/healthz")).json()) == {
        "status": "degraded",
        "database": True,
        "nlu": False,
        "nlu_state": {"mode": "keywords", "notice": vi.NLU_KEYWORDS},
        "demo_data": True,
    }
    status = (await say(client, "tra cứu hồ sơ 000.00.31.H26-261120-0001"))[0]["text"]
    assert vi.STATUS_NAMES[10] in status
    fee = (await say(client, "phí chứng thực chữ ký bao nhiêu"))[0]["text"]
    assert "10.000 đồng" in fee
    assert (await say(client, "xin chào"))[0]["text"].startswith("Dạ, xin chào")
