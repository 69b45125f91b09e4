"""The attack on dossier lookups, scripted against a running bot (``python -m bot run`` behind a
trusted proxy): many sender ids and client addresses guessing one dossier's digits, and
walking codes from rotating ids. Its log is then searched for the fixtures' personal data."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import IO, Any

import aiohttp

from bot.config import ROOT
from bot.dossiers import access
from bot.dossiers.api import sign
from bot.dossiers.receipt import follow_payload
from bot.texts import vi
from nlu.server import free_port
from tests.conftest import PERSONAL_DATA, closed_port
from tests.reliability.harness import BotProcess

CODE = "000.00.31.H26-261123-0002"  # demo dossier of "Trần Thị Bình"; the right digits are 0002
RECEIPT_SECRET = "q" * 40
API_SECRET = "p" * 40
LOCKED = vi.DOSSIER_DIGITS_LOCKED.split("{code}")[0]
WAIT = vi.RATE_LIMITED.split("{minutes}")[0]
TOO_MANY = vi.LOOKUPS_LIMITED.split("{minutes}")[0]


def _env(database_url: str, port: int) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "FACEBOOK_"))}
    return {
        **inherited, "BOT_HOST": "127.0.0.1", "BOT_PORT": str(port), "DATABASE_URL": database_url, "LOG_LEVEL": "DEBUG",
        "NLU_URL": f"http://127.0.0.1:{closed_port()}", "NLU_TIMEOUT": "0.5", "DATA_DIR": str(ROOT / "data"),
        "LOAD_CATALOGUE": "true", "LOAD_DEMO_DATA": "true", "TRUSTED_PROXIES": "127.0.0.1", "DOSSIER_DIGITS_LIMIT": "10",
        "RECEIPT_SECRET": RECEIPT_SECRET, "DOSSIER_API_SECRET": API_SECRET, "WEB_CHAT_SECRET": "",
    }  # fmt: skip


class Chat:
    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self._http, self._url = http, url

    async def say(self, message: str, sender: str, address: str) -> str:
        body = {"sender": sender, "message": message}
        async with self._http.post(f"{self._url}/webhooks/rest/webhook", json=body, headers={"X-Forwarded-For": address}) as resp:
            assert resp.status == 200, await resp.text()
            return "\n".join(r["text"] for r in await resp.json())

    async def push(self, records: list[dict[str, Any]]) -> None:
        raw, at = json.dumps(records).encode(), int(time.time())
        headers = {"Content-Type": "application/json", "X-Timestamp": str(at), "X-Signature-256": sign(raw, API_SECRET, at)}
        async with self._http.post(f"{self._url}/api/dossiers", data=raw, headers=headers) as resp:
            assert resp.status == 200, await resp.text()


async def test_guessing_and_walking_from_many_ids_and_addresses(database_url: str, bot_log: IO[bytes]) -> None:
    bot = BotProcess(_env(database_url, free_port()), bot_log)
    await bot.start()
    try:
        await bot.wait_ready()
        async with aiohttp.ClientSession() as http:
            chat = Chat(http, bot.url)
            # 1. Twelve attackers, each a new sender id from a new address, one wrong guess each.
            replies = []
            for n in range(12):
                sender, address = f"attacker{n}", f"198.51.100.{n}"
                assert "Tình trạng" in await chat.say(CODE, sender, address)
                asked = await chat.say("xem chi tiết", sender, address)
                replies.append(await chat.say(f"{n + 10:04d}", sender, address) if asked.startswith("Dạ, để bảo vệ") else asked)
            assert all(r.startswith("Dạ, 4 chữ số chưa khớp") for r in replies[:9]), replies
            assert all(r.startswith(LOCKED) for r in replies[9:]), replies[9:]
            # 2. The owner, from elsewhere, with the right digits: refused today; the receipt QR works.
            assert (await chat.say(f'/dossier_details{{"code":"{CODE}"}}', "owner", "203.0.113.1")).startswith(LOCKED)
            assert "Người nộp" not in await chat.say("0002", "owner", "203.0.113.1")
            assert await chat.say(follow_payload(CODE, RECEIPT_SECRET), "owner", "203.0.113.1") == vi.FOLLOWING.format(code=CODE)
            # 3. Walking unknown codes from rotating ids on one address: 20 tries, then everything waits.
            for n in range(access.CLIENT_LIMIT):
                assert "không tìm thấy" in await chat.say(f"000.00.31.H26-261101-{9000 + n}", f"walker{n}", "203.0.113.2")
            assert (await chat.say(CODE, "walker-new", "203.0.113.2")).startswith(WAIT)
            # 4. Walking valid codes (a dense day of 40) from rotating ids on one address: 30, then no more.
            codes = [f"000.00.31.H26-261125-{n:04d}" for n in range(100, 140)]
            await chat.push(
                [{"code": c, "status": 4, "received_at": "2026-11-25T09:00:00", "applicant_phone": "0988000000"} for c in codes]
            )
            seen = [await chat.say(c, f"reader{n}", "203.0.113.3") for n, c in enumerate(codes[: access.CLIENT_LOOKUP_LIMIT + 1])]
            assert all("Tình trạng" in r for r in seen[:-1]) and seen[-1].startswith(TOO_MANY), seen[-1]
    finally:
        assert await bot.stop() == 0
    log = await asyncio.to_thread(Path(bot_log.name).read_text, encoding="utf-8", errors="replace")
    assert "Traceback" not in log
    assert not [value for value in PERSONAL_DATA if value in log]  # LOG_LEVEL=DEBUG, a real process
