"""The REST channel through the real aiohttp routes, NLU server down (keyword mode)."""

from __future__ import annotations

import itertools
import os
import shlex
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from pytest_aiohttp.plugin import AiohttpClient

from bot.app import create_app
from bot.config import ROOT, Settings
from bot.http_body import parse_json
from bot.texts import vi
from nlu.status import NluStatus, write_status
from tests.conftest import DEMO_NOW, say

Client = TestClient[Any, Any]


async def test_greeting_in_vietnamese(client: Client) -> None:
    replies = await say(client, "xin chào")
    assert replies[0]["recipient_id"] == "u1"
    assert replies[0]["text"].startswith("Dạ, xin chào anh/chị")
    assert "buttons" not in replies[0]


async def test_button_payload_sent_back_works(client: Client) -> None:
    replies = await say(client, "làm giấy khai sinh cần giấy tờ gì")
    assert "Giấy chứng sinh" in replies[0]["text"] or "giấy chứng sinh" in replies[0]["text"]
    buttons = {b["title"]: b["payload"] for b in replies[0]["buttons"]}
    assert vi.BUTTON_DOCUMENTS not in buttons  # the field just answered is not offered again
    fee = await say(client, buttons[vi.BUTTON_FEE])
    assert fee[0]["text"].startswith("Dạ, lệ phí “Đăng ký khai sinh”")
    assert all(len(b["title"]) <= 20 for b in fee[0]["buttons"])


async def test_not_json_is_400(client: Client) -> None:
    resp = await client.post("/webhooks/rest/webhook", data=b"{not json", headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert "JSON" in (await resp.json())["error"]


async def test_invalid_utf8_is_400(client: Client) -> None:
    resp = await client.post(
        "/webhooks/rest/webhook", data=b'{"sender":"a","message":"\xff"}', headers={"Content-Type": "application/json"}
    )
    assert resp.status == 400


async def test_deeply_nested_json_is_400_not_500(client: Client) -> None:
    for depth in (40, 20_000):  # past our limit; past Python's recursion limit (within the 64 KB body limit)
        body = b'{"sender": "a", "message": "hi", "x": ' + b"[" * depth + b"]" * depth + b"}"
        resp = await client.post("/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"})
        assert resp.status == 400 and "nested" in (await resp.json())["error"]


async def test_a_lone_surrogate_or_nul_becomes_a_replacement_character(client: Client) -> None:
    """JSON may escape half a character ("\\ud800") or NUL: neither may reach the database or the platforms."""
    assert parse_json(b'{"a\\ud800": ["x\\udc00y", "\\ud83d\\ude00", "\\\\ud800", "n\\u0000"]}') == {
        "a\ufffd": ["x\ufffdy", "😀", "\\ud800", "n\ufffd"]
    }
    body = b'{"sender": "a\\ud800", "message": "l\\udfffm khai sinh c\\u1ea7n g\\u00ec"}'
    resp = await client.post("/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"})
    assert resp.status == 200 and (await resp.json())[0]["recipient_id"] == "a\ufffd"


