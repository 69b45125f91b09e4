"""The public report: the seed article's quarter shown exactly, no personal data, cached,
framed only by the configured origins, bad periods refused with a reason."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from pytest_aiohttp.plugin import AiohttpClient

from bot.app import create_app
from bot.config import Settings
from bot.dossiers.delay_reasons import category
from bot.dossiers.periods import months, parse_period, previous_month, quarter_of
from bot.dossiers.records import VIETNAM, DossierRecord
from bot.dossiers.store import upsert_dossiers
from bot.runtime import RUNTIME
from tests import q1_2023
from tests.conftest import seed_dossiers
from tests.test_stats import _stats

Client = TestClient[Any, Any]
APRIL = datetime(2023, 4, 15, 3, 0, tzinfo=UTC)
_VALUE = re.compile(r'data-key="(\w+)" data-value="([^"]*)"')


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _block(html: str, period: str) -> dict[str, str]:
    """The raw figures of one period's block."""
    start = html.index(f'data-period="{period}"')
    end = html.find("</article>", start)
    return dict(_VALUE.findall(html[start:end]))


async def _report(aiohttp_client: AiohttpClient, settings: Settings, clock: Clock) -> Client:
    return await aiohttp_client(create_app(replace(settings, load_demo_data=False), clock, background=False))


