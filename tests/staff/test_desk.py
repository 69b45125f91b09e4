"""The dossier desk: a dossier found by its code, its history, followers and notices; a
follower registered at the counter; the follow QR shown for the resident to scan. And the
``add-staff`` command."""

from __future__ import annotations

import html
import os
import subprocess
import sys

import segno
from sqlalchemy import select

from bot.config import ROOT
from bot.dossiers.receipt import follow_payload
from bot.models import AuditEntry, Follower, StaffAccount
from bot.runtime import RUNTIME
from tests.staff.conftest import PASSWORD, Client, signed_in

DOSSIER = "000.00.31.H26-261117-0004"  # demo: overdue, new appointment 02/12/2026


async def test_the_desk_shows_a_dossier_and_registers_a_follower_at_the_counter(console: Client) -> None:
    csrf = await signed_in(console, "to.cns", "helper")
    page = await (await console.get("/staff/dossiers", params={"code": DOSSIER})).text()
    assert "Hồ sơ 000.00.31.H26-261117-0004" in page and "Ngày hẹn mới" in page and "02/12/2026" in page
    assert "Chưa có ai theo dõi" in page
    added = await console.post("/staff/dossiers/followers", data={"csrf": csrf, "code": DOSSIER, "platform": "zalo", "user_id": "z-42"})
    assert "Đã đăng ký người theo dõi" in await added.text() and "z-42" in await added.text()
    again = await console.post("/staff/dossiers/followers", data={"csrf": csrf, "code": DOSSIER, "platform": "zalo", "user_id": "z-42"})
    assert "đã theo dõi hồ sơ" in await again.text()
    bad = await console.post("/staff/dossiers/followers", data={"csrf": csrf, "code": DOSSIER, "platform": "sms", "user_id": "z-1"})
    assert "Vui lòng chọn nền tảng" in await bad.text()
    async with console.app[RUNTIME].sessions() as db:
        followers = (await db.execute(select(Follower.platform, Follower.user_id, Follower.via))).all()
        actions = (await db.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
    assert followers == [("zalo", "z-42", "officer")]
    assert actions.count("add_follower") == 1 and "view_dossier" in actions


async def test_the_follow_qr_is_the_signed_receipt_payload(console: Client) -> None:
    await signed_in(console, "can.bo", "officer")
    page = await (await console.get("/staff/dossiers", params={"code": DOSSIER})).text()
    start = page.index('src="data:image/svg+xml') + len('src="')
    shown = html.unescape(page[start : page.index('"', start)])
    # The same symbol as a QR of the signed payload the receipt slip carries (secret of the fixture).
    assert shown == segno.make(follow_payload(DOSSIER, "r" * 40), error="m").svg_data_uri(scale=6, border=4)
    assert shown != segno.make(follow_payload("000.00.31.H26-261120-0001", "r" * 40), error="m").svg_data_uri(scale=6, border=4)
    assert "Mã QR theo dõi hồ sơ 000.00.31.H26-261117-0004" in page


def _add_staff(database_url: str, args: list[str], password: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "bot", "add-staff", *args]
    return subprocess.run(command, input=password + "\n", env=env, cwd=ROOT, capture_output=True, text=True, check=False)


async def test_add_staff_takes_the_password_from_a_prompt_or_stdin_never_an_argument(database_url: str) -> None:
    done = _add_staff(database_url, ["Can.Bo", "--role", "officer", "--password-stdin"], PASSWORD)
    assert done.returncode == 0 and "can.bo (officer) saved" in done.stdout and PASSWORD not in done.stdout + done.stderr
    assert _add_staff(database_url, ["short", "--role", "officer", "--password-stdin"], "short").returncode == 2
    assert _add_staff(database_url, ["x", "--role", "officer", "--password-stdin"], PASSWORD).returncode == 2  # name too short
    assert _add_staff(database_url, ["can.bo", "--role", "chief", "--password-stdin"], PASSWORD).returncode == 2
    assert _add_staff(database_url, ["can.bo", "--role", "admin", "--password", PASSWORD], PASSWORD).returncode == 2
    reset = _add_staff(database_url, ["can.bo", "--role", "admin", "--password-stdin"], PASSWORD + "!")
    assert reset.returncode == 0 and "(admin) saved" in reset.stdout
    from bot.db import make_engine, make_sessions

    engine = make_engine(database_url)
    try:
        async with make_sessions(engine)() as db:
            [account] = (await db.scalars(select(StaffAccount))).all()
    finally:
        await engine.dispose()
    assert account.role == "admin" and account.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
