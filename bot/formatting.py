"""Vietnamese formatting of dates and numbers (8.525; 30/11/2026; 16:00 ngày 30/11/2026)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.catalog.records import AgencyRecord
from bot.texts import vi

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def vn_datetime(value: datetime) -> str:
    """Vietnam local date, with the time when it is not midnight."""
    local = value.astimezone(VIETNAM)
    day = local.strftime("%d/%m/%Y")
    if (local.hour, local.minute) == (0, 0):
        return day
    return vi.TIME_ON_DATE.format(time=f"{local:%H:%M}", date=day)


def vn_number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def vn_percent(value: float) -> str:
    """98.79 → "98,79 %" (decimal comma, two decimals)."""
    return f"{value:.2f}".replace(".", ",") + " %"


def vn_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def hotline(office: AgencyRecord) -> str:
    return office.hotline or vi.NO_HOTLINE
