"""Zalo tokens: refreshed once on -216, before expiry, atomically; a dead refresh token is loud."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.models import InboxEvent, PlatformToken
from connectors.zalo import ZaloClient
from tests.connectors.conftest import Platforms, zalo_event, zalo_signature


async def _say(platforms: Platforms, text: str, msg_id: str) -> None:
    raw = zalo_event(text, msg_id, now=platforms.now[0])
    resp = await platforms.client.post("/webhooks/zalo", data=raw, headers={"X-ZEvent-Signature": zalo_signature(raw)})
    assert resp.status == 200


async def _token_row(platforms: Platforms) -> PlatformToken:
    async with platforms.runtime.sessions() as session:
        row = await session.scalar(select(PlatformToken).where(PlatformToken.platform == "zalo"))
    assert row is not None
    return row


async def _row(platforms: Platforms, msg_id: str) -> InboxEvent | None:
    async with platforms.runtime.sessions() as session:
        return await session.scalar(select(InboxEvent).where(InboxEvent.message_id == msg_id))


def _tokens(platforms: Platforms) -> object:
    client = platforms.runtime.senders["zalo"]
    assert isinstance(client, ZaloClient)
    return client._tokens


async def test_an_expired_token_is_refreshed_once_and_the_message_sent(platforms: Platforms) -> None:
    platforms.zalo.expire()
    await _say(platforms, "xin chào", "m1")
    await platforms.settle(2, platforms.zalo)  # refused, then sent with the new token
    assert [r.headers["access_token"] for r in platforms.zalo.requests] == ["zalo-token", "access-1"]
    [oauth] = platforms.zalo.oauth
    assert oauth.body == {"app_id": "2553928453557884079", "grant_type": "refresh_token", "refresh_token": "refresh"}
    assert oauth.headers["secret_key"] == "app-secret"
    row = await _token_row(platforms)
    assert (row.access_token, row.refresh_token) == ("access-1", "refresh-1")  # the new pair is stored


async def test_concurrent_callers_refresh_once(platforms: Platforms) -> None:
    tokens = _tokens(platforms)
    results = await asyncio.gather(*(tokens.refresh("zalo-token") for _ in range(5)))  # type: ignore[attr-defined]
    assert set(results) == {"access-1"} and len(platforms.zalo.oauth) == 1


async def test_refreshed_shortly_before_expiry(platforms: Platforms) -> None:
    async with platforms.runtime.sessions() as session, session.begin():
        await session.execute(update(PlatformToken).values(expires_at=platforms.now[0] + timedelta(minutes=5)))
    await _say(platforms, "xin chào", "m2")
    await platforms.settle(1, platforms.zalo)
    assert len(platforms.zalo.oauth) == 1 and platforms.zalo.requests[0].headers["access_token"] == "access-1"


async def test_a_dead_refresh_token_pauses_sending_and_loses_nothing(platforms: Platforms, caplog: pytest.LogCaptureFixture) -> None:
    platforms.zalo.expire()
    platforms.zalo.oauth_failures.append({"error": -14014, "message": "Invalid refresh token"})
    with caplog.at_level(logging.ERROR):
        await _say(platforms, "xin chào", "m3")
        async with asyncio.timeout(10):
            while (row := await _row(platforms, "m3")) is None or row.last_error is None:
                await platforms.runtime.worker.process_due()
                await asyncio.sleep(0.01)
    assert any("must grant the app access again" in r.message for r in caplog.records)
    assert any("alert=platform_token_dead platform=zalo" in r.message for r in caplog.records)
    assert (row.state, row.last_error, row.attempts) == ("answered", "zalo oauth error -14014", 0)  # waiting, not dropped
    assert row.due_at > platforms.now[0] + timedelta(minutes=4)
    assert "zalo-token" not in caplog.text  # tokens never in logs
    # The administrator grants access again; after the pause the reply goes out.
    platforms.now[0] += timedelta(minutes=6)
    await platforms.settle(1, platforms.zalo)
    row = await _row(platforms, "m3")
    assert row is not None and row.state == "sent" and platforms.zalo.texts()
