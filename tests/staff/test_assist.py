"""Assist mode: the chat for a shared tablet, its procedure's sheet one tap away, the follow QR
of a dossier the resident brought, and a fresh conversation for the next person."""

from __future__ import annotations

from connectors import rest
from tests.conftest import say
from tests.staff.conftest import Client, signed_in

DEMO_CODE = "000.00.31.H26-261124-0003"


def _chat_cookie(client: Client) -> str | None:
    found = [c.value for c in client.session.cookie_jar if c.key == rest.COOKIE]
    return found[0] if found else None


async def test_the_sheet_follows_the_conversation_and_the_next_person_starts_afresh(console: Client) -> None:
    assert (await console.get("/staff/assist", allow_redirects=False)).status == 303  # signed in only
    csrf = await signed_in(console, "tuan", "helper")
    page = await console.get("/staff/assist")
    html = await page.text()
    assert page.status == 200 and 'id="composer"' in html and "/static/assist.css" in html
    first = _chat_cookie(console)
    assert first is not None
    assert (await (await console.get("/staff/assist/procedure")).json()) == {"code": None, "name": None}
    await say(console, "làm giấy khai sinh cho cháu cần giấy tờ gì", sender="ignored")  # the cookie's id speaks
    assert (await (await console.get("/staff/assist/procedure")).json()) == {"code": "1.001193", "name": "Đăng ký khai sinh"}
    again = await console.get("/staff/assist")
    assert _chat_cookie(console) == first and again.status == 200  # a reload keeps the conversation

    assert (await console.post("/staff/assist/next", data={"csrf": "wrong"}, allow_redirects=False)).status == 403
    nxt = await console.post("/staff/assist/next", data={"csrf": csrf}, allow_redirects=False)
    assert nxt.status == 303 and nxt.headers["Location"] == "/staff/assist"
    assert _chat_cookie(console) not in (None, first)
    assert (await (await console.get("/staff/assist/procedure")).json()) == {"code": None, "name": None}


async def test_the_follow_qr_of_the_dossier_brought(console: Client) -> None:
    await signed_in(console, "tuan", "helper")
    html = await (await console.get("/staff/assist", params={"code": DEMO_CODE.lower().replace(".", " .", 1)})).text()
    assert 'src="data:image/svg+xml' in html and DEMO_CODE in html
    for personal in ("Lê Văn Cường", "0900000003", "0003<"):
        assert personal not in html
    missing = await (await console.get("/staff/assist", params={"code": "000.00.31.H26-261124-9999"})).text()
    assert "Không tìm thấy hồ sơ 000.00.31.H26-261124-9999" in missing and "data:image/svg+xml" not in missing


async def test_the_qr_without_leaving_the_page(console: Client) -> None:
    await signed_in(console, "tuan", "helper")
    found = await (await console.get("/staff/assist/qr", params={"code": DEMO_CODE})).json()
    assert found["code"] == DEMO_CODE and found["known"] and found["qr"].startswith("data:image/svg+xml")
    missing = await (await console.get("/staff/assist/qr", params={"code": "000.00.31.H26-261124-9999"})).json()
    assert missing == {"code": "000.00.31.H26-261124-9999", "known": False, "qr": None}
    assert (await console.get("/staff/assist/qr")).status == 400
