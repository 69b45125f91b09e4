"""The staff console's locks: no page without a session, CSRF on every form, roles, lock-out,
sessions that end, and an audit entry for every view of a dossier's personal data."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

from aiohttp import web
from pytest_aiohttp.plugin import AiohttpClient
from sqlalchemy import select

from bot.app import create_app
from bot.config import Settings
from bot.models import AuditEntry, StaffSession
from bot.runtime import RUNTIME
from bot.staff.accounts import LOCK_FOR, MAX_FAILURES
from bot.staff.sessions import COOKIE, IDLE
from tests.staff.conftest import PASSWORD, Client, Clock, add_staff, csrf_of, sign_in, signed_in

DOSSIER = "000.00.31.H26-261120-0001"  # demo: Nguyễn Văn An, 0900000001


def _staff_routes(client: Client) -> list[tuple[str, str]]:
    app: web.Application = client.app
    found = []
    for route in app.router.routes():
        path = (route.resource.canonical if route.resource else "").replace("{id}", "1").replace("{kind}", "rating")
        if path.startswith("/staff/") and path != "/staff/login" and route.method in {"GET", "POST"}:
            found.append((route.method, path))
    return found


async def test_no_staff_page_or_action_answers_without_a_session(console: Client) -> None:
    routes = _staff_routes(console)
    assert {("GET", "/staff/"), ("GET", "/staff/dossiers"), ("GET", "/staff/audit"), ("POST", "/staff/logout")} <= set(routes)
    assert {("GET", "/staff/handoffs/1"), ("POST", "/staff/handoffs/1/reply")} <= set(routes)
    for method, path in routes:
        resp = await console.request(method, path, params={"code": DOSSIER}, data={"csrf": "x"}, allow_redirects=False)
        body = await resp.text()
        assert "Nguyễn Văn An" not in body and "0900000001" not in body
        if method == "GET":
            assert (resp.status, resp.headers["Location"]) == (303, "/staff/login"), path
        else:
            assert resp.status == 403, path
    assert (await console.get("/staff", allow_redirects=False)).headers["Location"] == "/staff/"
    console.session.cookie_jar.update_cookies({COOKIE: "made-up-token"})
    assert (await console.get("/staff/dossiers", allow_redirects=False)).status == 303


async def test_a_wrong_password_is_refused_and_the_right_one_opens_a_session(console: Client) -> None:
    await add_staff(console, "can.bo", "officer")
    refused = await sign_in(console, "can.bo", "not the password")
    assert refused.status == 401 and "không đúng" in await refused.text()
    assert (await sign_in(console, "nobody", PASSWORD)).status == 401
    assert (await sign_in(console, "can.bo", "x" * 100_000)).status == 401  # refused unhashed
    opened = await sign_in(console, "CAN.BO ", PASSWORD)
    assert (opened.status, opened.headers["Location"]) == (303, "/staff/")
    cookie = opened.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/staff"
    home = await console.get("/staff/")
    assert home.status == 200 and "can.bo" in await home.text() and home.headers["Cache-Control"] == "no-store"
    async with console.app[RUNTIME].sessions() as db:
        stored = (await db.scalars(select(StaffSession.token_hash))).all()
    assert stored == [hashlib.sha256(cookie.value.encode()).hexdigest()]  # the token itself is nowhere


async def test_a_locked_account_stays_locked_whatever_is_typed(console: Client, staff_clock: Clock) -> None:
    await add_staff(console, "can.bo", "officer")
    for _ in range(MAX_FAILURES - 1):
        assert "không đúng" in await (await sign_in(console, "can.bo", "wrong password!!")).text()
    locked = await sign_in(console, "can.bo", "wrong password!!")
    assert locked.status == 401 and "tạm khóa" in await locked.text()
    staff_clock.advance(LOCK_FOR - timedelta(seconds=1))
    still = await sign_in(console, "can.bo", PASSWORD)  # the right password, a second too early
    assert still.status == 401 and "tạm khóa" in await still.text()
    staff_clock.advance(timedelta(seconds=1))
    assert (await sign_in(console, "can.bo", PASSWORD)).status == 303


async def test_every_form_needs_its_sessions_csrf_token(console: Client) -> None:
    page = await console.get("/staff/login")
    form = {"username": "can.bo", "password": PASSWORD}
    assert (await console.post("/staff/login", data=form, allow_redirects=False)).status == 403
    assert (await console.post("/staff/login", data=form | {"csrf": "guess"}, allow_redirects=False)).status == 403
    assert csrf_of(await page.text())
    csrf = await signed_in(console, "can.bo", "officer")
    follower = {"code": DOSSIER, "platform": "zalo", "user_id": "z-1"}
    assert (await console.post("/staff/dossiers/followers", data=follower, allow_redirects=False)).status == 403
    assert (await console.post("/staff/dossiers/followers", data=follower | {"csrf": csrf[:-1] + "x"}, allow_redirects=False)).status == 403
    assert (await console.post("/staff/logout", data={}, allow_redirects=False)).status == 403
    assert (await console.get("/staff/")).status == 200  # still signed in: nothing was done
    assert (await console.post("/staff/dossiers/followers", data=follower | {"csrf": csrf}, allow_redirects=False)).status == 200


async def test_roles_helpers_cannot_open_officer_or_admin_pages(console: Client) -> None:
    await signed_in(console, "to.cns", "helper")
    assert (await console.get("/staff/dossiers")).status == 200
    denied = await console.get("/staff/audit")
    assert denied.status == 403 and "Không có quyền" in await denied.text() and "Nhật ký truy cập</h1>" not in await denied.text()


async def test_signing_out_and_idling_end_the_session(console: Client, staff_clock: Clock) -> None:
    csrf = await signed_in(console, "can.bo", "officer")
    token = console.session.cookie_jar.filter_cookies(console.make_url("/staff/"))[COOKIE].value
    assert (await console.post("/staff/logout", data={"csrf": csrf}, allow_redirects=False)).status == 303
    console.session.cookie_jar.update_cookies({COOKIE: token})  # the old cookie, replayed
    assert (await console.get("/staff/", allow_redirects=False)).status == 303
    await signed_in(console, "can.bo2", "officer")
    staff_clock.advance(IDLE + timedelta(seconds=1))
    assert (await console.get("/staff/", allow_redirects=False)).status == 303


async def test_each_view_of_personal_data_is_audited_and_admins_read_the_log(console: Client, staff_clock: Clock) -> None:
    """Views of the same dossier by the same person within 30 minutes are one entry (the live
    pages refetch themselves); a later view is another."""
    await signed_in(console, "can.bo", "officer")
    for form in (DOSSIER, DOSSIER.lower(), f"mã hồ sơ {DOSSIER}"):  # any accepted form of the code
        page = await (await console.get("/staff/dossiers", params={"code": form})).text()
        assert "Nguyễn Văn An" in page and "0900000001" in page
    missing = await (await console.get("/staff/dossiers", params={"code": "000.00.31.H26-261120-9999"})).text()
    assert "Không tìm thấy" in missing
    async with console.app[RUNTIME].sessions() as db:
        entries = (await db.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert [(e.username, e.action, e.target) for e in entries] == [("can.bo", "view_dossier", DOSSIER)]
    staff_clock.advance(timedelta(minutes=31))
    assert "Nguyễn Văn An" in await (await console.get("/staff/dossiers", params={"code": DOSSIER})).text()
    console.session.cookie_jar.clear()
    await signed_in(console, "quan.tri", "admin")
    log = await (await console.get("/staff/audit")).text()
    assert log.count("xem hồ sơ") == 2 and "can.bo" in log


async def test_the_session_cookie_is_secure_over_https_behind_a_trusted_proxy(
    aiohttp_client: AiohttpClient, settings: Settings, staff_clock: Clock
) -> None:
    client = await aiohttp_client(create_app(replace(settings, trusted_proxies=frozenset({"127.0.0.1"})), staff_clock, background=False))
    await add_staff(client, "can.bo", "officer")

    async def form() -> dict[str, str]:
        return {"csrf": csrf_of(await (await client.get("/staff/login")).text()), "username": "can.bo", "password": PASSWORD}

    plain = await client.post("/staff/login", data=await form(), allow_redirects=False)
    assert plain.status == 303 and not plain.cookies[COOKIE]["secure"]
    https = await client.post("/staff/login", data=await form(), headers={"X-Forwarded-Proto": "https"}, allow_redirects=False)
    assert https.status == 303 and https.cookies[COOKIE]["secure"]
