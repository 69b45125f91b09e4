"""Shared fixtures: settings on a fresh database (SQLite file, or TEST_DATABASE_URL), the app."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pytest_aiohttp.plugin import AiohttpClient

from bot.app import create_app
from bot.config import ROOT, Settings
from bot.db import make_engine, make_sessions, migrate
from bot.dossiers.records import DossierRecord
from bot.dossiers.store import upsert_dossiers
from bot.logs import quiet_private_loggers
from nlu.server import free_port
from nlu.status import status_file
from tests.throwaway import empty_database

# The demo dossiers are dated November 2026; tests run as if it were this moment (Vietnam 10:00).
DEMO_NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def _personal_data() -> frozenset[str]:
    """The names, phones and ID numbers of the fixtures: the demo dossiers and the tests' own."""
    found = {"Lê Văn An", "0912345678"}  # tests/notify/test_retention.py
    for line in (ROOT / "data" / "demo" / "dossiers.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        found |= {record[key] for key in ("applicant_name", "applicant_phone", "applicant_id_number") if record.get(key)}
    return frozenset(found)


PERSONAL_DATA = _personal_data()


class _PersonalDataWatch(logging.Handler):
    """Every log line of a test, at every level, searched for the fixtures' personal data."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))  # the traceback is appended
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        self.found += [f"{record.name}: {value!r} in {line[:200]!r}" for value in PERSONAL_DATA if value in line]


INTEGRATION = Path(__file__).parent / "integration"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of tests/integration/ run the real Rasa server on the trained model: they are
    marked ``rasa`` by their place, not by hand, and ``make test`` runs the others while the
    model trains (scripts/test-all)."""
    for item in items:
        if item.path.is_relative_to(INTEGRATION):
            item.add_marker(pytest.mark.rasa)


@pytest.fixture(autouse=True)
def nlu_status_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own NLU starter folder, so its status file is absent unless the test writes
    it: a ``make run`` or a training on the same checkout must not change what the bot says."""
    monkeypatch.setenv("NLU_VAR_DIR", str(tmp_path / "nlu-var"))
    return status_file()


@pytest.fixture(autouse=True)
def no_personal_data_in_logs() -> Iterator[None]:
    """The log scan over the whole run: a test whose code logs a fixture's name, phone or ID
    number fails (with the bot's own logging policy: bot/logs.py)."""
    root, watch = logging.getLogger(), _PersonalDataWatch()
    level = root.level
    quiet_private_loggers()
    root.addHandler(watch)
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(watch)
    root.setLevel(level)
    assert not watch.found, watch.found


async def seed_dossiers(database_url: str, records: list[DossierRecord]) -> None:
    """Migrate the database and import ``records`` (dossiers a test needs before the app starts)."""
    engine = make_engine(database_url)
    try:
        await migrate(engine)
        async with make_sessions(engine)() as session, session.begin():
            await upsert_dossiers(session, records)
    finally:
        await engine.dispose()


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    return free_port()


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A clean database per test: a new SQLite file, or an emptied PostgreSQL schema."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    await empty_database(url)
    yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings with the NLU server unreachable: the bot must answer with keywords."""
    return replace(
        Settings(),
        database_url=database_url,
        nlu_url=f"http://127.0.0.1:{closed_port()}",
        nlu_timeout=0.5,
        data_dir=ROOT / "data",
        load_demo_data=True,
    )


@pytest.fixture
def clock() -> Callable[[], datetime]:
    return lambda: DEMO_NOW


@pytest.fixture
async def client(aiohttp_client: AiohttpClient, settings: Settings, clock: Callable[[], datetime]) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(settings, clock))


async def say(client: TestClient[Any, Any], message: str, sender: str = "u1") -> list[dict[str, Any]]:
    """Send one message through the REST channel; the replies as JSON."""
    resp = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
    assert resp.status == 200, await resp.text()
    replies: list[dict[str, Any]] = await resp.json()
    return replies
