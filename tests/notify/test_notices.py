"""Notices end to end: a dossier changes (the import path), the rules fill the outbox in the
same transaction, the dispatcher sends through the fake Zalo and Graph servers with the
window rules, quiet hours and failures of the real platforms."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.config import Settings
from bot.dossiers import access
from bot.dossiers.importer import ImportReport, check_rows, import_checked
from bot.dossiers.store import find_dossier
from bot.inbox import touch_contacts
from bot.models import Contact, Dossier, Follower, OutboxMessage, Rating
from bot.notify.jobs import sweep_job
from bot.notify.outbox import policy_of
from bot.runtime import open_runtime
from bot.texts import vi
from tests.connectors.conftest import Platforms, zalo_event, zalo_signature

CODE = "000.00.31.H26-261117-0101"
ZUSER, FUSER = "6142494823000000777", "PSID-777"
DAY = timedelta(days=1)


def _record(**changes: Any) -> dict[str, Any]:
    base = {
        "code": CODE, "status": 4, "procedure_code": "1.004222", "agency_code": "dan-phuong", "received_at": "2026-11-17T09:00:00",
        "appointment_at": "2026-11-27T16:00:00", "applicant_phone": "0912345678", "applicant_name": "Nguyễn Văn A", "channel": "truc_tiep",
    }  # fmt: skip
    return {**base, **changes}


async def _import(platforms: Platforms, *records: dict[str, Any]) -> ImportReport:
    runtime = platforms.runtime
    async with runtime.sessions() as session, session.begin():
        return await import_checked(session, check_rows(list(enumerate(records))), policy_of(runtime.settings), platforms.now[0])


async def _follow(platforms: Platforms, platform: str, user: str, wrote: datetime | None) -> None:
    async with platforms.runtime.sessions() as session, session.begin():
        dossier = await find_dossier(session, CODE)
        assert dossier is not None
        await access.follow(session, dossier, platform, user, "officer", platforms.now[0])
        if wrote is not None:
            await touch_contacts(session, {(platform, user)}, wrote)


async def _outbox(platforms: Platforms) -> list[OutboxMessage]:
    async with platforms.runtime.sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def _setup(platforms: Platforms, zalo_wrote: datetime | None = None, facebook_wrote: datetime | None = None) -> None:
    now = platforms.now[0]
    await _import(platforms, _record())
    await _follow(platforms, "zalo", ZUSER, zalo_wrote or now - timedelta(hours=1))
    await _follow(platforms, "facebook", FUSER, facebook_wrote or now - timedelta(hours=1))


async def test_every_status_a_follower_should_hear_about_goes_out_on_both_platforms(platforms: Platforms) -> None:
    await _setup(platforms)
    steps = [
        (
            _record(status=5, delay_reason="Bản sao giấy khai sinh của con", supplement_due_at="2026-12-01"),
            "Bản sao giấy khai sinh của con",
        ),
        (_record(status=6, delay_reason="Lệ phí đăng ký thường trú"), "nghĩa vụ tài chính"),
        (_record(status=8, delay_reason="Người nộp đề nghị tạm dừng"), "dừng xử lý"),
        (_record(status=3, delay_reason="Thiếu giấy tờ chứng minh chỗ ở"), "không được tiếp nhận"),
        (_record(status=9, finished_at="2026-11-26T09:00:00"), "đã có kết quả"),
        (_record(status=10, finished_at="2026-11-26T09:00:00", returned_at="2026-11-26T09:30:00"), "đã được trả"),
    ]
    for record, phrase in steps:
        report = await _import(platforms, record)
        assert report.notices == (2 if record["status"] != 10 else 4), record  # returned: thanks + the later survey
        assert await platforms.runtime.dispatcher.dispatch_due() == 2
        zalo_text, graph_text = platforms.zalo.texts()[-1], platforms.graph.texts()[-1]
        assert phrase in zalo_text and phrase in graph_text, (phrase, zalo_text)
        assert zalo_text.startswith("Kính gửi Ông/Bà") and CODE in zalo_text
    supplement = platforms.zalo.texts()[0]
    assert "Hạn bổ sung: 01/12/2026" in supplement and "Đăng ký thường trú" in supplement and "hủy theo dõi" in supplement
    assert "Nguyễn Văn A" not in "".join(platforms.zalo.texts() + platforms.graph.texts())  # no personal data in notices
    # Within the windows: a consultation message on Zalo, UPDATE on Messenger.
    assert {r.path for r in platforms.zalo.requests} == {"/v3.0/oa/message/cs"}
    assert {r.body["messaging_type"] for r in platforms.graph.requests} == {"UPDATE"}
    # The satisfaction question waits a day, then asks for 1–5 (quick replies on Messenger).
    assert await platforms.runtime.dispatcher.dispatch_due() == 0
    platforms.now[0] += DAY + timedelta(minutes=1)
    assert await platforms.runtime.dispatcher.dispatch_due() == 2
    survey = platforms.graph.requests[-1].body["message"]
    assert "đánh giá mức độ hài lòng" in survey["text"] and len(survey["quick_replies"]) == 5
    assert platforms.zalo.texts()[-1].rstrip().endswith("5. 5 - Rất hài lòng")
    assert {row.state for row in await _outbox(platforms)} == {"sent"}
    # Importing the same file again changes nothing and sends nothing.
    assert (await _import(platforms, steps[-1][0])).notices == 0


async def test_a_zalo_digit_answers_the_survey_once_per_dossier(platforms: Platforms) -> None:
    await _setup(platforms)
    await _import(platforms, _record(status=10, finished_at="2026-11-26T09:00:00", returned_at="2026-11-26T09:30:00"))
    platforms.now[0] += DAY + timedelta(minutes=1)
    await platforms.runtime.dispatcher.dispatch_due()
    sent = len(platforms.zalo.requests)
    for number, digit in enumerate(["4", "5"]):
        raw = zalo_event(digit, f"survey-answer-{number}", user=ZUSER, now=platforms.now[0])
        resp = await platforms.client.post("/webhooks/zalo", data=raw, headers={"X-ZEvent-Signature": zalo_signature(raw)})
        assert resp.status == 200
        await platforms.settle(sent + number + 1, platforms.zalo)
        assert platforms.zalo.texts()[-1] == vi.RATING_THANKS.format(score=digit)
    async with platforms.runtime.sessions() as session:
        ratings = list(await session.scalars(select(Rating).where(Rating.user_id == ZUSER)))
    assert [(r.score, r.dossier_id is not None) for r in ratings] == [(5, True)]  # the second replaced the first


async def test_overdue_apology_once_per_appointment_and_again_for_a_missed_new_one(platforms: Platforms) -> None:
    await _setup(platforms)
    runtime, policy = platforms.runtime, policy_of(platforms.runtime.settings)
    assert await sweep_job(runtime.sessions, policy, runtime.clock) == 0  # due tomorrow: not late
    platforms.now[0] += 2 * DAY  # 28/11: the appointment of 27/11 passed without a result
    assert await sweep_job(runtime.sessions, policy, runtime.clock) == 2
    assert await sweep_job(runtime.sessions, policy, runtime.clock) == 0  # the same date is not apologised for twice
    await runtime.dispatcher.dispatch_due()
    apology = platforms.zalo.texts()[-1]
    for field in (
        "PHIẾU XIN LỖI",
        CODE,
        "Đăng ký thường trú",
        "Ngày tiếp nhận: 09:00 ngày 17/11/2026",
        "16:00 ngày 27/11/2026",
        "thành thật xin lỗi",
    ):
        assert field in apology, field
    assert "Cán bộ sẽ thông báo ngày hẹn trả kết quả mới" in apology  # no new date known yet
    # The one-stop system then records the delay and a new date: the date was apologised for, so a "new date" notice.
    report = await _import(platforms, _record(new_appointment_at="2026-12-02T16:00:00", delay_reason="Chờ xác minh nơi cư trú"))
    assert report.notices == 2
    await runtime.dispatcher.dispatch_due()
    assert "ngày hẹn trả kết quả mới: 16:00 ngày 02/12/2026" in platforms.graph.texts()[-1]
    assert "Chờ xác minh nơi cư trú" in platforms.graph.texts()[-1]
    # The new date passes too: a new apology. By now the Zalo user last wrote 7 days ago: without a
    # template the consultation message is not allowed, so the notice waits for an officer's call.
    platforms.now[0] = datetime(2026, 12, 3, 3, 0, tzinfo=platforms.now[0].tzinfo)
    assert await sweep_job(runtime.sessions, policy, runtime.clock) == 2
    await runtime.dispatcher.dispatch_due()
    assert "16:00 ngày 02/12/2026" in platforms.graph.texts()[-1] and "PHIẾU XIN LỖI" in platforms.graph.texts()[-1]
    assert [(r.platform, r.state) for r in await _outbox(platforms) if r.state != "sent"] == [("zalo", "undeliverable")]
    # Resolved late: the result notice, no further apology.
    await _import(platforms, _record(status=9, new_appointment_at="2026-12-02T16:00:00", finished_at="2026-12-03T09:00:00"))
    assert await sweep_job(runtime.sessions, policy, runtime.clock) == 0
    kinds = [row.kind for row in await _outbox(platforms)]
    assert kinds.count("apology") == 4 and kinds.count("new_date") == 2 and kinds.count("ready") == 2


async def test_a_delay_recorded_before_the_date_apologises_with_the_new_date(platforms: Platforms) -> None:
    await _setup(platforms)
    await _import(platforms, _record(new_appointment_at="2026-12-04", delay_reason="Chờ ý kiến cơ quan khác"))
    await platforms.runtime.dispatcher.dispatch_due()
    text = platforms.zalo.texts()[-1]
    assert "PHIẾU XIN LỖI" in text and "Ngày hẹn trả kết quả mới: 04/12/2026" in text and "Chờ ý kiến cơ quan khác" in text
    platforms.now[0] += 3 * DAY  # the original date has passed, but the new one is in force
    runtime = platforms.runtime
    assert await sweep_job(runtime.sessions, policy_of(runtime.settings), runtime.clock) == 0


async def test_quiet_hours_hold_notices_until_morning_oldest_first(platforms: Platforms) -> None:
    platforms.now[0] = datetime.fromisoformat("2026-11-26T23:30:00+07:00")
    await _setup(platforms)
    await _import(platforms, _record(status=5, delay_reason="Tờ khai"))
    await _import(platforms, _record(status=9))
    assert await platforms.runtime.dispatcher.dispatch_due() == 0 and not platforms.zalo.requests
    platforms.now[0] = datetime.fromisoformat("2026-11-27T05:59:00+07:00")
    assert await platforms.runtime.dispatcher.dispatch_due() == 0
    platforms.now[0] = datetime.fromisoformat("2026-11-27T06:00:00+07:00")
    assert await platforms.runtime.dispatcher.dispatch_due() == 4
    first, second = platforms.zalo.texts()
    assert "bổ sung" in first and "đã có kết quả" in second


async def test_outside_the_windows_messenger_tags_and_zalo_needs_a_template(platforms: Platforms) -> None:
    old = platforms.now[0] - 10 * DAY
    await _setup(platforms, zalo_wrote=old, facebook_wrote=platforms.now[0] - 2 * DAY)
    platforms.zalo.outside_window.add(ZUSER)
    platforms.graph.outside_window.add(FUSER)
    await _import(platforms, _record(status=9))
    await platforms.runtime.dispatcher.dispatch_due()
    tagged = platforms.graph.delivered(FUSER)[-1].body
    assert (tagged["messaging_type"], tagged["tag"]) == ("MESSAGE_TAG", "ACCOUNT_UPDATE")
    rows = {row.platform: row for row in await _outbox(platforms)}
    assert (rows["facebook"].state, rows["facebook"].via) == ("sent", "tag")
    assert rows["zalo"].state == "undeliverable" and "no template for ready" in (rows["zalo"].last_error or "")
    assert not platforms.zalo.requests  # not even tried: it would be refused


async def test_zalo_templates_by_phone_with_a_tracking_id_or_by_user_id(platforms: Platforms, settings: Settings) -> None:
    runtime = platforms.runtime
    zalo = runtime.settings.zalo
    assert zalo is not None
    configured = replace(runtime.settings, zalo=replace(zalo, templates={"ready": "tpl-ready", "supplement": "tpl-supplement"}))
    async with open_runtime(configured, runtime.clock) as templated:
        await _setup(platforms, zalo_wrote=platforms.now[0] - 10 * DAY)
        await _import(platforms, _record(status=9))
        await templated.dispatcher.dispatch_due()
        [zns] = [r for r in platforms.zalo.requests if r.path == "/message/template"]
        assert zns.body["phone"] == "84912345678" and zns.body["template_id"] == "tpl-ready"
        assert zns.body["tracking_id"].startswith("onestop-outbox-") and zns.body["template_data"]["ma_ho_so"] == CODE
        assert "Nguyễn" not in str(zns.body["template_data"])
        async with runtime.sessions() as session, session.begin():
            await session.execute(update(Dossier).values(applicant_phone=None))
        await _import(platforms, _record(status=5, applicant_phone=None, delay_reason="Tờ khai"))
        await templated.dispatcher.dispatch_due()
        by_user = [r for r in platforms.zalo.requests if r.path == "/v3.0/oa/message/template"]
        assert [(r.body["user_id"], r.body["template_id"]) for r in by_user] == [(ZUSER, "tpl-supplement")]
    assert {(row.platform, row.via) for row in await _outbox(platforms)} == {("zalo", "zns"), ("zalo", "template"), ("facebook", "window")}


async def test_a_user_who_blocked_the_oa_stops_being_followed(platforms: Platforms) -> None:
    await _setup(platforms)
    platforms.zalo.blocked.add(ZUSER)
    platforms.graph.unavailable.add(FUSER)
    await _import(platforms, _record(status=9))
    await platforms.runtime.dispatcher.dispatch_due()
    rows = await _outbox(platforms)
    assert {(r.state, r.last_error) for r in rows} == {("failed", "zalo error -217"), ("failed", "graph error 551/None")}
    async with platforms.runtime.sessions() as session:
        assert list(await session.scalars(select(Follower))) == []
        contacts = {c.platform: c.unreachable_reason for c in await session.scalars(select(Contact))}
    assert contacts == {"zalo": "zalo error -217", "facebook": "graph error 551/None"}
    assert (await _import(platforms, _record(status=10))).notices == 0  # no follower any more


async def test_transient_failures_back_off_and_a_dead_token_pauses_without_losing(platforms: Platforms) -> None:
    await _setup(platforms)
    platforms.zalo.failures.append((503, {}))
    platforms.graph.dead_token = True
    await _import(platforms, _record(status=9))
    await platforms.runtime.dispatcher.dispatch_due()
    rows = {r.platform: r for r in await _outbox(platforms)}
    assert (rows["zalo"].state, rows["zalo"].attempts, rows["zalo"].last_error) == ("pending", 1, "zalo http 503")
    assert (rows["facebook"].state, rows["facebook"].attempts) == ("pending", 0)  # paused: not an attempt
    platforms.graph.dead_token = False
    platforms.now[0] += timedelta(minutes=6)
    assert await platforms.runtime.dispatcher.dispatch_due() == 2
    assert {r.state for r in await _outbox(platforms)} == {"sent"}
    assert len(platforms.zalo.delivered(ZUSER)) == 1 and len(platforms.graph.delivered(FUSER)) == 1


async def test_retries_stop_a_day_after_the_notice_was_made(platforms: Platforms) -> None:
    await _setup(platforms)
    await _import(platforms, _record(status=9))
    for _ in range(40):
        platforms.zalo.failures.append((503, {}))
        platforms.graph.failures.append((503, {}))
        await platforms.runtime.dispatcher.dispatch_due()
        platforms.now[0] += timedelta(hours=2)
    rows = await _outbox(platforms)
    assert {r.state for r in rows} == {"failed"} and all(r.attempts < 20 for r in rows)
