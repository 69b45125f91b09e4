"""The dashboard: the figures equal ``bot stats --json`` for the same period and agency, month
by month, as CSV too; officers only; bad dates refused with a reason."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime

from pytest_aiohttp.plugin import AiohttpClient
from sqlalchemy import select

from bot.app import create_app
from bot.config import Settings
from bot.models import AuditEntry
from bot.runtime import RUNTIME
from tests import q1_2023
from tests.conftest import seed_dossiers
from tests.staff.conftest import Client, Clock, signed_in
from tests.test_stats import _stats

_VALUE = re.compile(r'data-key="(\w+)" data-value="([^"]*)"')
Q1 = {"from": "2023-01-01", "to": "2023-03-31", "agency": "dan-phuong"}


async def _console(aiohttp_client: AiohttpClient, settings: Settings) -> Client:
    await seed_dossiers(settings.database_url, q1_2023.records())
    clock = Clock()
    clock.now = datetime(2023, 4, 15, 3, 0, tzinfo=UTC)
    return await aiohttp_client(create_app(replace(settings, load_demo_data=False), clock, background=False))


def _figures(html: str) -> dict[str, object]:
    block = html[html.index('id="figures"') : html.index("</dl>", html.index('id="figures"'))]
    return {key: json.loads(raw) if raw else None for key, raw in _VALUE.findall(block)}


async def test_the_dashboard_equals_bot_stats(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await _console(aiohttp_client, settings)
    await signed_in(client, "lan", "officer")
    html = await (await client.get("/staff/dashboard", params=Q1)).text()
    cli = json.loads(_stats(["--from", "2023-01-01", "--to", "2023-03-31", "--agency", "dan-phuong", "--json"], settings.database_url))
    assert _figures(html) == cli == q1_2023.FIGURES
    assert "Tiếp nhận 8.525 hồ sơ" in html and "đạt 98,79 %" in html and html.count("<svg") == 4
    # Another agency: nothing; all agencies: the same as this one (it is the only one).
    other = await (await client.get("/staff/dashboard", params=Q1 | {"agency": "khac"})).text()
    assert _figures(other)["received"] == 0
    everything = await (await client.get("/staff/dashboard", params=Q1 | {"agency": ""})).text()
    assert _figures(everything) == cli

    months = list(
        csv.DictReader(io.StringIO((await (await client.get("/staff/dashboard/figures.csv", params=Q1)).text()).lstrip("\ufeff")))
    )
    assert [m["period"] for m in months] == ["2023-01", "2023-02", "2023-03", "total"]
    assert {k: months[-1][k] for k in ("received", "resolved", "on_time", "early", "overdue", "online")} == {
        k: str(cli[k]) for k in ("received", "resolved", "on_time", "early", "overdue", "online")
    }
    assert sum(int(m["received"]) for m in months[:3]) == cli["received"]  # the months add up to the quarter
    for month in months[:3]:
        stats = json.loads(
            _stats(["--from", month["from"], "--to", month["to"], "--agency", "dan-phuong", "--json"], settings.database_url)
        )
        assert int(month["overdue"]) == stats["overdue"] and int(month["early"]) == stats["early"]

    late = await client.get("/staff/dashboard/late.csv", params=Q1)
    assert late.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO((await late.text()).lstrip("\ufeff"))))
    assert len(rows) == cli["overdue"] + cli["unresolved_overdue"] == 101
    assert {r["reason_category"] for r in rows} >= {"Chờ người dân bổ sung, hoàn thiện hồ sơ", "Chưa ghi lý do"}
    assert all(int(r["days_late"]) >= 1 for r in rows) and rows[0]["procedure"]
    async with client.app[RUNTIME].sessions() as session:
        exports = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "export_late"))).all()
    assert [(e.username, e.target) for e in exports] == [("lan", "2023-01-01..2023-03-31")]


async def test_officers_only_and_bad_dates(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await _console(aiohttp_client, settings)
    await signed_in(client, "tuan", "helper")
    assert (await client.get("/staff/dashboard")).status == 403
    assert (await client.get("/staff/dashboard/late.csv")).status == 403
    await client.post("/staff/logout", data={"csrf": ""})
    client.session.cookie_jar.clear()
    await signed_in(client, "lan", "officer")
    bad = await client.get("/staff/dashboard", params={"from": "2023-02-30"})
    assert bad.status == 400 and "không phải là ngày hợp lệ" in await bad.text()
    backwards = await client.get("/staff/dashboard", params={"from": "2023-03-01", "to": "2023-01-01"})
    assert backwards.status == 400 and "trước ngày bắt đầu" in await backwards.text()
    too_long = await client.get("/staff/dashboard", params={"from": "2010-01-01", "to": "2023-01-01"})
    assert too_long.status == 400 and "at most 36" in await too_long.text()
    assert (await client.get("/staff/dashboard/figures.csv", params={"from": "x"})).status == 400
    default = await client.get("/staff/dashboard")  # the last twelve months, this office
    assert default.status == 200 and 'value="2022-05-01"' in await default.text()
