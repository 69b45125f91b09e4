"""The public report at ``/report`` (no sign-in): the office's results for the current and
previous month and quarter, in the words of the monthly public notice the seed article asks for,
with a chart and the late dossiers by procedure — no personal data, no full dossier code.

``?period=2023-03`` or ``?period=2023-Q1`` shows that period and the one before. Pages are
cached for a few minutes per process: a portal that embeds the page (an <iframe>, allowed from
REPORT_FRAME_ORIGINS only) does not cost a scan of the dossiers per visitor.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.catalog.catalogue import Catalogue
from bot.config import Settings
from bot.db import SessionFactory
from bot.dialogue.turn import Clock
from bot.dossiers.overdue import Late, late_dossiers
from bot.dossiers.periods import Period, month_of, months, months_back, parse_period, quarter_of
from bot.dossiers.stats import Report, compute
from bot.formatting import VIETNAM, vn_date
from bot.texts import vi
from bot.web.figures_view import charts, sentences, title
from bot.web.headers import allow_framing

CACHE_FOR = timedelta(minutes=5)
CACHE_ENTRIES = 64
TREND_MONTHS = 6
LISTED = 200  # late dossiers shown; the count says how many there are in all


@dataclass(frozen=True)
class _Cached:
    at: datetime
    body: str


def add_routes(
    app: web.Application, settings: Settings, sessions: Callable[[], SessionFactory], catalogue: Callable[[], Catalogue], clock: Clock
) -> None:
    cache: dict[tuple[str, str, date], _Cached] = {}

    async def public_report(request: web.Request) -> web.StreamResponse:
        now = clock()
        today = now.astimezone(VIETNAM).date()
        raw = request.query.get("period", "").strip()
        try:
            chosen = parse_period(raw) if raw else None
        except ValueError as exc:
            raise web.HTTPBadRequest(text=f"period: {exc}") from None
        if chosen is not None and chosen.start > today:
            raise web.HTTPBadRequest(text="period: that period has not begun yet")
        office = catalogue().office
        key = (office.code, raw, today)
        cached = cache.get(key)
        if cached is None or now - cached.at >= CACHE_FOR:
            context = await _context(sessions(), catalogue(), chosen, today)
            body = aiohttp_jinja2.render_string("report.html", request, {"account": None, "office": office, **context})
            if len(cache) >= CACHE_ENTRIES:
                cache.pop(min(cache, key=lambda k: cache[k].at))
            cached = cache[key] = _Cached(now, body)
        response = web.Response(text=cached.body, content_type="text/html")
        response.headers["Cache-Control"] = f"public, max-age={int(CACHE_FOR.total_seconds())}"
        allow_framing(response, settings.report_frame_origins)
        return response

    app.router.add_get("/report", public_report)


async def _context(sessions: SessionFactory, known: Catalogue, chosen: Period | None, today: date) -> dict[str, Any]:
    agency = known.office.code
    if chosen is None:
        month, quarter = month_of(today), quarter_of(today)
        periods = [month, month.previous(), quarter, quarter.previous()]
        listed = month.previous()
    else:
        periods, listed = [chosen, chosen.previous()], chosen
    last = min(periods[0].end, today)
    trend_start = months_back(last, TREND_MONTHS)
    async with sessions() as session:
        blocks = []
        for period in periods:
            report = await compute(session, period.start, min(period.end, max(today, period.start)), agency, today)
            blocks.append({"title": title(period, today), "key": period.key, "report": report, "sentences": sentences(report)})
        trend: list[Report] = [await compute(session, m.start, m.end, agency, today) for m in months(trend_start, last)]
        late = await late_dossiers(session, listed.start, min(listed.end, today), agency, today)
    return {
        "blocks": blocks,
        "charts": charts(trend, satisfaction=False),
        "late_title": title(listed, today),
        "late": late[:LISTED],
        "by_procedure": _by_procedure(late),
        "late_count": len(late),
        "categories": vi.DELAY_CATEGORIES,
        "procedure_name": lambda code: p.name if code and (p := known.procedures.get(code)) else code or "–",
        "today": vn_date(today),
    }


@dataclass(frozen=True)
class _ProcedureLate:
    code: str | None
    count: int
    most_days: int
    reason_category: str  # the most frequent


def _by_procedure(late: list[Late]) -> list[_ProcedureLate]:
    """The late dossiers counted by procedure, most first: where the office is slow."""
    groups: dict[str | None, list[Late]] = {}
    for item in late:
        groups.setdefault(item.procedure_code, []).append(item)
    found = [
        _ProcedureLate(code, len(items), max(i.days_late for i in items), Counter(i.reason_category for i in items).most_common(1)[0][0])
        for code, items in groups.items()
    ]
    return sorted(found, key=lambda g: (-g.count, -g.most_days))
