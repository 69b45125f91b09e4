"""A person takes over the chat: the citizen asks on Zalo, an officer takes the conversation in
the console, the bot stays silent, the officer's words reach the fake Zalo server once, and
the conversation is given back."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
from sqlalchemy import select

from bot.models import AuditEntry, Handoff, OutboxMessage
from bot.texts import vi
from tests.connectors.conftest import Platforms, zalo_event, zalo_signature
from tests.staff.conftest import PASSWORD, add_staff, csrf_of, signed_in

USER = "6142494823000000001"


async def _citizen_says(platforms: Platforms, text: str, msg_id: str) -> None:
    raw = zalo_event(text, msg_id, now=platforms.now[0])
    resp = await platforms.client.post("/webhooks/zalo", data=raw, headers={"X-ZEvent-Signature": zalo_signature(raw)})
    assert resp.status == 200
    await platforms.runtime.worker.process_due()


async def _deliver(platforms: Platforms) -> list[str]:
    """Send what the outbox holds; the texts the fake Zalo server received since."""
    before = len(platforms.zalo.texts())
    await platforms.runtime.dispatcher.dispatch_due()
    return platforms.zalo.texts()[before:]


async def _handoffs(platforms: Platforms) -> list[Handoff]:
    async with platforms.runtime.sessions() as db:
        return list((await db.scalars(select(Handoff).order_by(Handoff.id))).all())


async def test_an_officer_takes_the_conversation_answers_and_gives_it_back(platforms: Platforms) -> None:
    client = platforms.client
    await _citizen_says(platforms, "tôi muốn gặp cán bộ", "m1")  # Thursday 10:00: officers are in
    told = platforms.zalo.texts()
    assert any(t.startswith("Em đã chuyển cuộc trò chuyện cho cán bộ") and "ngay tại đây" in t for t in told), told
    [handoff] = await _handoffs(platforms)
    assert (handoff.reason, handoff.state) == ("asked", "waiting")

    await signed_in(client, "can.bo", "officer")
    inbox = await (await client.get("/staff/handoffs")).text()
    assert "người dân muốn gặp cán bộ" in inbox and "đang chờ" in inbox and 'data-live="handoffs"' in inbox
    page = await (await client.get(f"/staff/handoffs/{handoff.id}")).text()
    assert "tôi muốn gặp cán bộ" in page
    taken = await client.post(f"/staff/handoffs/{handoff.id}/take", data={"csrf": csrf_of(page)}, allow_redirects=False)
    assert taken.status == 303
    office = platforms.runtime.dialogue.catalogue.office.name
    assert await _deliver(platforms) == [vi.HANDOFF_JOINED.format(agency=office)]

    sent_before = len(platforms.zalo.requests)
    await _citizen_says(platforms, "hồ sơ khai sinh của con tôi bao giờ xong ạ", "m2")
    assert len(platforms.zalo.requests) == sent_before  # the bot is silent while the officer holds it
    page = await (await client.get(f"/staff/handoffs/{handoff.id}")).text()
    assert "bao giờ xong" in page
    reply = "Chào anh, hồ sơ của cháu sẽ có kết quả chiều nay ạ."
    await client.post(f"/staff/handoffs/{handoff.id}/reply", data={"csrf": csrf_of(page), "text": reply})
    assert await _deliver(platforms) == [reply]
    assert await _deliver(platforms) == []  # once

    await client.post(f"/staff/handoffs/{handoff.id}/release", data={"csrf": csrf_of(page)})
    assert await _deliver(platforms) == [vi.HANDOFF_BACK]
    await _citizen_says(platforms, "xin chào", "m3")
    assert platforms.zalo.texts()[-1].startswith("Dạ, xin chào")  # the bot is back
    [closed] = await _handoffs(platforms)
    assert closed.state == "closed" and closed.open_key is None
    async with platforms.runtime.sessions() as db:
        actions = (await db.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
    assert "reply" in actions and "view_conversation" in actions


async def test_two_misunderstandings_in_a_row_call_an_officer_and_out_of_hours_says_when(platforms: Platforms) -> None:
    platforms.now[0] = platforms.now[0].replace(hour=13)  # Thursday 20:00 in Vietnam
    await _citizen_says(platforms, "qwx zzv", "f1")
    assert await _handoffs(platforms) == []
    await _citizen_says(platforms, "blorp vrrk", "f2")
    [handoff] = await _handoffs(platforms)
    assert handoff.reason == "failed_twice"
    last = platforms.zalo.texts()[-1]
    assert last.startswith(vi.HANDOFF_AFTER_FAILURES) and "ngoài giờ làm việc" in last and "7:30 thứ Sáu ngày 27/11/2026" in last


async def test_an_officer_cannot_write_after_the_platforms_window(platforms: Platforms) -> None:
    await _citizen_says(platforms, "tôi muốn gặp cán bộ", "w1")
    [handoff] = await _handoffs(platforms)
    csrf = await signed_in(platforms.client, "can.bo", "officer")
    await platforms.client.post(f"/staff/handoffs/{handoff.id}/take", data={"csrf": csrf})
    await _deliver(platforms)
    platforms.now[0] += timedelta(days=8)  # past Zalo's window for answers (and the session's life)
    platforms.client.session.cookie_jar.clear()
    csrf = await signed_in(platforms.client, "can.bo", "officer")
    await platforms.client.post(f"/staff/handoffs/{handoff.id}/reply", data={"csrf": csrf, "text": "Anh còn cần hỗ trợ không ạ?"})
    assert await _deliver(platforms) == []
    async with platforms.runtime.sessions() as db:
        state = await db.scalar(select(OutboxMessage.state).where(OutboxMessage.kind == "officer"))
    assert state == "undeliverable"
    page = await (await platforms.client.get(f"/staff/handoffs/{handoff.id}")).text()
    assert "vui lòng gọi điện" in page


async def test_helpers_do_not_see_the_handoff_inbox(platforms: Platforms) -> None:
    await signed_in(platforms.client, "to.cns", "helper")
    assert (await platforms.client.get("/staff/handoffs")).status == 403


async def test_an_officers_answer_goes_out_in_the_quiet_hours_when_notices_wait(platforms: Platforms) -> None:
    platforms.now[0] = platforms.now[0].replace(hour=15, minute=30)  # 22:30 in Vietnam: quiet hours for notices
    await _citizen_says(platforms, "tôi muốn gặp cán bộ", "q1")
    [handoff] = await _handoffs(platforms)
    async with platforms.runtime.sessions() as db, db.begin():
        notice = {"dedupe_key": "quiet-notice", "platform": "zalo", "user_id": USER, "kind": "ready", "data": {"code": "H26-1"}}
        db.add(OutboxMessage(**notice, due_at=platforms.now[0]))
    csrf = await signed_in(platforms.client, "can.bo", "officer")
    await platforms.client.post(f"/staff/handoffs/{handoff.id}/take", data={"csrf": csrf})
    await platforms.client.post(f"/staff/handoffs/{handoff.id}/reply", data={"csrf": csrf, "text": "Dạ, em trực tối nay ạ."})
    assert (await _deliver(platforms))[-1] == "Dạ, em trực tối nay ạ."
    async with platforms.runtime.sessions() as db:
        held = await db.scalar(select(OutboxMessage.state).where(OutboxMessage.dedupe_key == "quiet-notice"))
    assert held == "pending"  # the notice waits for the morning


async def test_two_officers_taking_at_once_one_gets_it_and_the_citizen_is_told_once(platforms: Platforms) -> None:
    await _citizen_says(platforms, "tôi muốn gặp cán bộ", "r1")
    [handoff] = await _handoffs(platforms)
    first = await signed_in(platforms.client, "can.bo1", "officer")
    await add_staff(platforms.client, "can.bo2", "officer")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        login = platforms.client.make_url("/staff/login")
        async with other.get(login) as page:
            form = {"csrf": csrf_of(await page.text()), "username": "can.bo2", "password": PASSWORD}
        async with other.post(login, data=form) as home:
            second = csrf_of(await home.text())
        take = f"/staff/handoffs/{handoff.id}/take"
        mine, theirs = await asyncio.gather(
            platforms.client.post(take, data={"csrf": first}, allow_redirects=False),
            other.post(platforms.client.make_url(take), data={"csrf": second}, allow_redirects=False),
        )
        statuses = sorted([mine.status, theirs.status])
        theirs.release()
    assert statuses == [200, 303]  # one redirect to the conversation, one page saying another officer holds it
    assert await _deliver(platforms) == [vi.HANDOFF_JOINED.format(agency=platforms.runtime.dialogue.catalogue.office.name)]