async def test_the_seed_articles_quarter_on_the_public_report(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    await seed_dossiers(settings.database_url, q1_2023.records())
    client = await _report(aiohttp_client, settings, Clock(APRIL))
    page = await client.get("/report")  # no sign-in; mid-April: the previous quarter is Q1/2023
    assert page.status == 200
    html = await page.text()
    expected = {k: str(v) for k, v in q1_2023.FIGURES.items() if k not in {"on_time_or_early_pct", "online_pct", "rating_avg"}}
    assert _block(html, "2023-Q1") == expected
    cli = json.loads(_stats(["--from", "2023-01-01", "--to", "2023-03-31", "--json"], settings.database_url))
    assert {k: int(v) for k, v in _block(html, "2023-Q1").items()} == {k: cli[k] for k in expected}
    for said in (
        "Quý I/2023", "Tiếp nhận 8.525 hồ sơ", "Đã giải quyết 8.315 hồ sơ", "đúng hạn 5.138 hồ sơ", "trước hạn 3.076 hồ sơ",
        "đạt 98,79 %", "quá hạn 101 hồ sơ, chiếm 1,21 %", "có 2.351 hồ sơ được tiếp nhận và giải quyết qua dịch vụ công trực tuyến",
        "(27,58 %)",
    ):  # fmt: skip
        assert said in html, said
    # The month before: March; the list of late dossiers is March's (the quarter's, when asked).
    march = _block(html, "2023-03")
    assert int(march["received"]) == sum(1 for r in q1_2023.records() if r.received_at and r.received_at.month == 3)
    quarter = await (await client.get("/report?period=2023-Q1")).text()
    assert _block(quarter, "2023-Q1") == expected and 'data-period="2022-Q4"' in quarter
    assert "101 hồ sơ giải quyết quá hạn" in quarter
    summary = quarter[quarter.index('class="by-procedure"') : quarter.index("</table>", quarter.index('class="by-procedure"'))]
    counts = [int(n) for n in re.findall(r'<td class="num">(\d+)</td><td class="num">\d+</td>', summary)]
    assert sum(counts) == 101 and len(counts) == len(q1_2023.PROCEDURES) and counts == sorted(counts, reverse=True)
    assert "Đăng ký khai sinh" in quarter and "Chờ người dân bổ sung, hoàn thiện hồ sơ" in quarter and "Chưa ghi lý do" in quarter
    assert html.count("<svg") == 3


async def test_no_personal_data_and_no_full_code(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    late = DossierRecord(
        code="000.00.31.H26-230301-0042", procedure_code="1.001193", status=10, agency_code="dan-phuong",
        applicant_name="Nguyễn Văn Báo Cáo", applicant_phone="0912345678",
        received_at=datetime(2023, 3, 1, 9, tzinfo=VIETNAM), appointment_at=datetime(2023, 3, 3, 16, tzinfo=VIETNAM),
        finished_at=datetime(2023, 3, 8, 10, tzinfo=VIETNAM), delay_reason="Ông Nguyễn Văn Báo Cáo chưa nộp bản sao",
    )  # fmt: skip
    await seed_dossiers(settings.database_url, [late])
    client = await _report(aiohttp_client, settings, Clock(APRIL))
    html = await (await client.get("/report?period=2023-03")).text()
    assert "000.00.31.H26-230301-…" in html and "0042" not in html
    for private in ("Nguyễn Văn Báo Cáo", "0912345678", "chưa nộp bản sao"):
        assert private not in html
    assert re.search(r"<td class=\"code\">000\.00\.31\.H26-230301-…</td><td>Đăng ký khai sinh</td><td>5</td>", html)


async def test_cached_for_a_few_minutes(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    clock = Clock(APRIL)
    client = await _report(aiohttp_client, settings, clock)
    first = await client.get("/report?period=2023-04")
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert _block(await first.text(), "2023-04")["received"] == "0"
    record = DossierRecord(
        code="000.00.31.H26-230410-0001", status=4, agency_code="dan-phuong",
        received_at=datetime(2023, 4, 10, 9, tzinfo=VIETNAM), appointment_at=datetime(2023, 4, 20, 9, tzinfo=VIETNAM),
    )  # fmt: skip
    async with client.app[RUNTIME].sessions() as session, session.begin():
        await upsert_dossiers(session, [record])
    clock.now += timedelta(minutes=4)
    assert _block(await (await client.get("/report?period=2023-04")).text(), "2023-04")["received"] == "0"
    clock.now += timedelta(minutes=1)
    assert _block(await (await client.get("/report?period=2023-04")).text(), "2023-04")["received"] == "1"


async def test_framed_only_by_the_configured_origins(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    alone = await _report(aiohttp_client, settings, Clock(APRIL))
    page = await alone.get("/report")
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"] and page.headers["X-Frame-Options"] == "SAMEORIGIN"
    chat = await alone.get("/")
    assert "frame-ancestors 'none'" in chat.headers["Content-Security-Policy"] and chat.headers["X-Frame-Options"] == "DENY"
    portal = "https://danphuong.hanoi.gov.vn"
    framed = await aiohttp_client(create_app(replace(settings, report_frame_origins=frozenset({portal})), Clock(APRIL), background=False))
    page = await framed.get("/report")
    assert f"frame-ancestors 'self' {portal};" in page.headers["Content-Security-Policy"] + ";"
    assert "X-Frame-Options" not in page.headers


async def test_bad_periods_are_refused_with_a_reason(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    client = await _report(aiohttp_client, settings, Clock(APRIL))
    for period, reason in (("2023-13", "not a month"), ("2023-Q5", "neither"), ("quý 1", "neither"), ("2024-01", "not begun")):
        response = await client.get("/report", params={"period": period})
        assert response.status == 400 and reason in await response.text(), period


def test_periods_and_reason_categories() -> None:
    assert parse_period("2023-q1") == quarter_of(date(2023, 2, 14))
    assert quarter_of(date(2023, 1, 1)).previous().key == "2022-Q4"
    assert previous_month(date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert [m.key for m in months(date(2023, 1, 20), date(2023, 3, 5))] == ["2023-01", "2023-02", "2023-03"]
    assert months(date(2023, 1, 20), date(2023, 3, 5))[0].start == date(2023, 1, 20)
    assert category("Chờ công dân BỔ SUNG giấy tờ") == "supplement"
    assert category("cần xác minh nơi cư trú") == "verification"
    assert category("chờ ý kiến cơ quan thuế") == "coordination"
    assert category("lỗi hệ thống một cửa") == "system"
    assert category("cán bộ nghỉ ốm") == "workload"
    assert category("trời mưa to") == "other" and category("  ") == "none" and category(None) == "none"
