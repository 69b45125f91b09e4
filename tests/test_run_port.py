"""``python -m bot run --port``: several bot processes side by side, each with its own metrics."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import aiohttp

from bot.config import ROOT
from tests.conftest import closed_port


async def test_run_listens_on_the_port_given(tmp_path: Path) -> None:
    port, other = closed_port(), closed_port()
    env = {
        **os.environ, "BOT_PORT": str(other), "BOT_HOST": "127.0.0.1", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "NLU_URL": f"http://127.0.0.1:{closed_port()}", "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    log = (tmp_path / "bot.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--port", str(port), cwd=ROOT, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
    )
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                        if resp.status in {200, 503}:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError((tmp_path / "bot.log").read_text())
            async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
                body = await resp.text()
            assert resp.status == 200 and "process_resident_memory_bytes" in body and "onestop_backlog_rows" in body
            assert not await _answers(http, f"http://127.0.0.1:{other}/healthz")  # nothing on BOT_PORT: --port won
    finally:
        proc.terminate()
        await proc.wait()
        log.close()


async def _answers(http: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with http.get(url):
            return True
    except aiohttp.ClientConnectionError:
        return False
