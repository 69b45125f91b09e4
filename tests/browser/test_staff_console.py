"""An officer's day in a real browser: a wrong password, sign-in, a hand-off taken, answered
(the answer reaches the fake Zalo server) and given back, a dossier found with its follow QR."""

from __future__ import annotations

from playwright.async_api import Page, expect

from bot.dossiers.satisfaction import add_comment, add_rating
from bot.dossiers.store import find_dossier
from bot.models import OutboxMessage
from bot.staff.accounts import add_account
from bot.texts import vi
from tests.browser.conftest import screenshot
from tests.connectors.conftest import Platforms, zalo_event, zalo_signature
from tests.staff.conftest import PASSWORD

DOSSIER = "000.00.31.H26-261117-0004"
CITIZEN, OTHER = "6142494823000000001", "6142494823000000002"


async def _citizen_says(site: Platforms, text: str, msg_id: str, user: str = CITIZEN) -> None:
    raw = zalo_event(text, msg_id, user=user, now=site.now[0])
    resp = await site.client.post("/webhooks/zalo", data=raw, headers={"X-ZEvent-Signature": zalo_signature(raw)})
    assert resp.status == 200
    await site.runtime.worker.process_due()


async def test_an_officer_signs_in_takes_a_handoff_answers_and_finds_a_dossier(site: Platforms, page: Page) -> None:
    async with site.runtime.sessions() as db, db.begin():
        await add_account(db, "can.bo", "officer", PASSWORD)
    await _citizen_says(site, "tôi muốn gặp cán bộ", "b1")
    await _citizen_says(site, "hồ sơ thường trú của tôi quá hạn rồi", "b2")
    base = str(site.client.make_url("")).rstrip("/")

    await _sign_in(page, base)

    await page.get_by_role("link", name="Hộp chuyển cán bộ").first.click()
    await expect(page.get_by_text("người dân muốn gặp cán bộ")).to_be_visible()
    await _citizen_says(site, "blorp vrrk", "c1", user=OTHER)  # another citizen, not understood twice
    await _citizen_says(site, "qwx zzv", "c2", user=OTHER)
    await expect(page.get_by_text("trợ lý hai lần không hiểu")).to_be_visible(timeout=10_000)  # no reload
    await screenshot(page, "03-handoff-inbox")
    await page.get_by_role("link", name="Mở").first.click()
    await expect(page.get_by_text("quá hạn rồi")).to_be_visible()
    await page.get_by_role("button", name="Nhận trả lời cuộc trò chuyện").click()
    await _citizen_says(site, "anh ơi em đang đợi ở quầy số 2", "b3")
    await expect(page.get_by_text("đang đợi ở quầy số 2")).to_be_visible(timeout=10_000)  # appears while the page is open
    office = site.runtime.dialogue.catalogue.office.name
    await site.runtime.dispatcher.dispatch_due()
    assert site.zalo.texts()[-1] == vi.HANDOFF_JOINED.format(agency=office)
    answer = "Chào anh, hồ sơ thường trú của anh có ngày hẹn mới là 02/12/2026 ạ."
    await page.get_by_label("Tin nhắn gửi người dân").fill(answer)
    await page.get_by_role("button", name="Gửi").click()
    await expect(page.get_by_text(answer)).to_be_visible()
    await site.runtime.dispatcher.dispatch_due()
    assert site.zalo.texts()[-1] == answer  # it reached the citizen's platform
    await page.reload()
    await screenshot(page, "04-conversation")
    await page.get_by_role("button", name="Trả lại cho trợ lý tự động").click()
    await expect(page.get_by_text("trợ lý hai lần không hiểu")).to_be_visible()  # the other one still waits
    await expect(page.get_by_text("người dân muốn gặp cán bộ")).to_have_count(0)
    await site.runtime.dispatcher.dispatch_due()
    assert site.zalo.texts()[-1] == vi.HANDOFF_BACK

    await _find_dossier(page)


async def _sign_in(page: Page, base: str) -> None:
    """A page without a session shows the sign-in form; a wrong password is refused, the right one opens."""
    await page.goto(f"{base}/staff/")
    await expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()  # no session: the sign-in page
    await page.get_by_label("Tên đăng nhập").fill("can.bo")
    await page.get_by_label("Mật khẩu").fill("sai mật khẩu rồi")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("alert")).to_contain_text("không đúng")
    await screenshot(page, "01-sign-in-refused")
    await page.get_by_label("Tên đăng nhập").fill("can.bo")
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("heading", name="Xin chào, can.bo")).to_be_visible()
    await screenshot(page, "02-home")


async def _find_dossier(page: Page) -> None:
    """The desk finds a dossier by a code typed in lower case and shows its follow QR."""
    await page.get_by_role("link", name="Tra cứu hồ sơ").first.click()
    await page.get_by_label("Mã hồ sơ").fill(DOSSIER.lower())
    await page.get_by_role("button", name="Tra cứu").click()
    await expect(page.get_by_role("heading", name=f"Hồ sơ {DOSSIER}")).to_be_visible()
    qr = page.get_by_role("img", name=f"Mã QR theo dõi hồ sơ {DOSSIER}")
    await expect(qr).to_be_visible()
    box = await qr.bounding_box()
    assert box is not None and box["width"] >= 200
    await screenshot(page, "05-dossier-desk")
    # A phone: nothing wider than the screen (tables scroll inside their cards).
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.reload()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await screenshot(page, "06-dossier-desk-phone")


async def test_an_admin_reads_the_audit_feedback_and_whom_to_call(site: Platforms, page: Page) -> None:
    async with site.runtime.sessions() as db, db.begin():
        await add_account(db, "quan.tri", "admin", PASSWORD)
        dossier = await find_dossier(db, DOSSIER)
        assert dossier is not None
        rating = await add_rating(db, 1, dossier, "dan-phuong", "zalo", CITIZEN, site.now[0])
        await add_comment(db, rating, "Hẹn trả kết quả mà không có")
        db.add(
            OutboxMessage(
                dedupe_key="browser-undeliverable", dossier_id=dossier.id, platform="zalo", user_id=CITIZEN, kind="apology",
                data={"code": DOSSIER}, state="undeliverable", last_error="outside the window, no template: please call",
                created_at=site.now[0],
            )
        )  # fmt: skip
    base = str(site.client.make_url("")).rstrip("/")
    await page.goto(f"{base}/staff/login")
    await page.get_by_label("Tên đăng nhập").fill("quan.tri")
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()

    await page.get_by_role("link", name="Góp ý").first.click()
    await expect(page.get_by_text("Hẹn trả kết quả mà không có")).to_be_visible()
    await screenshot(page, "07-feedback")
    await page.get_by_role("button", name="Đã xử lý").click()
    await expect(page.get_by_text("quan.tri, ")).to_be_visible()

    await page.get_by_role("link", name="Cần gọi điện").first.click()
    await expect(page.get_by_text("please call")).to_be_visible()
    await expect(page.get_by_text("0900000004")).to_have_count(0)  # the phone only on its own page
    await screenshot(page, "08-unreached")
    await page.get_by_role("link", name="Xem số để gọi").click()
    await expect(page.get_by_text("0900000004")).to_be_visible()
    await page.get_by_role("button", name="Đã gọi điện").click()
    await expect(page.get_by_text("Không có thông báo nào cần gọi điện")).to_be_visible()

    await page.get_by_role("link", name="Nhật ký truy cập").first.click()
    await expect(page.get_by_role("cell", name="xem số điện thoại")).to_be_visible()
    await screenshot(page, "09-audit")
