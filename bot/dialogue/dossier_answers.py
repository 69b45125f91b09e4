"""The status of a dossier in plain Vietnamese. A code alone never reveals personal data.

Nor what officers wrote about it (the papers missing, why it is late or was refused): free
text may name a person or a private matter, so it is shown only to whoever confirmed the
digits, scanned the receipt or follows the dossier; a code alone gets the status, the dates
and what to do next, and the way to see the rest.
"""

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


def reason_text(dossier: Dossier) -> str:
    """The officers' note for the status (the papers to supplement, why refused or stopped), if any."""
    if dossier.status in vi.DOSSIER_REASONS and dossier.delay_reason:
        return vi.DOSSIER_REASONS[dossier.status].format(reason=dossier.delay_reason.rstrip("."))
    return ""


def status_text(dossier: Dossier, procedure: ProcedureRecord | None, office: AgencyRecord, now: datetime, confirmed: bool = False) -> str:
    """The status, the dates and what to do next; the officers' notes only when ``confirmed``."""
    dates = dates_text(dossier)
    status_note = reason_text(dossier)
    if dossier.delay_reason and (status_note or is_overdue(dossier, now)):
        dates += status_note if confirmed else vi.DOSSIER_NOTE_HIDDEN
    advice = vi.STATUS_ADVICE[dossier.status].format(hotline=hotline(office), agency=office.name, hours=office.hours or vi.UNKNOWN)
    if dossier.status == 9 and dossier.channel == _BY_POST:
        advice = vi.STATUS_READY_BY_POST
    if is_overdue(dossier, now):
        note = dossier.delay_reason if confirmed else None
        reason = vi.DOSSIER_OVERDUE_REASON.format(reason=note.rstrip(".")) if note else ""
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
