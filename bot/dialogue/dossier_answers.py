"""The status of a dossier in plain Vietnamese. A code alone never reveals personal data."""

from __future__ import annotations

from datetime import datetime

from bot.catalog.records import AgencyRecord, ProcedureRecord
from bot.formatting import VIETNAM, hotline, vn_datetime
from bot.models import Dossier
from bot.texts import vi

# Statuses in which the office is still working on the dossier (so it can be late).
_IN_PROGRESS = frozenset({1, 2, 4})


def is_overdue(dossier: Dossier, now: datetime) -> bool:
    """Unfinished and past its appointment date (calendar dates in Vietnam time)."""
    if dossier.status not in _IN_PROGRESS or dossier.appointment_at is None:
        return False
    return dossier.appointment_at.astimezone(VIETNAM).date() < now.astimezone(VIETNAM).date()


_BY_POST = 3


def dates_text(dossier: Dossier) -> str:
    dates = ""
    for template, value in (
        (vi.DOSSIER_RECEIVED, dossier.received_at),
        (vi.DOSSIER_APPOINTMENT, dossier.appointment_at),
        (vi.DOSSIER_NEW_APPOINTMENT, dossier.new_appointment_at),
        (vi.DOSSIER_FINISHED, dossier.finished_at),
        (vi.DOSSIER_RETURNED, dossier.returned_at),
    ):
        if value is not None:
            dates += template.format(date=vn_datetime(value))
    return dates


def status_text(dossier: Dossier, procedure: ProcedureRecord | None, office: AgencyRecord, now: datetime) -> str:
    """The status, the dates and what to do next; no personal data."""
    dates = dates_text(dossier)
    if dossier.status in vi.DOSSIER_REASONS and dossier.delay_reason:
        dates += vi.DOSSIER_REASONS[dossier.status].format(reason=dossier.delay_reason.rstrip("."))
    advice = vi.STATUS_ADVICE[dossier.status].format(hotline=hotline(office), agency=office.name, hours=office.hours or vi.UNKNOWN)
    if dossier.status == 9 and dossier.channel == _BY_POST:
        advice = vi.STATUS_READY_BY_POST
    if is_overdue(dossier, now):
        reason = vi.DOSSIER_OVERDUE_REASON.format(reason=dossier.delay_reason.rstrip(".")) if dossier.delay_reason else ""
        if dossier.new_appointment_at is not None:
            new_date = vi.DOSSIER_OVERDUE_NEW_DATE.format(date=vn_datetime(dossier.new_appointment_at))
        else:
            new_date = vi.DOSSIER_OVERDUE_NO_DATE.format(hotline=hotline(office))
        advice = vi.DOSSIER_OVERDUE.format(reason=reason, new_date=new_date)
    return vi.DOSSIER_STATUS.format(
        code=dossier.code,
        procedure=vi.DOSSIER_PROCEDURE.format(procedure=procedure.name) if procedure else "",
        status=vi.STATUS_NAMES[dossier.status],
        dates=dates,
        advice=advice,
    )
