"""The dashboard (officer, admin): the figures of ``bot stats`` for a chosen period and agency,
month by month as charts, and as CSV — the figures, and the late dossiers with their reasons."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiohttp import web
from sqlalchemy import select

from bot.catalog.catalogue import Catalogue
from bot.dialogue.turn import Clock
from bot.dossiers.figures import Figures, figures
from bot.dossiers.periods import Period, months_back
from bot.formatting import VIETNAM
from bot.models import Agency
from bot.staff.rendering import Staff, no_store, render
from bot.staff.sessions import audit
from bot.texts import vi
from bot.web.figures_view import FIGURES, charts, month_label, sentences, title, values

SHOWN_LATE = 30  # the longest late; the CSV has them all
LATE_COLUMNS = (
    "code", "procedure_code", "procedure", "agency", "received", "appointment", "finished", "days_late", "reason_category", "reason",
)  # fmt: skip


@dataclass(frozen=True)
class _Asked:
    start: date
    end: date
    agency: str  # "" for all agencies


class Dashboard:
    def __init__(self, clock: Clock, catalogue: Callable[[], Catalogue]) -> None:
        self._clock, self._catalogue = clock, catalogue

    def _today(self) -> date:
        return self._clock().astimezone(VIETNAM).date()

    def _asked(self, request: web.Request) -> _Asked:
        """The period and agency of the query (default: the last twelve months, this office);
        ValueError with the reason for a bad one."""
        today = self._today()
        start = _date(request.query.get("from"), months_back(today, 12), "từ ngày")
        end = _date(request.query.get("to"), today, "đến ngày")
        if end < start:
            raise ValueError("Ngày kết thúc trước ngày bắt đầu.")
        agency = request.query.get("agency", self._catalogue().office.code).strip()
        return _Asked(start, end, agency)

    async def page(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        agencies = (await staff.db.execute(select(Agency.code, Agency.name).order_by(Agency.name))).all()
        context: dict[str, Any] = {"agencies": agencies, "query": request.query}
        try:
            asked = self._asked(request)
            found = await figures(staff.db, asked.start, asked.end, asked.agency or None, self._today())
        except ValueError as exc:
            return render("dashboard.html", request, staff, context | {"error": str(exc)}, status=400)
        total = found.total
        context |= {
            "asked": asked,
            "title": title(Period(asked.start, asked.end, "range"), self._today()),
            "sentences": sentences(total),
            "values": values(total),
            "months": [(month_label(m), values(m)) for m in found.months],
            "charts": charts(found.months),
            "late": found.late[:SHOWN_LATE],
            "late_count": len(found.late),
            "categories": vi.DELAY_CATEGORIES,
            "procedure_name": self._procedure_name,
            "csv_query": f"from={asked.start.isoformat()}&to={asked.end.isoformat()}&agency={asked.agency}",
        }
        return render("dashboard.html", request, staff, context)

    async def figures_csv(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        found, asked = await self._csv_figures(request, staff)
        rows: list[list[Any]] = [["period", "from", "to", *(key for key, _ in FIGURES)]]
        for report in [*found.months, found.total] if len(found.months) > 1 else [found.total]:
            label = "total" if report is found.total else f"{report.start:%Y-%m}"
            data = report.to_json()
            rows.append(
                [label, report.start.isoformat(), report.end.isoformat(), *("" if data[k] is None else data[k] for k, _ in FIGURES)]
            )
        return _csv(rows, f"so-lieu-{asked.start.isoformat()}-{asked.end.isoformat()}.csv")

    async def late_csv(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        found, asked = await self._csv_figures(request, staff)
        await audit(
            staff.db, staff.account, "export_late", f"{asked.start.isoformat()}..{asked.end.isoformat()}", self._clock(), asked.agency
        )
        rows: list[list[Any]] = [list(LATE_COLUMNS)]
        for late in found.late:
            rows.append([
                late.code, late.procedure_code or "", self._procedure_name(late.procedure_code), late.agency_code or "",
                _iso(late.received), _iso(late.appointment), _iso(late.finished), late.days_late,
                vi.DELAY_CATEGORIES[late.reason_category], late.reason or "",
            ])  # fmt: skip
        return _csv(rows, f"ho-so-qua-han-{asked.start.isoformat()}-{asked.end.isoformat()}.csv")

    async def _csv_figures(self, request: web.Request, staff: Staff) -> tuple[Figures, _Asked]:
        try:
            asked = self._asked(request)
            return await figures(staff.db, asked.start, asked.end, asked.agency or None, self._today()), asked
        except ValueError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None

    def _procedure_name(self, code: str | None) -> str:
        return self._catalogue().procedures.name_of(code) or code or "–"


def _date(raw: str | None, default: date, name: str) -> date:
    if not raw or not raw.strip():
        return default
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"Ô «{name}» không phải là ngày hợp lệ (ngày/tháng/năm): {raw[:20]!r}.") from None


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _csv(rows: list[list[Any]], filename: str) -> web.Response:
    """UTF-8 with a byte-order mark: Excel, which most offices open CSV files with, then reads Vietnamese right."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    response = web.Response(body=("\ufeff" + out.getvalue()).encode(), content_type="text/csv", charset="utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)
