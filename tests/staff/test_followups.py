"""Feedback and ratings to handle, and notices that did not reach their citizen: whom to call."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.dossiers.satisfaction import add_comment, add_feedback, add_rating
from bot.dossiers.store import find_dossier
from bot.models import AuditEntry, OutboxMessage
from bot.runtime import RUNTIME
from tests.conftest import DEMO_NOW
from tests.staff.conftest import Client, csrf_of, signed_in

DOSSIER = "000.00.31.H26-261120-0001"  # demo: Nguyễn Văn An, 0900000001


async def test_feedback_and_low_ratings_newest_first_and_marked_handled(console: Client) -> None:
    async with console.app[RUNTIME].sessions() as db, db.begin():
        dossier = await find_dossier(db, DOSSIER)
        await add_feedback(db, "zalo", "z1", "Cán bộ tiếp dân rất nhiệt tình", DEMO_NOW - timedelta(hours=2))
        rating = await add_rating(db, 2, dossier, "dan-phuong", "facebook", "f1", DEMO_NOW - timedelta(hours=1))
        await add_comment(db, rating, "Chờ lâu quá")
        await add_rating(db, 5, dossier, "dan-phuong", "zalo", "z2", DEMO_NOW)  # no comment, high: nothing to handle
    csrf = await signed_in(console, "can.bo", "officer")
    page = await (await console.get("/staff/feedback")).text()
    assert page.index("Chờ lâu quá") < page.index("Cán bộ tiếp dân") and "Đánh giá 2/5" in page and "Đánh giá 5/5" not in page
    assert page.count(">Đã xử lý</button>") == 2
    done = await console.post(f"/staff/feedback/rating/{rating}/handled", data={"csrf": csrf}, allow_redirects=False)
    assert done.status == 303
    page = await (await console.get("/staff/feedback")).text()
    assert page.count(">Đã xử lý</button>") == 1 and "can.bo, " in page
    assert (await console.post("/staff/feedback/rating/999/handled", data={"csrf": csrf})).status == 404


async def test_an_undelivered_notice_gives_the_phone_to_call_once_audited(console: Client) -> None:
    async with console.app[RUNTIME].sessions() as db, db.begin():
        dossier = await find_dossier(db, DOSSIER)
        assert dossier is not None
        notice = OutboxMessage(
            dedupe_key="test-undeliverable", dossier_id=dossier.id, platform="zalo", user_id="z1", kind="ready", data={"code": DOSSIER},
            state="undeliverable", last_error="outside the 168 h window and no template for ready: please call", created_at=DEMO_NOW,
        )  # fmt: skip
        db.add(notice)
    await signed_in(console, "can.bo", "officer")
    listing = await (await console.get("/staff/unreached")).text()
    assert DOSSIER in listing and "please call" in listing and "0900000001" not in listing  # the phone only on its own page
    page = await (await console.get(f"/staff/unreached/{notice.id}")).text()
    assert "0900000001" in page and "Nguyễn Văn An" in page
    async with console.app[RUNTIME].sessions() as db:
        entries = (await db.execute(select(AuditEntry.action, AuditEntry.target))).all()
    assert entries == [("view_phone", DOSSIER)]
    called = await console.post(f"/staff/unreached/{notice.id}/called", data={"csrf": csrf_of(page)}, allow_redirects=False)
    assert called.status == 303
    assert DOSSIER not in await (await console.get("/staff/unreached")).text()
    assert "Đã gọi: can.bo" in await (await console.get(f"/staff/unreached/{notice.id}")).text()
