"""Messenger end to end: handshake, signed batches → inbox → dialogue → fake Graph server."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from bot.models import InboxEvent
from tests.connectors.conftest import VERIFY_TOKEN, Platforms, facebook_signature, messenger_batch, text_event


async def _post(platforms: Platforms, raw: bytes, signature: str | None) -> int:
    headers = {"Content-Type": "application/json"} | ({"X-Hub-Signature-256": signature} if signature is not None else {})
    return (await platforms.client.post("/webhooks/facebook", data=raw, headers=headers)).status


async def test_the_subscription_handshake(platforms: Platforms) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    resp = await platforms.client.get("/webhooks/facebook", params=query)
    assert resp.status == 200 and await resp.text() == "1158201444"
    resp = await platforms.client.get("/webhooks/facebook", params={**query, "hub.verify_token": "guess"})
    assert resp.status == 403


async def test_every_event_of_a_batch_is_answered_and_echoes_are_not(platforms: Platforms) -> None:
    echo: dict[str, Any] = {
        "sender": {"id": "PAGE"},
        "recipient": {"id": "p1"},
        "timestamp": 1,
        "message": {"mid": "e", "text": "Dạ", "is_echo": True},
    }
    raw = messenger_batch(
        text_event("p1", "m1", "làm giấy khai sinh cần giấy tờ gì"),
        text_event("p2", "m2", "phí chứng thực chữ ký bao nhiêu"),
        echo,
        text_event("p3", "m3", "xin chào"),
    )
    assert await _post(platforms, raw, facebook_signature(raw)) == 200
    await platforms.settle(3, platforms.graph)
    sent = {r.body["recipient"]["id"]: r for r in platforms.graph.requests}
    assert set(sent) == {"p1", "p2", "p3"}
    assert all(r.query["access_token"] == "page-token" and r.body["messaging_type"] == "RESPONSE" for r in sent.values())
    assert "10.000 đồng" in sent["p2"].body["message"]["text"]
    quick = sent["p1"].body["message"]["quick_replies"]
    assert 0 < len(quick) <= 13 and all(len(q["title"]) <= 20 for q in quick)


async def test_quick_replies_and_postbacks_deliver_their_payload(platforms: Platforms) -> None:
    quick = {"sender": {"id": "p1"}, "recipient": {"id": "PAGE"}, "timestamp": 2,
             "message": {"mid": "q1", "text": "Lệ phí", "quick_reply": {"payload": '/ask_fee{"procedure":"2.000884"}'}}}  # fmt: skip
    postback = {"sender": {"id": "p2"}, "recipient": {"id": "PAGE"}, "timestamp": 3,
                "postback": {"mid": "pb1", "title": "Lệ phí", "payload": '/ask_fee{"procedure":"1.000894"}'}}  # fmt: skip
    raw = messenger_batch(quick, postback)
    assert await _post(platforms, raw, facebook_signature(raw)) == 200
    await platforms.settle(2, platforms.graph)
    texts = {r.body["recipient"]["id"]: r.body["message"]["text"] for r in platforms.graph.requests}
    assert texts["p1"].startswith("Dạ, lệ phí “Chứng thực chữ ký") and texts["p2"].startswith("Dạ, lệ phí “Đăng ký kết hôn”")


async def test_signatures_are_checked_on_the_raw_unicode_body(platforms: Platforms) -> None:
    raw = messenger_batch(text_event("p1", "m1", "đăng ký kết hôn"))
    assert b"\\u0111" in raw  # escaped as Meta sends it
    assert await _post(platforms, raw, None) == 401
    assert await _post(platforms, raw, facebook_signature(raw, secret="wrong")) == 401
    reserialised = json.dumps(json.loads(raw), ensure_ascii=False).encode()
    assert await _post(platforms, reserialised, facebook_signature(raw)) == 401
    assert await _post(platforms, raw, facebook_signature(raw).upper().replace("SHA256=", "sha256=")) == 200


async def test_redelivery_and_outside_the_window(platforms: Platforms) -> None:
    platforms.graph.failures.append((400, {"error": {"code": 10, "error_subcode": 2018278, "message": "outside window"}}))
    raw = messenger_batch(text_event("p9", "late", "xin chào"))
    for _ in range(5):
        assert await _post(platforms, raw, facebook_signature(raw)) == 200
    await platforms.settle(1, platforms.graph)
    assert len(platforms.graph.requests) == 1
    async with platforms.runtime.sessions() as session:
        [row] = list(await session.scalars(select(InboxEvent)))
    assert (row.state, row.last_error) == ("dropped", "graph error 10/2018278")


async def test_a_disabled_platform_answers_404(aiohttp_client: Any, settings: Any) -> None:
    from bot.app import create_app

    client = await aiohttp_client(create_app(settings))
    assert (await client.post("/webhooks/facebook", data=b"{}")).status == 404
    assert (await client.post("/webhooks/zalo", data=b"{}")).status == 404


async def test_a_batch_of_any_size_is_stored_or_refused_with_413(platforms: Platforms) -> None:
    events = [text_event(f"psid{n}", f"big-{n}", "xin chào") for n in range(4000)]  # 4,000 users in one POST
    raw = messenger_batch(*events)
    resp = await platforms.client.post("/webhooks/facebook", data=raw, headers={"X-Hub-Signature-256": facebook_signature(raw)})
    assert resp.status == 200
    async with platforms.runtime.sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(InboxEvent).where(InboxEvent.message_id.like("big-%")))
    assert stored == 4000
    too_big = messenger_batch(*(text_event("p", f"huge-{n}", "x" * 2000) for n in range(3000)))  # over 5 MB
    resp = await platforms.client.post("/webhooks/facebook", data=too_big, headers={"X-Hub-Signature-256": facebook_signature(too_big)})
    assert resp.status == 413
