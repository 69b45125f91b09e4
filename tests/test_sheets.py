"""Procedure sheets: found with the bot's matcher, one printable page with every field, no sign-in."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.texts import vi

Client = TestClient[Any, Any]
BIRTH = "1.001193"  # Đăng ký khai sinh


async def test_a_search_in_citizens_words_finds_the_procedure(client: Client) -> None:
    page = await client.get("/procedures", params={"q": "lam giay khai sinh cho con"})
    assert page.status == 200
    text = await page.text()
    assert f'href="/procedures/{BIRTH}"' in text and text.index("Đăng ký khai sinh") < text.index("</ul>")
    everything = await (await client.get("/procedures")).text()
    assert everything.count('href="/procedures/') >= 60  # no query: the whole catalogue, by name


async def test_the_sheet_holds_every_field_the_bot_answers_with_and_the_day_it_was_printed(client: Client) -> None:
    page = await client.get(f"/procedures/{BIRTH}")
    assert page.status == 200 and page.headers["Content-Security-Policy"]
    text = await page.text()
    for title in (vi.BUTTON_DOCUMENTS, vi.BUTTON_FEE, vi.BUTTON_TIME, vi.BUTTON_PLACE, vi.BUTTON_LEGAL_BASIS):
        assert f"<h2>{title}</h2>" in text, title
    assert "Tờ khai đăng ký khai sinh" in text  # a document, as the bot lists it
    assert "In ngày 26/11/2026" in text  # the test clock's day
    assert (await client.get("/procedures/9.999999")).status == 404
