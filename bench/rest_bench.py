"""REST channel round-trip latency through the real app (not run by `make test`).

Usage: .venv/bin/python -m bench.rest_bench [--nlu-url http://127.0.0.1:5005] [--requests 300]
Without --nlu-url the NLU server is unreachable and the bot answers from keywords. Uses a
throw-away SQLite database; everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

from bench.nlu_bench import percentile
from bot.app import create_app
from bot.config import Settings

MESSAGES = [
    "xin chào",
    "làm giấy khai sinh cần giấy tờ gì",
    "phi chung thuc chu ky bao nhieu",
    "mất mấy ngày",
    "tra cứu hồ sơ 000.00.31.H26-261124-0003",
    "thời tiết hôm nay thế nào",
]


async def run(nlu_url: str | None, requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(
            Settings(),
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            nlu_url=nlu_url or "http://127.0.0.1:9",
            nlu_timeout=1.5,
            load_demo_data=True,  # the dossier looked up
        )
        server = TestServer(create_app(settings), host="127.0.0.1")
        await server.start_server()
        try:
            url = str(server.make_url("/webhooks/rest/webhook"))
            latencies: list[float] = []
            async with aiohttp.ClientSession() as http:
                for i in range(requests):
                    body = {"sender": f"bench-{i % 20}", "message": MESSAGES[i % len(MESSAGES)]}
                    started = time.perf_counter()
                    async with http.post(url, json=body) as resp:
                        await resp.read()
                        assert resp.status == 200
                    latencies.append((time.perf_counter() - started) * 1000)
        finally:
            await server.close()
    mode = f"Rasa at {nlu_url}" if nlu_url else "keywords (NLU down)"
    print(f"REST round trip, {requests} requests, {mode}, SQLite")
    print(f"p50 {statistics.median(latencies):.1f} ms  p95 {percentile(latencies, 0.95):.1f} ms  p99 {percentile(latencies, 0.99):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nlu-url", default=None)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(run(args.nlu_url, args.requests))


if __name__ == "__main__":
    main()
