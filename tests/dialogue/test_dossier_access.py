"""Dossier privacy through the REST channel: digits unlock details and following; limits."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pytest_aiohttp.plugin import AiohttpClient

from bot.app import create_app
from bot.config import Settings
from bot.dossiers import access
from bot.dossiers.receipt import follow_payload
from bot.dossiers.records import DossierRecord
from bot.texts import vi
from tests.conftest import DEMO_NOW, say, seed_dossiers

Client = TestClient[Any, Any]
CODE = "000.00.31.H26-261123-0002"  # demo dossier of "Trần Thị Bình", phone 0900000002, ID 001090000002
SECRET = "r" * 40


async def _client(aiohttp_client: AiohttpClient, settings: Settings, now: list[Any]) -> Client:
    return await aiohttp_client(create_app(replace(settings, receipt_secret=SECRET), lambda: now[0]))


async def _text(client: Client, message: str, sender: str = "u1") -> str:
    return "\n".join(r["text"] for r in await say(client, message, sender))


async def test_details_need_the_last_four_digits(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await _client(aiohttp_client, settings, [DEMO_NOW])
    status = (await say(client, CODE))[0]
    assert "Trần Thị Bình" not in status["text"] and "0900000002" not in status["text"]
    details = next(b["payload"] for b in status["buttons"] if b["title"] == vi.BUTTON_DETAILS)
    assert (await _text(client, details)).startswith("Dạ, để bảo vệ thông tin cá nhân")
    assert "còn 4 lần thử" in await _text(client, "1234")
    text = await _text(client, "số cuối là 0002 ạ")
    assert "Người nộp: Trần Thị Bình" in text and "0900000002" not in text and "001090000002" not in text
    assert "Người nộp" not in await _text(client, details, sender="stranger")  # confirmation is per user
    await say(client, CODE, sender="typist")
    assert (await _text(client, "cho em xem chi tiết", sender="typist")).startswith("Dạ, để bảo vệ thông tin cá nhân")


async def test_following_after_confirmation_and_unfollowing(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await _client(aiohttp_client, settings, [DEMO_NOW])
    await say(client, CODE)
    assert (await _text(client, "theo dõi hồ sơ này giúp em")).startswith("Dạ, để bảo vệ thông tin cá nhân")
    assert await _text(client, "0002") == vi.FOLLOWING.format(code=CODE)
    assert await _text(client, f'/subscribe{{"code":"{CODE}"}}') == vi.ALREADY_FOLLOWING.format(code=CODE)
    # A relative with the ID number's last digits follows the same dossier.
    await say(client, CODE, sender="relative")
    await say(client, "theo dõi hồ sơ", sender="relative")
    assert await _text(client, "0002", sender="relative") == vi.FOLLOWING.format(code=CODE)
    assert await _text(client, "hủy theo dõi") == vi.UNFOLLOWED_ALL.format(count=1)
    assert await _text(client, "hủy theo dõi") == vi.NOT_FOLLOWING


async def test_guessing_codes_or_digits_is_stopped_for_a_while(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    now = [DEMO_NOW]
    client = await _client(aiohttp_client, settings, now)
    for n in range(5):
        assert "không tìm thấy hồ sơ" in await _text(client, f"000.00.31.H26-261101-99{n:02d}")
    blocked = await _text(client, CODE)  # even a real code: guessing must not pay off
    assert blocked.startswith("Dạ, anh/chị đã tra cứu mã không có") and "Trần" not in blocked and "Tình trạng" not in blocked
    assert "Tình trạng" in await _text(client, CODE, sender="someone else")  # the limit is per user
    now[0] += timedelta(minutes=16)
    assert "Tình trạng" in await _text(client, CODE)


async def test_wrong_digits_use_up_the_attempts(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await _client(aiohttp_client, settings, [DEMO_NOW])
    await say(client, CODE)
    await say(client, "xem chi tiết hồ sơ")
    await say(client, f'/dossier_details{{"code":"{CODE}"}}')
    replies = [await _text(client, f"{n:04d}") for n in range(3, 8)]
    assert replies[-1].startswith("Dạ, anh/chị đã tra cứu mã không có")
    assert (await _text(client, "0002")).startswith("Dạ, anh/chị đã tra cứu mã không có")  # the right digits wait too


async def test_wrong_digits_from_many_senders_shut_the_dossier_for_the_day(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    """The attack: a new sender id every two guesses never meets the per-user limit; the dossier's does."""
    now = [DEMO_NOW]
    client = await _client(aiohttp_client, replace(settings, dossier_digits_limit=10), now)
    locked = vi.DOSSIER_DIGITS_LOCKED.split("{code}")[0]
    guesses = iter(f"{n:04d}" for n in range(3, 100))  # 0002 is right: none of these
    replies = []
    for sender in (f"attacker{n}" for n in range(5)):
        await say(client, CODE, sender)
        assert (await _text(client, "xem chi tiết", sender)).startswith("Dạ, để bảo vệ thông tin cá nhân")
        replies += [await _text(client, next(guesses), sender) for _ in range(2)]
    assert all(r.startswith("Dạ, 4 chữ số chưa khớp") for r in replies[:9]) and replies[9].startswith(locked)
    # Shut for everyone: a new sender is not asked for digits, and the right digits are refused.
    await say(client, CODE, "attacker9")
    assert (await _text(client, "xem chi tiết", "attacker9")).startswith(locked)
    assert (await _text(client, f'/dossier_details{{"code":"{CODE}"}}', "owner")).startswith(locked)
    assert "Người nộp" not in await _text(client, "0002", "owner")
    # The status by code, the receipt QR and other dossiers still work.
    assert "Tình trạng" in await _text(client, CODE, "owner") and "Trần" not in await _text(client, CODE, "owner")
    assert await _text(client, follow_payload(CODE, SECRET), "owner") == vi.FOLLOWING.format(code=CODE)
    assert (await _text(client, '/dossier_details{"code":"000.00.31.H26-261124-0003"}', "owner")).startswith("Dạ, để bảo vệ")
    # The next day (Vietnam time) the digits path opens again.
    now[0] += timedelta(days=1)
    await _text(client, f'/dossier_details{{"code":"{CODE}"}}', "owner2")
    assert "Người nộp: Trần Thị Bình" in await _text(client, "0002", "owner2")


