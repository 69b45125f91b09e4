"""The officer's commands: follow at the counter, receipt QR."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from bot.config import ROOT
from bot.db import make_engine, make_sessions
from bot.dossiers.receipt import follow_payload, is_genuine, signature
from bot.models import Follower
from tests.test_dossier_import import GOOD, _import, _jsonl

SECRET = "q" * 40


def _bot(args: list[str], database_url: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", **extra}
    return subprocess.run([sys.executable, "-m", "bot", *args], check=False, env=env, cwd=ROOT, capture_output=True, text=True)


async def test_an_officer_registers_followers(tmp_path: Path, database_url: str) -> None:
    assert _import(_jsonl(tmp_path / "d.jsonl", [GOOD]), database_url).returncode == 0
    code = str(GOOD["code"])
    assert "follower added (zalo)" in _bot(["follow", code.lower(), "--platform", "zalo", "--user-id", "z1"], database_url).stdout
    assert "already a follower" in _bot(["follow", code, "--platform", "zalo", "--user-id", "z1"], database_url).stdout
    assert "follower added" in _bot(["follow", code, "--platform", "facebook", "--user-id", "f1"], database_url).stdout
    assert _bot(["follow", "000.00.31.H26-261101-9999", "--platform", "zalo", "--user-id", "z1"], database_url).returncode == 1
    assert _bot(["follow", "1.001193", "--platform", "zalo", "--user-id", "z1"], database_url).returncode == 2
    assert _bot(["follow", code, "--platform", "sms", "--user-id", "z1"], database_url).returncode == 2
    engine = make_engine(database_url)
    try:
        async with make_sessions(engine)() as session:
            rows = (await session.execute(select(Follower.platform, Follower.user_id, Follower.via))).all()
    finally:
        await engine.dispose()
    assert sorted(rows) == [("facebook", "f1", "officer"), ("zalo", "z1", "officer")]


def test_receipt_qr_is_written_and_signed(tmp_path: Path, database_url: str) -> None:
    code = str(GOOD["code"])
    out = tmp_path / "qr.svg"
    done = _bot(["receipt-qr", code, "--out", str(out)], database_url, RECEIPT_SECRET=SECRET)
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith("<?xml") and follow_payload(code, SECRET) in done.stdout
    png = _bot(
        ["receipt-qr", code, "--out", str(tmp_path / "qr.png"), "--link", "https://m.me/page?ref="], database_url, RECEIPT_SECRET=SECRET
    )
    assert (tmp_path / "qr.png").read_bytes().startswith(b"\x89PNG") and "https://m.me/page?ref=%2Ffollow" in png.stdout
    assert _bot(["receipt-qr", code], database_url, RECEIPT_SECRET="").returncode == 2
    assert _bot(["receipt-qr", code, "--out", str(tmp_path / "qr.txt")], database_url, RECEIPT_SECRET=SECRET).returncode == 2


def test_signatures_cover_the_code() -> None:
    code = str(GOOD["code"])
    assert is_genuine(code, signature(code, SECRET), SECRET)
    assert not is_genuine(code[:-1] + "9", signature(code, SECRET), SECRET)
    assert not is_genuine(code, signature(code, SECRET), "")
