"""The app with both platforms enabled, talking to fake Zalo and Graph servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pytest_aiohttp.plugin import AiohttpClient, AiohttpServer

from bot.app import create_app
from bot.config import FacebookSettings, Settings, ZaloSettings
from bot.runtime import RUNTIME, Runtime
from tests.conftest import DEMO_NOW
from tests.fakes.platforms import FakeGraph, FakeZalo

APP_ID = "2553928453557884079"
OA_ID = "3662729599332560487"
OA_SECRET = "oa-secret-key-for-tests"
APP_SECRET = "facebook-app-secret-for-tests"
VERIFY_TOKEN = "verify-me"


@dataclass
class Platforms:
    client: TestClient[Any, Any]
    zalo: FakeZalo
    graph: FakeGraph
    now: list[datetime]

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.client.app[RUNTIME]
        return runtime

    async def settle(self, expected: int, fake: FakeZalo | FakeGraph) -> None:
        """Wait (10 s at most) until ``fake`` received ``expected`` requests and nothing is due."""
        async with asyncio.timeout(10):
            while len(fake.requests) < expected:
                await self.runtime.worker.process_due()
                await asyncio.sleep(0.01)
        await self.runtime.worker.process_due()
        assert len(fake.requests) >= expected, [r.body for r in fake.requests]


@pytest.fixture
async def platforms(aiohttp_client: AiohttpClient, aiohttp_server: AiohttpServer, settings: Settings) -> Platforms:
    return await start_platforms(aiohttp_client, aiohttp_server, settings)


async def start_platforms(aiohttp_client: AiohttpClient, aiohttp_server: AiohttpServer, settings: Settings) -> Platforms:
    """The bot (jobs off: tests drive the worker and the dispatcher) and the two fake servers."""
    zalo, graph = FakeZalo(), FakeGraph()
    zalo_server, graph_server = await aiohttp_server(zalo.app()), await aiohttp_server(graph.app())
    now = [DEMO_NOW]
    zalo_url = str(zalo_server.make_url("")).rstrip("/")
    configured = replace(
        settings,
        zalo=ZaloSettings(
            APP_ID, "app-secret", OA_SECRET, "zalo-token", "refresh", api_base=zalo_url, oauth_base=zalo_url, business_api_base=zalo_url
        ),
        facebook=FacebookSettings(APP_SECRET, "page-token", VERIFY_TOKEN, graph_base=str(graph_server.make_url("")).rstrip("/")),
    )
    client = await aiohttp_client(create_app(configured, lambda: now[0], background=False))
    return Platforms(client, zalo, graph, now)


def zalo_event(text: str, msg_id: str, user: str = "6142494823000000001", now: datetime = DEMO_NOW, name: str = "user_send_text") -> bytes:
    body = {
        "event_name": name, "app_id": APP_ID, "sender": {"id": user}, "recipient": {"id": OA_ID},
        "message": {"text": text, "msg_id": msg_id}, "timestamp": str(int(now.timestamp() * 1000)), "user_id_by_app": "979122185046046317",
    }  # fmt: skip
    return json.dumps(body, ensure_ascii=False).encode()


def zalo_signature(raw: bytes, signer: str = APP_ID, secret: str = OA_SECRET) -> str:
    timestamp = str(json.loads(raw)["timestamp"])
    return "mac=" + hashlib.sha256(signer.encode() + raw + timestamp.encode() + secret.encode()).hexdigest()


def facebook_signature(raw: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def messenger_batch(*events: dict[str, Any]) -> bytes:
    """One entry per event pair, as Meta batches them."""
    entries = [{"id": "PAGE", "time": 1, "messaging": list(events[i : i + 2])} for i in range(0, len(events), 2)]
    return json.dumps({"object": "page", "entry": entries}, ensure_ascii=True).encode()  # Meta sends \\u escapes


def text_event(psid: str, mid: str, text: str) -> dict[str, Any]:
    return {"sender": {"id": psid}, "recipient": {"id": "PAGE"}, "timestamp": 1764126000000, "message": {"mid": mid, "text": text}}


Signer = Callable[[bytes], str]