async def test_only_json_is_a_message(client: Client) -> None:
    resp = await client.post(
        "/webhooks/rest/webhook", data=b"sender=a&message=hi", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert resp.status == 415


async def test_missing_and_wrong_fields_are_400(client: Client) -> None:
    for body in (
        {"message": "hi"},
        {"sender": "", "message": "hi"},
        {"sender": 5, "message": "hi"},
        {"sender": "a"},
        {"sender": "a", "message": 3},
        ["a"],
    ):
        resp = await client.post("/webhooks/rest/webhook", json=body)
        assert resp.status == 400, body
        assert "error" in await resp.json()


async def test_too_long_message_is_refused_politely(client: Client) -> None:
    replies = await say(client, "a" * 2001)
    assert replies[0]["text"] == vi.TOO_LONG.format(limit=2000)


async def test_oversized_body_is_413(client: Client) -> None:
    resp = await client.post("/webhooks/rest/webhook", json={"sender": "a", "message": "x" * 70_000})
    assert resp.status == 413


async def test_empty_message_asks_for_text(client: Client) -> None:
    assert (await say(client, "   "))[0]["text"] == vi.EMPTY_MESSAGE


async def test_unknown_route_is_404_json(client: Client) -> None:
    resp = await client.get("/webhooks/nothing")
    assert resp.status == 404
    assert "error" in await resp.json()
    resp = await client.get("/no-such-page")
    assert resp.status == 404


async def test_wrong_method_is_405(client: Client) -> None:
    resp = await client.get("/webhooks/rest/webhook")
    assert resp.status == 405


async def test_chat_page_and_assets_are_served(client: Client) -> None:
    page = await client.get("/")
    assert page.status == 200
    html = await page.text()
    assert "/static/chat.js" in html
    for asset in ("/static/chat.js", "/static/chat.css"):
        assert (await client.get(asset)).status == 200


async def test_pages_carry_security_headers(client: Client) -> None:
    page = await client.get("/")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    for resp in (page, await client.get("/static/chat.js"), await client.get("/healthz")):
        assert resp.headers["X-Content-Type-Options"] == "nosniff" and resp.headers["Referrer-Policy"] == "no-referrer"
    assert "<script>" not in await page.text() and " style=" not in await page.text()  # nothing inline to allow


async def test_healthz_reports_database_nlu_and_demo_data(client: Client) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert await resp.json() == {
        "status": "degraded",
        "database": True,
        "nlu": False,
        "nlu_state": {"mode": "keywords", "notice": vi.NLU_KEYWORDS},
        "demo_data": True,
    }


async def test_while_the_model_trains_health_and_the_chat_header_say_so(client: Client, nlu_status_file: Path) -> None:
    """``make run``'s first minutes: the starter (this process stands in for it) is training;
    a minute of three is done. The header says so in Vietnamese, without the starter's pid."""
    write_status(NluStatus("training", os.getpid(), time.time() - 60, epoch=17, epochs=50, expected_seconds=180), nlu_status_file)
    state = (await (await client.get("/healthz")).json())["nlu_state"]
    assert state["mode"] == "starting" and state["step"] == "training" and (state["epoch"], state["epochs"]) == (17, 50)
    assert 110 <= state["remaining_seconds"] <= 120 and "pid" not in state
    header = await (await client.get("/api/chat/status")).json()
    assert header["mode"] == "starting"
    assert header["notice"].startswith("Trợ lý đang khởi động bộ hiểu ngôn ngữ (còn khoảng 2 phút).")
    write_status(NluStatus("loading", os.getpid(), time.time()), nlu_status_file)
    assert (await (await client.get("/api/chat/status")).json())["notice"] == vi.NLU_STARTING.format(eta="")


def _a_dead_pid() -> int:
    dead = subprocess.Popen(["true"])
    dead.wait()
    return dead.pid


async def test_a_dead_starters_status_is_not_believed(client: Client, nlu_status_file: Path) -> None:
    """A "training" left by a starter killed with -9 must not promise a model for ever."""
    write_status(NluStatus("training", _a_dead_pid(), time.time(), epoch=3, epochs=50), nlu_status_file)
    assert await (await client.get("/api/chat/status")).json() == {"mode": "keywords", "notice": vi.NLU_KEYWORDS}


async def test_a_bot_not_asked_for_demo_data_invents_no_dossier(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await aiohttp_client(create_app(replace(settings, load_demo_data=False), lambda: DEMO_NOW))
    assert (await (await client.get("/healthz")).json())["demo_data"] is False
    assert "không tìm thấy hồ sơ" in (await say(client, "tra cứu hồ sơ 000.00.31.H26-261120-0001"))[0]["text"]
    assert "Đăng ký khai sinh" in (await say(client, "làm giấy khai sinh cần giấy tờ gì"))[0]["text"]  # the catalogue is there


async def test_the_readmes_curl_gets_an_answer(client: Client) -> None:
    """The README's first command, as curl sends it (``-d`` alone would be a form post: a 415)."""
    [line] = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("curl ")]
    words = shlex.split(line)
    headers = dict(word.split(": ", 1) for flag, word in itertools.pairwise(words) if flag == "-H")
    data = words[words.index("-d") + 1].encode()
    resp = await client.post("/webhooks/rest/webhook", data=data, headers={"Content-Type": "application/x-www-form-urlencoded", **headers})
    assert resp.status == 200 and (await resp.json())[0]["text"].startswith("Dạ, xin chào")