async def test_receipt_qr_follows_without_digits_and_a_forged_one_is_refused(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await _client(aiohttp_client, settings, [DEMO_NOW])
    assert await _text(client, follow_payload(CODE, SECRET)) == vi.FOLLOWING.format(code=CODE)
    other = "000.00.31.H26-261124-0003"
    forged = follow_payload(CODE, SECRET).replace(CODE, other)
    assert await _text(client, forged) == vi.RECEIPT_INVALID
    assert await _text(client, follow_payload(other, "s" * 40)) == vi.RECEIPT_INVALID
    assert await _text(client, f'/follow{{"code":"{CODE}","sig":"\\ud800"}}') == vi.RECEIPT_INVALID  # a lone surrogate


async def test_statuses_say_what_to_do_next(client: Client) -> None:
    overdue = await _text(client, "000.00.31.H26-261117-0004")
    assert "xin lỗi" in overdue and "02/12/2026" in overdue
    ready = await _text(client, CODE)
    assert "Kết quả đã sẵn sàng" in ready


async def test_a_follower_asking_without_a_code_gets_their_dossiers(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await _client(aiohttp_client, settings, [DEMO_NOW])
    assert await _text(client, "hồ sơ của em xong chưa ạ") == vi.ASK_DOSSIER_CODE
    await say(client, follow_payload(CODE, SECRET))
    text = await _text(client, "hồ sơ của em xong chưa ạ")
    assert text.startswith(vi.FOLLOWED_STATUSES) and CODE in text and "Trần" not in text


async def test_papers_to_supplement_are_named_after_confirming(client: Client) -> None:
    code = "000.00.31.H26-261125-0005"
    text = await _text(client, code)
    assert "Hợp đồng thuê nhà" not in text and vi.DOSSIER_NOTE_HIDDEN.strip() in text  # an officer's note: not for a code alone
    await say(client, f'/dossier_details{{"code":"{code}"}}')
    assert "Giấy tờ cần bổ sung: Hợp đồng thuê nhà có chữ ký của chủ nhà." in await _text(client, "0005")
    assert "Giấy tờ cần bổ sung: Hợp đồng thuê nhà có chữ ký của chủ nhà." in await _text(client, code)


async def _from(client: Client, message: str, sender: str, forwarded: str | None = None) -> str:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    resp = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message}, headers=headers)
    return "\n".join(r["text"] for r in await resp.json())


