"""Zalo OA end to end: signed webhook → inbox → dialogue → fake OpenAPI server."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import InboxEvent
from bot.texts import vi
from tests.connectors.conftest import OA_ID, Platforms, zalo_event, zalo_signature

USER = "6142494823000000001"


async def _post(platforms: Platforms, raw: bytes, signature: str | None) -> int:
    headers = {"Content-Type": "application/json"} | ({"X-ZEvent-Signature": signature} if signature is not None else {})
    resp = await platforms.client.post("/webhooks/zalo", data=raw, headers=headers)
    return resp.status


async def test_a_signed_message_gets_one_reply(platforms: Platforms) -> None:
    raw = zalo_event("Chào ad, làm giấy khai sinh cần giấy tờ gì ạ", "cb31dff1c39642cc1b83")
    assert await _post(platforms, raw, zalo_signature(raw)) == 200
    await platforms.settle(1, platforms.zalo)
    [sent] = platforms.zalo.requests
    assert sent.path == "/v3.0/oa/message/cs" and sent.headers["access_token"] == "zalo-token"
    assert sent.body["recipient"] == {"user_id": USER}
    assert sent.body["message"]["text"].startswith("Dạ, hồ sơ “Đăng ký khai sinh” gồm")
    assert "\n1. " in sent.body["message"]["text"]  # buttons as numbered lines


@pytest.mark.parametrize("prefix", ["mac=", ""])
async def test_the_mac_prefix_is_optional_and_the_oa_id_may_sign(platforms: Platforms, prefix: str) -> None:
    raw = zalo_event("xin chào", f"m-{prefix}")
    assert await _post(platforms, raw, prefix + zalo_signature(raw).removeprefix("mac=")) == 200
    raw = zalo_event("xin chào", f"m-oa-{prefix}")
    assert await _post(platforms, raw, zalo_signature(raw, signer=OA_ID)) == 200


async def test_bad_missing_and_stale_signatures_are_refused_and_nothing_is_stored(platforms: Platforms) -> None:
    raw = zalo_event("xin chào", "m1")
    assert await _post(platforms, raw, None) == 401
    assert await _post(platforms, raw, "mac=" + "0" * 64) == 401
    assert await _post(platforms, raw, zalo_signature(raw, secret="app secret, not the OA key")) == 401
    tampered = raw.replace("xin chào".encode(), "tra cứu".encode())
    assert await _post(platforms, tampered, zalo_signature(raw)) == 401
    stale = zalo_event("xin chào", "m2", now=platforms.now[0] - timedelta(minutes=6))
    assert await _post(platforms, stale, zalo_signature(stale)) == 401
    async with platforms.runtime.sessions() as session:
        assert list(await session.scalars(select(InboxEvent))) == []


async def test_redelivered_five_times_is_answered_once(platforms: Platforms) -> None:
    raw = zalo_event("đăng ký kết hôn mất bao nhiêu tiền", "same-msg-id")
    for _ in range(5):
        assert await _post(platforms, raw, zalo_signature(raw)) == 200
    await platforms.settle(1, platforms.zalo)
    assert len(platforms.zalo.requests) == 1


async def test_follow_image_unfollow_and_the_oas_own_events(platforms: Platforms) -> None:
    stamp = str(int(platforms.now[0].timestamp() * 1000))
    events = [
        {"event_name": "follow", "app_id": "x", "oa_id": OA_ID, "follower": {"id": USER}, "source": "qr", "timestamp": stamp},
        {"event_name": "user_send_image", "app_id": "x", "sender": {"id": USER}, "recipient": {"id": OA_ID}, "timestamp": stamp,
         "message": {"msg_id": "img1", "attachments": [{"type": "image", "payload": {"url": "https://example.invalid/a.jpg"}}]}},
        {"event_name": "oa_send_text", "app_id": "x", "sender": {"id": OA_ID}, "recipient": {"id": USER}, "timestamp": stamp,
         "message": {"msg_id": "echo1", "text": "Dạ"}},
        {"event_name": "user_seen_message", "app_id": "x", "sender": {"id": OA_ID}, "recipient": {"id": USER}, "timestamp": stamp,
         "message": {"msg_ids": ["echo1"]}},
        {"event_name": "unfollow", "app_id": "x", "oa_id": OA_ID, "follower": {"id": USER}, "source": "oa", "timestamp": stamp},
    ]  # fmt: skip
    for event in events:
        raw = json.dumps(event).encode()
        assert await _post(platforms, raw, zalo_signature(raw)) == 200
    await platforms.settle(2, platforms.zalo)
    texts = platforms.zalo.texts()
    assert len(texts) == 2 and texts[0].startswith("Dạ, cảm ơn anh/chị đã quan tâm") and texts[1] == vi.PLEASE_TYPE


async def test_a_numbered_choice_is_answered_with_a_digit(platforms: Platforms) -> None:
    for number, text in enumerate(["chứng thực thì nộp ở đâu", "2"]):
        raw = zalo_event(text, f"choice-{number}")
        assert await _post(platforms, raw, zalo_signature(raw)) == 200
        await platforms.settle(number + 1, platforms.zalo)
    first, second = platforms.zalo.texts()
    chosen = next(line for line in first.splitlines() if line.startswith("2. "))[3:]
    assert second.startswith("Dạ, thủ tục “Chứng thực") and chosen.split()[-1].lower() in second.lower()


async def test_temporary_failures_are_retried_and_final_ones_recorded(platforms: Platforms) -> None:
    platforms.zalo.failures += [(503, {}), (200, {"error": -32, "message": "rate limit"})]
    raw = zalo_event("xin chào", "retry-me")
    assert await _post(platforms, raw, zalo_signature(raw)) == 200
    await platforms.settle(1, platforms.zalo)
    for _ in range(2):  # the clock moves past each backoff
        platforms.now[0] += timedelta(minutes=11)
        await platforms.runtime.worker.process_due()
    assert len(platforms.zalo.requests) == 3 and platforms.zalo.texts()[-1].startswith("Dạ, xin chào")
    platforms.zalo.failures.append((200, {"error": -230, "message": "User has not interacted in the last 7 days"}))
    raw = zalo_event("xin chào", "too-late", now=platforms.now[0])
    assert await _post(platforms, raw, zalo_signature(raw)) == 200
    await platforms.settle(4, platforms.zalo)
    async with platforms.runtime.sessions() as session:
        rows = {r.message_id: r for r in await session.scalars(select(InboxEvent))}
    assert (rows["retry-me"].state, rows["retry-me"].attempts) == ("sent", 2)
    assert (rows["too-late"].state, rows["too-late"].last_error) == ("dropped", "zalo error -230")


async def test_malformed_but_signed_bodies_are_answered_without_a_crash(platforms: Platforms) -> None:
    stamp = str(int(platforms.now[0].timestamp() * 1000))
    for body in [
        {"timestamp": stamp},
        {"event_name": "user_send_text", "timestamp": stamp, "message": "x", "sender": []},
        {"timestamp": stamp, "event_name": 3},
    ]:
        raw = json.dumps(body).encode()
        assert await _post(platforms, raw, zalo_signature(raw)) == 200
    assert await _post(platforms, b"not json", "mac=00") == 401


async def test_events_left_by_a_crash_are_handled_after_restart(platforms: Platforms) -> None:
    """A row stored before a crash (still new), and one answered but not sent, both go out."""
    past = platforms.now[0] - timedelta(minutes=5)
    async with platforms.runtime.sessions() as session, session.begin():
        session.add(InboxEvent(platform="zalo", message_id="before-crash", user_id=USER, kind="text", text="xin chào", due_at=past))
        session.add(
            InboxEvent(
                platform="zalo", message_id="answered-not-sent", user_id=USER, kind="text", text="x", state="answered",
                replies=[{"text": "Dạ, trả lời đã soạn trước khi dừng.", "buttons": []}], due_at=past,
            )
        )  # fmt: skip
    platforms.runtime.worker.wake()
    await platforms.settle(2, platforms.zalo)
    assert sorted(platforms.zalo.texts())[0] == "Dạ, trả lời đã soạn trước khi dừng."
