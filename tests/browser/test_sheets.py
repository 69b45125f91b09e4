"""A helper prints a procedure sheet: found by the search box, printed to PDF by the browser."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.connectors.conftest import Platforms


async def test_a_helper_finds_and_prints_a_procedure_sheet(site: Platforms, page: Page) -> None:
    base = str(site.client.make_url("")).rstrip("/")
    await page.goto(f"{base}/procedures")
    await page.get_by_label("Tìm thủ tục").fill("làm giấy khai sinh")
    await page.get_by_role("button", name="Tìm").click()
    await page.get_by_role("link", name="Đăng ký khai sinh").first.click()
    await expect(page.get_by_role("heading", name="Đăng ký khai sinh", level=1)).to_be_visible()
    await screenshot(page, "10-procedure-sheet")
    await page.emulate_media(media="print")
    await expect(page.get_by_text("Tìm thủ tục khác")).to_be_hidden()  # the print CSS hides the links
    pdf = await page.pdf(format="A4", print_background=True)
    (SCREENSHOTS / "10-procedure-sheet.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pdf.startswith(b"%PDF") and 1 <= pages <= 2, pages  # the longest sheets: one sheet of paper, both sides