async def test_walking_codes_from_rotating_sender_ids_is_throttled_per_address(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await _client(aiohttp_client, settings, [DEMO_NOW])
    for n in range(20):  # a fresh sender id for every guess: the per-user limit never bites
        assert "không tìm thấy hồ sơ" in await _from(client, f"000.00.31.H26-261101-{9000 + n}", f"walker{n}")
    assert (await _from(client, CODE, "walker-new")).startswith("Dạ, anh/chị đã tra cứu mã không có")


async def _many_dossiers(database_url: str, count: int) -> list[str]:
    """``count`` valid dossiers received on one day: the dense sequence an attacker would walk."""
    records = [
        DossierRecord(code=f"000.00.31.H26-261120-{n:04d}", status=4, applicant_phone=f"09000{n:05d}", received_at=DEMO_NOW)
        for n in range(1, count + 1)
    ]
    await seed_dossiers(database_url, records)
    return [r.code for r in records]


async def test_walking_valid_codes_is_throttled_per_sender_and_per_address(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    codes = await _many_dossiers(settings.database_url, 45)
    now = [DEMO_NOW]
    client = await _client(aiohttp_client, settings, now)
    limited = vi.LOOKUPS_LIMITED.split("{minutes}")[0]
    replies = [await _from(client, code, "walker") for code in codes[: access.LOOKUP_LIMIT + 1]]
    assert all("Tình trạng" in r for r in replies[:-1]) and replies[-1].startswith(limited)
    assert "Tình trạng" in await _from(client, codes[0], "walker")  # one already seen is not counted again
    # Rotating sender ids: the address's limit (every lookup from this test comes from 127.0.0.1).
    seen = access.LOOKUP_LIMIT
    replies = [await _from(client, code, f"walker{n}") for n, code in enumerate(codes[seen : access.CLIENT_LOOKUP_LIMIT + 1])]
    assert all("Tình trạng" in r for r in replies[:-1]) and replies[-1].startswith(limited)
    assert "Tình trạng" not in replies[-1] and "Tình trạng" in await _from(client, codes[1], "walker1")
    # After the hour the limits reset.
    now[0] += timedelta(minutes=61)
    assert "Tình trạng" in await _from(client, codes[-1], "walker-next-hour")


async def test_forwarded_addresses_count_only_behind_a_trusted_proxy(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    behind = await _client(aiohttp_client, replace(settings, trusted_proxies=frozenset({"127.0.0.1"})), [DEMO_NOW])
    for n in range(20):
        await _from(behind, f"000.00.31.H26-261101-{9000 + n}", f"walker{n}", forwarded="10.9.9.9, 203.0.113.5")
    assert (await _from(behind, CODE, "w", forwarded="203.0.113.5")).startswith("Dạ, anh/chị đã tra cứu mã không có")
    assert "Tình trạng" in await _from(behind, CODE, "neighbour", forwarded="198.51.100.7")  # another citizen's address
    # Not behind a trusted proxy: the header is the caller's to forge and is ignored.
    direct = await _client(aiohttp_client, settings, [DEMO_NOW])
    for n in range(20):
        await _from(direct, f"000.00.31.H26-261101-{9000 + n}", f"walker{n}", forwarded=f"198.51.100.{n}")
    assert (await _from(direct, CODE, "w", forwarded="192.0.2.1")).startswith("Dạ, anh/chị đã tra cứu mã không có")


async def test_the_web_chat_id_comes_from_the_server(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await _client(aiohttp_client, settings, [DEMO_NOW])
    page = await client.get("/")
    cookie = page.cookies["motcua_chat"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    # Confirmed once under the cookie's id; the page's own "sender" cannot change who it is.
    await say(client, f'/dossier_details{{"code":"{CODE}"}}', "page-said-a")
    assert "Người nộp: Trần Thị Bình" in await _text(client, "0002", "page-said-a")
    assert "Người nộp: Trần Thị Bình" in await _text(client, f'/dossier_details{{"code":"{CODE}"}}', "page-said-b")
    # Without the cookie (or with a forged one) the body's sender is a stranger.
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({"motcua_chat": cookie.value.split(".")[0] + ".forged"})
    assert "Người nộp" not in await _text(client, f'/dossier_details{{"code":"{CODE}"}}', "page-said-a")


async def test_a_spike_of_failures_from_everyone_raises_one_alert(
    aiohttp_client: AiohttpClient, settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(access, "FAILURES_ALERT", 10)
    monkeypatch.setattr(access, "_alerted_at", [])
    client = await _client(aiohttp_client, replace(settings, trusted_proxies=frozenset({"127.0.0.1"})), [DEMO_NOW])
    for n in range(25):  # every guess from a new sender and a new address: no limit bites, the sum does
        await _from(client, f"000.00.31.H26-261101-{9000 + n}", f"walker{n}", forwarded=f"198.51.100.{n}")
    alerts = [r for r in caplog.records if r.getMessage().startswith("alert=lookup_failures_spike")]
    assert len(alerts) == 1 and alerts[0].levelname == "ERROR"  # once a minute, not once a failure


async def test_a_malformed_chat_cookie_is_a_stranger_not_a_500(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await _client(aiohttp_client, settings, [DEMO_NOW])
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    body = b'{"sender": "a", "message": "xin chao"}'
    head = b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nCookie: motcua_chat=\xff\xfe.abc\r\n"
    writer.write(head + b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:80]
