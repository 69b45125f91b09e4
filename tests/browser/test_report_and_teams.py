"""In a real browser: the public report without signing in, the dashboard's figures against
``bot stats --json``, an unanswered question labelled and exported, and assist mode."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Page, expect

from bot.config import ROOT
from bot.dossiers.store import upsert_dossiers
from bot.staff.accounts import add_account
from nlu.evaluation import read_examples
from tests import q1_2023
from tests.browser.conftest import screenshot
from tests.conftest import say
from tests.connectors.conftest import Platforms
from tests.staff.conftest import PASSWORD

APRIL_2023 = datetime(2023, 4, 15, 3, 0, tzinfo=UTC)


async def _seed_q1(site: Platforms) -> None:
    async with site.runtime.sessions() as db, db.begin():
        await upsert_dossiers(db, q1_2023.records())


async def _sign_in(page: Page, base: str, username: str, role: str, site: Platforms) -> None:
    async with site.runtime.sessions() as db, db.begin():
        await add_account(db, username, role, PASSWORD)
    await page.goto(f"{base}/staff/login")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("heading", name=f"Xin chào, {username}")).to_be_visible()


async def _run_bot(*args: str, database_url: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot", *args], check=True, env=env, cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout


async def test_the_public_report_needs_no_sign_in(site: Platforms, page: Page) -> None:
    await _seed_q1(site)
    site.now[0] = APRIL_2023  # mid-April: the previous quarter is the seed article's
    base = str(site.client.make_url("")).rstrip("/")
    await page.goto(f"{base}/report")
    quarter = page.locator('[data-period="2023-Q1"]')
    await expect(quarter.get_by_role("heading", name="Quý I/2023")).to_be_visible()
    await expect(quarter).to_contain_text("Tiếp nhận 8.525 hồ sơ. Đã giải quyết 8.315 hồ sơ")
    await expect(quarter).to_contain_text("đúng hạn 5.138 hồ sơ, trước hạn 3.076 hồ sơ, đạt 98,79 %")
    await expect(quarter).to_contain_text("quá hạn 101 hồ sơ, chiếm 1,21 %")
    await expect(quarter).to_contain_text("có 2.351 hồ sơ được tiếp nhận và giải quyết qua dịch vụ công trực tuyến (27,58 %)")
    await expect(page.locator("svg.chart").first).to_be_visible()
    await expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)  # nobody signed in
    await screenshot(page, "11-public-report")


async def test_the_dashboard_shows_what_bot_stats_counts(site: Platforms, page: Page, database_url: str) -> None:
    await _seed_q1(site)
    base = str(site.client.make_url("")).rstrip("/")
    await _sign_in(page, base, "can.bo", "officer", site)
    await page.get_by_role("link", name="Số liệu").first.click()
    await page.get_by_label("Từ ngày").fill("2023-01-01")
    await page.get_by_label("Đến ngày").fill("2023-03-31")
    await page.get_by_label("Cơ quan").select_option("dan-phuong")
    await page.get_by_role("button", name="Xem").click()
    await expect(page.locator("#figures")).to_be_visible()
    shown = await page.eval_on_selector_all(
        "#figures [data-key]", "cells => Object.fromEntries(cells.map(c => [c.dataset.key, c.dataset.value]))"
    )
    figures = {key: json.loads(raw) if raw else None for key, raw in shown.items()}
    cli = json.loads(
        await _run_bot("stats", "--from", "2023-01-01", "--to", "2023-03-31", "--agency", "dan-phuong", "--json", database_url=database_url)
    )
    assert figures == cli == q1_2023.FIGURES
    await expect(page.locator("#figures [data-key=received]")).to_have_text("8.525")
    await expect(page.locator("svg.chart")).to_have_count(4)
    await screenshot(page, "12-dashboard")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="danh sách hồ sơ quá hạn và lý do").click()
    saved = await (await download.value).path()
    rows = await asyncio.to_thread(Path(saved).read_text, encoding="utf-8-sig")
    assert len(rows.strip().splitlines()) == 1 + 101


async def test_an_unanswered_question_is_labelled_and_exported(site: Platforms, page: Page, database_url: str, tmp_path: Path) -> None:
    for sender, text in (
        ("a", "đăng ký giấy tờ cho em bé mới chào đời ở đâu"),
        ("b", "ad ơi đăng ký giấy tờ cho em bé mới chào đời ở đâu ạ"),
    ):
        await say(site.client, text, sender=sender)
    base = str(site.client.make_url("")).rstrip("/")
    await _sign_in(page, base, "can.bo", "officer", site)
    await page.get_by_role("link", name="Câu hỏi chưa trả lời").first.click()
    group = page.locator("section.question-group").first
    await expect(group).to_contain_text("2 tin nhắn")
    await group.get_by_label("Loại câu hỏi").select_option("ask_place")
    await group.get_by_label("Thủ tục").select_option("1.001193")
    await screenshot(page, "13-unanswered-questions")
    await group.get_by_role("button", name="Lưu").click()
    await expect(page.get_by_text("Không có câu hỏi nào chờ gán nhãn.")).to_be_visible()
    await expect(page.get_by_role("heading", name="Đã gán nhãn gần đây")).to_be_visible()
    out = tmp_path / "review"
    await _run_bot("export-training", "--since", "2026-11-01", "--out", str(out), database_url=database_url)
    assert {e.intent for e in read_examples(out / "nlu.yml")} == {"ask_place"} and len(read_examples(out / "nlu.yml")) == 2
    assert "đăng ký giấy tờ cho em bé mới chào đời" in (out / "aliases.yml").read_text(encoding="utf-8")


async def test_assist_mode_on_a_shared_tablet(site: Platforms, page: Page) -> None:
    base = str(site.client.make_url("")).rstrip("/")
    await page.set_viewport_size({"width": 1180, "height": 820})  # a 11-inch tablet, landscape
    await _sign_in(page, base, "to.cns", "helper", site)
    await page.get_by_role("link", name="Hỗ trợ người dân").first.click()
    await page.get_by_label("Câu hỏi").fill("làm giấy khai sinh cho cháu cần giấy tờ gì")
    await page.get_by_role("button", name="Gửi").click()
    sheet = page.get_by_role("link", name="In phiếu hướng dẫn: Đăng ký khai sinh")
    await expect(sheet).to_be_visible(timeout=10_000)
    assert await sheet.get_attribute("href") == "/procedures/1.001193"
    size = await page.eval_on_selector("#message-input", "el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 22, size  # large type
    await page.get_by_label("Mã hồ sơ người dân mang theo").fill("000.00.31.H26-261124-0003")
    await page.get_by_role("button", name="Tạo mã QR theo dõi").click()
    await expect(page.get_by_role("img", name="Mã QR theo dõi hồ sơ 000.00.31.H26-261124-0003")).to_be_visible()
    await expect(page.locator(".msg--bot").first).to_contain_text("Đăng ký khai sinh")  # no reload: the conversation stays
    await screenshot(page, "14-assist-mode")
    await page.get_by_role("button", name="Người tiếp theo (bắt đầu cuộc trò chuyện mới)").click()
    await expect(page.locator(".msg--bot")).to_have_count(0)
    await expect(page.get_by_role("link", name="Phiếu hướng dẫn thủ tục")).to_be_visible()
