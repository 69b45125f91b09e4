"""POST /api/dossiers: signature first, in constant time; per-record errors; idempotent."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pytest_aiohttp.plugin import AiohttpClient

from bot.app import create_app
from bot.config import Settings
from bot.dossiers.api import MAX_BODY, sign
from tests.test_dossier_import import GOOD

SECRET = "s" * 40
Client = TestClient[Any, Any]


@pytest.fixture
async def api(aiohttp_client: AiohttpClient, settings: Settings) -> Client:
    return await aiohttp_client(create_app(replace(settings, dossier_api_secret=SECRET)))


def _now() -> int:
    return int(datetime.now(UTC).timestamp())


async def _push(client: Client, body: bytes, signature: str | None = None, at: int | None = None) -> tuple[int, dict[str, Any]]:
    at = _now() if at is None else at
    signed = sign(body, SECRET, at) if signature is None else signature
    headers = {"Content-Type": "application/json", "X-Timestamp": str(at), "X-Signature-256": signed}
    resp = await client.post("/api/dossiers", data=body, headers=headers)
    return resp.status, await resp.json()


async def test_a_signed_batch_is_applied_once(api: Client) -> None:
    body = json.dumps([GOOD, {**GOOD, "code": "000.00.31.H26-261101-0102"}]).encode()
    assert await _push(api, body) == (200, {"inserted": 2, "updated": 0, "unchanged": 0, "notices": 0})
    assert await _push(api, body) == (200, {"inserted": 0, "updated": 0, "unchanged": 2, "notices": 0})
    moved = json.dumps({"dossiers": [{**GOOD, "status": 9, "finished_at": "2026-11-02"}]}).encode()
    assert await _push(api, moved) == (200, {"inserted": 0, "updated": 1, "unchanged": 0, "notices": 0})


@pytest.mark.parametrize(
    "signature", ["", "sha256=" + "0" * 64, "sha1=abc", sign(b"other body", SECRET, _now()), sign(b"[]", "t" * 40, _now())]
)
async def test_a_bad_or_missing_signature_is_refused_and_nothing_changes(api: Client, signature: str) -> None:
    body = json.dumps([GOOD]).encode()
    status, answer = await _push(api, body, signature)
    assert status == 401 and "X-Signature-256" in answer["error"]
    assert (await _push(api, body))[1]["inserted"] == 1  # the refused batch left nothing behind


async def test_per_record_errors_and_the_good_records_applied(api: Client) -> None:
    bad = {**GOOD, "code": "000.00.31.H26-261101-0102", "finished_at": "2026-10-01", "status": 9}
    status, answer = await _push(api, json.dumps([GOOD, bad, "text"]).encode())
    assert status == 422 and answer["inserted"] == 1
    assert answer["errors"] == [
        {"index": 1, "error": "finished_at: is before received_at"},
        {"index": 2, "error": "record: expected an object with the dossier's fields"},
    ]


@pytest.mark.parametrize(
    ("body", "status"), [(b"{not json", 400), (b'{"dossiers": 3}', 400), (b"\xff\xfe", 400), (b"[" * 100_000 + b"]" * 100_000, 400)]
)
async def test_malformed_bodies(api: Client, body: bytes, status: int) -> None:
    assert (await _push(api, body))[0] == status


async def test_oversized_body_is_refused_before_reading_it_all(api: Client) -> None:
    body = b"[" + b" " * (MAX_BODY + 1) + b"]"
    assert (await _push(api, body, signature="sha256=x"))[0] == 413


async def test_without_a_secret_the_api_is_closed(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await aiohttp_client(create_app(settings))
    body = json.dumps([GOOD]).encode()
    resp = await client.post("/api/dossiers", data=body, headers={"X-Timestamp": str(_now()), "X-Signature-256": sign(body, "", _now())})
    assert resp.status == 403


async def test_a_signature_header_that_is_not_utf8_is_401_not_500(api: Client) -> None:
    """aiohttp keeps such bytes as lone surrogates; comparing them must not raise."""
    reader, writer = await asyncio.open_connection(api.server.host, api.server.port)
    request = b"POST /api/dossiers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    writer.write(
        request
        + b"X-Timestamp: "
        + str(_now()).encode()
        + b"\r\nX-Signature-256: sha256=\xff\xfe\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]"
    )
    await writer.drain()
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 401"), answer[:80]


async def test_a_request_cannot_be_replayed_or_its_time_changed(api: Client) -> None:
    body = json.dumps([GOOD]).encode()
    old = _now() - 6 * 60
    status, answer = await _push(api, body, at=old)  # signed correctly, but six minutes ago
    assert status == 401 and "X-Timestamp" in answer["error"]
    status, _ = await _push(api, body, signature=sign(body, SECRET, old), at=_now())  # a fresh time on an old signature
    assert status == 401
    for bad in ("", "soon", "1e9", "١٧٦٤٦٦٠٠٠٠"):  # missing, words, a float, Arabic-Indic digits
        resp = await api.post("/api/dossiers", data=body, headers={"X-Timestamp": bad, "X-Signature-256": sign(body, SECRET, _now())})
        assert resp.status == 401
    assert (await _push(api, body))[0] == 200
