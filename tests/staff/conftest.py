"""A bot with the staff console, a clock the tests move, and signed-in browsers (test clients)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pytest_aiohttp.plugin import AiohttpClient

from bot.app import create_app
from bot.config import Settings
from bot.runtime import RUNTIME
from bot.staff.accounts import add_account
from tests.conftest import DEMO_NOW

Client = TestClient[Any, Any]
PASSWORD = "mật khẩu đủ dài 2026"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Clock:
    def __init__(self) -> None:
        self.now = DEMO_NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def staff_clock() -> Clock:
    return Clock()


@pytest.fixture
async def console(aiohttp_client: AiohttpClient, settings: Settings, staff_clock: Clock) -> Client:
    """The whole bot (demo dossiers, a receipt secret for the follow QR), without its jobs."""
    app = create_app(replace(settings, receipt_secret="r" * 40), staff_clock, background=False)
    return await aiohttp_client(app)


async def add_staff(client: Client, username: str, role: str, password: str = PASSWORD) -> None:
    async with client.app[RUNTIME].sessions() as session, session.begin():
        await add_account(session, username, role, password)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


async def sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    page = await client.get("/staff/login")
    return await client.post(
        "/staff/login", data={"csrf": csrf_of(await page.text()), "username": username, "password": password}, allow_redirects=False
    )


async def signed_in(client: Client, username: str, role: str) -> str:
    """Sign ``username`` in (created with ``role``); the CSRF token of the session's forms."""
    await add_staff(client, username, role)
    assert (await sign_in(client, username)).status == 303
    return csrf_of(await (await client.get("/staff/")).text())


from tests.connectors.conftest import platforms  # noqa: E402, F401  (the bot with fake Zalo and Graph servers)
