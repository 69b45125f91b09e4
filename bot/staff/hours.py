"""When officers answer: the one-stop shop's working hours, Vietnam time.

Morning and afternoon sessions from Monday to Friday, the hours most commune offices keep;
holidays are not known here (a citizen told "from 7:30 Monday" on a holiday is answered the
next working day, and the hotline is given with every out-of-hours message).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.formatting import VIETNAM
from bot.texts import vi

SESSIONS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
WORKDAYS = range(5)  # Monday to Friday


def next_opening(now: datetime) -> datetime | None:
    """None while officers work; otherwise when they next start (Vietnam time)."""
    local = now.astimezone(VIETNAM)
    for days in range(8):
        day = (local + timedelta(days=days)).date()
        if day.weekday() not in WORKDAYS:
            continue
        for start, end in SESSIONS:
            opens, closes = datetime.combine(day, start, VIETNAM), datetime.combine(day, end, VIETNAM)
            if opens <= local < closes:
                return None
            if local < opens:
                return opens
    raise AssertionError("a working day comes within a week")


def said(moment: datetime) -> str:
    """ "7:30 thứ Hai ngày 30/11/2026"."""
    local = moment.astimezone(VIETNAM)
    clock = f"{local.hour}:{local.minute:02d}"
    return vi.HANDOFF_WHEN.format(time=clock, weekday=vi.WEEKDAYS[local.weekday()], date=local.strftime("%d/%m/%Y"))
