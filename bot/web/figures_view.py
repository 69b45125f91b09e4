"""The figures of a period as the pages show them: titles, the seed article's sentence, charts.

The dashboard (bot/staff/dashboard.py) and the public report (bot/web/report.py) show the same
numbers in the same words; each value is also given raw (``data-value``) so a test, or a
script, can compare the page with ``python -m bot stats --json``.
"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup

from bot.dossiers.periods import Period
from bot.dossiers.stats import Report
from bot.formatting import vn_date, vn_number, vn_percent
from bot.texts import vi
from bot.web.charts import Series, bar_chart

ROMAN = ("I", "II", "III", "IV")
# The keys of ``bot stats --json``, in the order the tables show them, with their labels.
FIGURES = (
    ("received", "Tiếp nhận"),
    ("online", "Trực tuyến"),
    ("online_pct", "Tỷ lệ trực tuyến (%)"),
    ("resolved", "Đã giải quyết"),
    ("on_time", "Đúng hạn"),
    ("early", "Trước hạn"),
    ("overdue", "Quá hạn"),
    ("on_time_or_early_pct", "Đúng và trước hạn (%)"),
    ("unresolved_overdue", "Chưa giải quyết, đã quá hạn"),
    ("ratings", "Lượt đánh giá hài lòng"),
    ("rating_avg", "Điểm hài lòng trung bình (trên 5)"),
)


def title(period: Period, today: date) -> str:
    if period.kind == "quarter":
        name = vi.REPORT_QUARTER.format(roman=ROMAN[(period.start.month - 1) // 3], year=period.start.year)
    elif period.kind == "month":
        name = vi.REPORT_MONTH.format(month=period.start.month, year=period.start.year)
    else:
        name = f"{vn_date(period.start)} – {vn_date(period.end)}"
    return name + (vi.REPORT_SO_FAR.format(day=vn_date(today)) if period.start <= today < period.end else "")


def shown(value: int | float | None) -> str:
    """A figure as Vietnamese write it: 8.525; 98,79 %; "–" where there is none."""
    if value is None:
        return "–"
    if isinstance(value, int):
        return vn_number(value)
    return f"{value:.2f}".replace(".", ",")


def sentences(report: Report) -> list[str]:
    """The period in the seed article's words ("Tiếp nhận …, đã giải quyết …, đúng hạn …")."""
    if report.received == 0:
        return [vi.REPORT_EMPTY]

    def pct(value: float | None) -> str:
        return vn_percent(value) if value is not None else vi.NOT_APPLICABLE

    numbers = {key: vn_number(getattr(report, key)) for key in ("received", "resolved", "on_time", "early", "overdue", "online")}
    lines = [
        vi.REPORT_SENTENCE.format(
            **numbers,
            on_time_or_early_pct=pct(report.on_time_or_early_pct),
            overdue_pct=pct(report.overdue_pct),
            online_pct=pct(report.online_pct),
        )
    ]
    if report.unresolved_overdue:
        lines.append(vi.REPORT_UNRESOLVED_OVERDUE.format(count=vn_number(report.unresolved_overdue)))
    if report.ratings and report.rating_avg is not None:
        lines.append(vi.REPORT_SATISFACTION.format(count=vn_number(report.ratings), average=shown(report.rating_avg)))
    else:
        lines.append(vi.REPORT_NO_SATISFACTION)
    return lines


def month_label(report: Report) -> str:
    return f"{report.start.month}/{report.start.year % 100:02d}"


def charts(months: list[Report], satisfaction: bool = True) -> list[Markup]:
    """Received and resolved, the outcomes, the online share (and satisfaction) by month."""
    labels = [month_label(m) for m in months]
    drawn = [
        bar_chart(
            vi.CHART_TREND,
            labels,
            [
                Series(vi.CHART_RECEIVED, "#1a5fb4", [m.received for m in months]),
                Series(vi.CHART_RESOLVED, "#2ec27e", [m.resolved for m in months]),
            ],
        ),
        bar_chart(
            vi.CHART_OUTCOMES,
            labels,
            [
                Series(vi.CHART_EARLY, "#26a269", [m.early for m in months]),
                Series(vi.CHART_ON_TIME, "#62a0ea", [m.on_time for m in months]),
                Series(vi.CHART_OVERDUE, "#c01c28", [m.overdue for m in months]),
            ],
            stacked=True,
        ),
        bar_chart(vi.CHART_ONLINE, labels, [Series(vi.CHART_ONLINE_PCT, "#9141ac", [m.online_pct for m in months])], unit=""),
    ]
    if satisfaction:
        drawn.append(bar_chart(vi.CHART_SATISFACTION, labels, [Series(vi.CHART_RATING, "#e5a50a", [m.rating_avg for m in months])]))
    return drawn


def values(report: Report) -> list[tuple[str, str, str, str]]:
    """(key, label, shown, raw) for each figure of ``bot stats --json``."""
    data = report.to_json()
    return [(key, label, shown(data[key]), "" if data[key] is None else str(data[key])) for key, label in FIGURES]
