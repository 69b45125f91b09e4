"""Webhook benchmark: acknowledgement latency and sustained events per second (Zalo route).

Usage: .venv/bin/python -m bench.webhook_bench [--rate 300] [--seconds 60] [--database-url URL]
       scripts/with-postgres .venv/bin/python -m bench.webhook_bench   # uses TEST_DATABASE_URL

Starts the real bot (``python -m bot run``) in its own process with Zalo enabled and its API
pointed at a fake Zalo server in this process, then sends signed ``user_send_text`` events
at a fixed rate (open loop: a slow answer does not slow the sender) and measures the time
to each 200. The inbox worker answers the events meanwhile (NLU down: keyword mode); the
report says how many replies reached the fake server by the end. Everything on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

from bench.nlu_bench import percentile
from bot.config import ROOT
from nlu.server import free_port
from tests.fakes.platforms import FakeZalo

APP_ID, OA_SECRET = "1234567890", "bench-oa-secret-key"
TEXTS = ["xin chào", "làm giấy khai sinh cần giấy tờ gì", "phi chung thuc chu ky bao nhieu", "đăng ký tạm trú ở đâu"]


def signed_event(number: int) -> tuple[bytes, str]:
    stamp = str(int(time.time() * 1000))
    body = {
        "event_name": "user_send_text", "app_id": APP_ID, "sender": {"id": f"user{number % 500}"}, "recipient": {"id": "oa"},
        "message": {"text": TEXTS[number % len(TEXTS)], "msg_id": f"bench-{number}"}, "timestamp": stamp,
    }  # fmt: skip
    raw = json.dumps(body, ensure_ascii=False).encode()
    mac = hashlib.sha256(APP_ID.encode() + raw + stamp.encode() + OA_SECRET.encode()).hexdigest()
    return raw, f"mac={mac}"


def start_bot(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


async def wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if proc.poll() is not None:
                raise SystemExit("the bot exited before it was ready")
            try:
                async with http.get(f"{url}/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the bot did not start")


async def load(url: str, rate: int, seconds: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(number: int) -> None:
            nonlocal failures
            raw, signature = signed_event(number)
            started = time.perf_counter()
            async with http.post(f"{url}/webhooks/zalo", data=raw, headers={"X-ZEvent-Signature": signature}) as resp:
                await resp.read()
                if resp.status != 200:
                    failures += 1
            latencies.append((time.perf_counter() - started) * 1000)

        tasks = []
        start = time.perf_counter()
        for number in range(rate * seconds):
            delay = start + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(number)))
        await asyncio.gather(*tasks)
    return latencies, failures


async def main_async(rate: int, seconds: int, database_url: str | None) -> None:
    fake = FakeZalo(access_token="bench-token")
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ, "BOT_PORT": str(port), "LOG_LEVEL": "WARNING", "NLU_URL": "http://127.0.0.1:9", "NLU_TIMEOUT": "0.5",
            "DATABASE_URL": database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            "ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": "app-secret", "ZALO_OA_SECRET_KEY": OA_SECRET,
            "ZALO_ACCESS_TOKEN": "bench-token", "ZALO_REFRESH_TOKEN": "refresh",
            "ZALO_API_BASE": str(server.make_url("")).rstrip("/"), "ZALO_OAUTH_BASE": str(server.make_url("")).rstrip("/"),
        }  # fmt: skip
        proc = start_bot(env)
        try:
            url = f"http://127.0.0.1:{port}"
            await wait_ready(url, proc)
            started = time.perf_counter()
            latencies, failures = await load(url, rate, seconds)
            elapsed = time.perf_counter() - started
            replied_in_time = len(fake.requests)
            await asyncio.sleep(5)
            backend = "PostgreSQL" if database_url and database_url.startswith("postgresql") else "SQLite"
            print(
                f"{backend}: {len(latencies)} events in {elapsed:.1f} s ({len(latencies) / elapsed:.0f}/s), {failures} not 200; "
                f"ack p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
                f"max {max(latencies):.1f} ms; replies sent by the end {replied_in_time}, 5 s later {len(fake.requests)}"
            )
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            await server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    asyncio.run(main_async(args.rate, args.seconds, args.database_url))


if __name__ == "__main__":
    main()
