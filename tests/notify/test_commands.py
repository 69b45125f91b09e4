"""``python -m bot notify --once`` and ``notifications`` as an operator runs them: a separate
process, the database the import made, a fake Zalo server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from pytest_aiohttp.plugin import AiohttpServer

from bot.config import ROOT
from tests.connectors.conftest import APP_ID, OA_SECRET
from tests.fakes.platforms import FakeZalo
from tests.test_dossier_import import GOOD, _jsonl


async def _bot(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """Run a command without blocking this loop (the fake server lives in it)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def test_notify_once_sends_what_an_import_queued(tmp_path: Path, database_url: str, aiohttp_server: AiohttpServer) -> None:
    zalo = FakeZalo()
    url = str((await aiohttp_server(zalo.app())).make_url("")).rstrip("/")
    env = {
        "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "QUIET_HOURS": "", "NLU_URL": "http://127.0.0.1:9",
        "ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": "app-secret", "ZALO_OA_SECRET_KEY": OA_SECRET, "ZALO_ACCESS_TOKEN": "zalo-token",
        "ZALO_REFRESH_TOKEN": "refresh", "ZALO_API_BASE": url, "ZALO_OAUTH_BASE": url, "ZALO_BUSINESS_API_BASE": url,
        "ZALO_TEMPLATE_READY": "tpl-ready",
    }  # fmt: skip
    code = str(GOOD["code"])
    assert (await _bot("import-dossiers", str(_jsonl(tmp_path / "a.jsonl", [GOOD])), env=env))[0] == 0
    assert (await _bot("follow", code, "--platform", "zalo", "--user-id", "z-user", env=env))[0] == 0
    done, out = await _bot("import-dossiers", str(_jsonl(tmp_path / "b.jsonl", [{**GOOD, "status": 9}])), env=env)
    assert done == 0 and "notices 1" in out, out
    done, out = await _bot("notify", "--once", env=env)
    assert done == 0 and "notices handled 1; outbox: sent 1" in out, out
    # The follower never wrote to the OA: outside the 7-day window, so the approved template goes out.
    [sent] = zalo.requests
    assert sent.body["template_id"] == "tpl-ready" and sent.body["template_data"]["ma_ho_so"] == code
    done, listing = await _bot("notifications", "--state", "sent", env=env)
    assert done == 0 and code in listing and "ready" in listing and "z-user" not in listing
    done, out = await _bot("notify", "--once", env=env)
    assert "notices handled 0" in out and len(zalo.requests) == 1  # nothing twice
