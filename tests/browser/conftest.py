"""Browser tests: Debian's chromium, driven by Playwright (no browser download), against the
real bot on 127.0.0.1 with fake Zalo and Graph servers. Screenshots go to ``SCREENSHOT_DIR``
(default var/screenshots/), kept as test artifacts.

Without chromium the tests are skipped, unless ``BROWSER_TESTS=required`` (as .ci/run sets,
after installing it): then they fail.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright
from pytest_aiohttp.plugin import AiohttpClient, AiohttpServer

from bot.config import ROOT, Settings
from tests.connectors.conftest import Platforms, start_platforms

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "var" / "screenshots")
# The flags a sandboxed root user needs, and no calls home (this machine's network is closed).
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip
RECEIPT_SECRET = "r" * 40


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("BROWSER_TESTS") == "required":
        raise pytest.UsageError(f"BROWSER_TESTS=required but {CHROMIUM} is missing (apt-get install chromium)")
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium (CI does)"))


@pytest.fixture
async def site(aiohttp_client: AiohttpClient, aiohttp_server: AiohttpServer, settings: Settings) -> Platforms:
    """The bot with Zalo and Messenger on fake servers, and a receipt secret for the follow QR."""
    return await start_platforms(aiohttp_client, aiohttp_server, replace(settings, receipt_secret=RECEIPT_SECRET))


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            context = await browser.new_context(viewport={"width": 1100, "height": 820}, locale="vi-VN")
            yield await context.new_page()
        finally:
            await browser.close()


def _screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


async def screenshot(page: Page, name: str) -> Path:
    path = _screenshot_path(name)
    await page.screenshot(path=str(path), full_page=True)
    return path
