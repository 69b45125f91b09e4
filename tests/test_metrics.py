"""/metrics: closed to the public, and counting what happened — events in, messages out, send
errors by code, NLU time and keyword fallbacks, imports, refused lookups, the backlog. And the
alerts in the log."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pytest_aiohttp.plugin import AiohttpClient
from sqlalchemy import update

from bot import metrics
from bot.alerts import Alerts
from bot.app import create_app
from bot.config import Settings
from bot.dossiers.api import sign
from bot.models import InboxEvent
from bot.runtime import RUNTIME
from tests.conftest import DEMO_NOW, say
from tests.connectors.conftest import Platforms, platforms, zalo_event, zalo_signature  # noqa: F401  (the fixture)

Client = TestClient[Any, Any]
TOKEN = "m" * 40


def _value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_are_for_this_machine_or_the_token(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    local = await aiohttp_client(create_app(settings, background=False))
    page = await local.get("/metrics")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/plain")
    assert "onestop_backlog_rows" in await page.text()
    proxied = await local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})  # through nginx: refused
    assert proxied.status == 403 and "METRICS_TOKEN" in (await proxied.json())["error"]
    closed = await aiohttp_client(create_app(replace(settings, metrics_token=TOKEN), background=False))
    assert (await closed.get("/metrics")).status == 401
    assert (await closed.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})).status == 401
    assert (await closed.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": "203.0.113.9"})).status == 200


async def test_what_happened_is_counted(platforms: Platforms) -> None:  # noqa: F811  (the imported fixture)
    client = platforms.client
    before = {
        "in": _value("onestop_inbound_events_total", platform="zalo", kind="text"),
        "out": _value("onestop_messages_sent_total", platform="zalo", kind="reply"),
        "err": _value("onestop_send_errors_total", platform="zalo", code="http_503"),
        "kw": _value("onestop_nlu_keyword_fallbacks_total"),
        "nlu": _value("onestop_nlu_parse_seconds_count", source="keywords"),
    }
    raw = zalo_event("làm giấy khai sinh cần giấy tờ gì", "m-1")
    for _ in range(2):  # Zalo redelivers: stored and counted once
        assert (await client.post("/webhooks/zalo", data=raw, headers={"X-ZEvent-Signature": zalo_signature(raw)})).status == 200
    backlog = await (await client.get("/metrics")).text()
    assert 'onestop_backlog_rows{queue="inbox"} 1.0' in backlog
    platforms.zalo.failures.append((503, {}))  # the first send fails, the retry goes
    await platforms.runtime.worker.process_due()
    async with platforms.runtime.sessions() as session, session.begin():
        await session.execute(update(InboxEvent).values(due_at=platforms.now[0]))  # the retry is due now
    await platforms.runtime.worker.process_due()
    page = await (await client.get("/metrics")).text()
    assert 'onestop_backlog_rows{queue="inbox"} 0.0' in page
    assert _value("onestop_inbound_events_total", platform="zalo", kind="text") - before["in"] == 1
    assert _value("onestop_messages_sent_total", platform="zalo", kind="reply") - before["out"] == 1
    assert _value("onestop_send_errors_total", platform="zalo", code="http_503") - before["err"] == 1
    assert _value("onestop_nlu_keyword_fallbacks_total") - before["kw"] == 1  # Rasa is not running in this test
    assert _value("onestop_nlu_parse_seconds_count", source="keywords") - before["nlu"] == 1


async def test_imports_and_refused_lookups_are_counted(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    secret = "s" * 40
    client = await aiohttp_client(create_app(replace(settings, dossier_api_secret=secret), background=False))
    imported, rejected = (
        _value("onestop_dossier_import_rows_total", result="inserted"),
        _value("onestop_dossier_import_rows_total", result="rejected"),
    )
    good = {"code": "000.00.31.H26-261101-0101", "status": 4, "received_at": "2026-11-01T09:00:00", "appointment_at": "2026-11-05"}
    body = json.dumps([good, {"code": "not a code", "status": 4}]).encode()
    at = int(datetime.now(UTC).timestamp())
    headers = {"Content-Type": "application/json", "X-Timestamp": str(at), "X-Signature-256": sign(body, secret, at)}
    assert (await client.post("/api/dossiers", data=body, headers=headers)).status == 422  # one of two rejected
    assert _value("onestop_dossier_import_rows_total", result="inserted") - imported == 1
    assert _value("onestop_dossier_import_rows_total", result="rejected") - rejected == 1
    refused = _value("onestop_lookups_refused_total", limit="failures")
    for n in range(7):  # unknown codes: five failures, then refused
        await say(client, f"tra cứu hồ sơ 000.00.31.H26-261101-{9000 + n}", sender="guesser")
    assert _value("onestop_lookups_refused_total", limit="failures") - refused >= 1


@pytest.mark.parametrize(("reason", "code"), [
    ("zalo error -14014", "-14014"), ("graph error 10/2018278", "10/2018278"), ("graph error 190/None", "190/None"),
    ("zalo http 503", "http_503"), ("zalo unreachable (ClientConnectorError)", "network"), (None, "unknown"),
])  # fmt: skip
def test_error_codes(reason: str | None, code: str) -> None:
    assert metrics.error_code(reason) == code


async def test_alerts_are_logged_once_while_they_last(
    aiohttp_client: AiohttpClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    client = await aiohttp_client(create_app(settings, background=False))
    runtime = client.app[RUNTIME]
    now = [DEMO_NOW]
    mode: list[str | None] = [None]
    alerts = Alerts(runtime.sessions, lambda: mode[0], lambda: now[0], timedelta(minutes=10), timedelta(minutes=10))
    assert await alerts.check() == []  # Rasa silent since now: not yet an alert
    async with runtime.sessions() as session, session.begin():
        session.add(
            InboxEvent(
                platform="zalo", message_id="old", user_id="u", kind="text", text="x", state="new", due_at=now[0] - timedelta(minutes=11)
            )
        )
    now[0] += timedelta(minutes=11)
    with caplog.at_level(logging.ERROR, logger="bot.alerts"):
        raised = await alerts.check()
    assert [line.split(":")[0] for line in raised] == ["alert=backlog_old queue=inbox", "alert=nlu_down"]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == raised
    now[0] += timedelta(minutes=5)
    assert await alerts.check() == []  # still true, said 5 minutes ago
    mode[0] = "rasa"
    now[0] += timedelta(minutes=11)
    assert [line.split(":")[0] for line in await alerts.check()] == ["alert=backlog_old queue=inbox"]  # Rasa is back
