"""A notice's words, from the facts stored with it and the office's details: the free-form
message (within the platform's window) and the fields of a template message (after it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.catalog.records import AgencyRecord
from bot.formatting import hotline, vn_datetime
from bot.messages import Reply
from bot.notify import kinds
from bot.payloads import rating_buttons
from bot.texts import vi

BY_POST = 3
ONLINE = 2
# The procedure's name by its code (the catalogue), or None when unknown.
ProcedureName = Callable[[str], str | None]


def _date(data: Mapping[str, Any], key: str) -> datetime | None:
    raw = data.get(key)
    return datetime.fromisoformat(raw) if isinstance(raw, str) and raw else None


def _shown(data: Mapping[str, Any], key: str, default: str = vi.NOT_KNOWN) -> str:
    value = _date(data, key)
    return vn_datetime(value) if value else default


def _place(office: AgencyRecord) -> str:
    return f"{office.name}, {office.address}" if office.address else office.name


def render(kind: str, data: Mapping[str, Any], office: AgencyRecord, procedure_name: ProcedureName) -> list[Reply]:
    """The message a follower reads; addressed formally, the figure first. A conversation's
    message (an officer's) is sent as written."""
    if kind in kinds.CONVERSATION:
        return [Reply(str(data["text"]))]
    code = str(data.get("code", ""))
    name = procedure_name(str(data["procedure_code"])) if data.get("procedure_code") else None
    reason = str(data.get("reason") or "").strip().rstrip(".")
    common = {
        "code": code,
        "procedure": vi.NOTICE_PROCEDURE.format(procedure=name) if name else "",
        "agency": office.name,
        "office": _place(office),
        "hours": office.hours or vi.NOT_KNOWN,
        "hotline": hotline(office),
    }
    if kind == kinds.SURVEY:
        return [Reply(vi.NOTICE_GREETING + vi.NOTICE_SURVEY.format(**common), rating_buttons(code))]
    if kind == kinds.RECEIVED:
        text = vi.NOTICE_RECEIVED.format(appointment=_shown(data, "appointment_at"), **common)
    elif kind == kinds.SUPPLEMENT:
        place = vi.SUPPLEMENT_PLACE_ONLINE.format(office=common["office"]) if data.get("channel") == ONLINE else common["office"]
        text = vi.NOTICE_SUPPLEMENT.format(
            papers=reason or vi.SUPPLEMENT_PAPERS_UNKNOWN,
            due=_shown(data, "supplement_due_at", vi.SUPPLEMENT_DUE_UNKNOWN),
            place=place,
            **common,
        )
    elif kind == kinds.PAYMENT:
        text = vi.NOTICE_PAYMENT.format(note=vi.NOTICE_NOTE.format(note=reason) if reason else "", **common)
    elif kind == kinds.READY:
        text = (vi.NOTICE_READY_BY_POST if data.get("channel") == BY_POST else vi.NOTICE_READY).format(**common)
    elif kind == kinds.RETURNED:
        text = vi.NOTICE_RETURNED.format(**common)
    elif kind in {kinds.REFUSED, kinds.STOPPED}:
        template = vi.NOTICE_REFUSED if kind == kinds.REFUSED else vi.NOTICE_STOPPED
        text = template.format(reason=reason or vi.NOTICE_REASON_UNKNOWN, whom=vi.NOTICE_WHOM.format(**common), **common)
    elif kind == kinds.APOLOGY:
        new_date = _date(data, "new_appointment_at")
        text = vi.NOTICE_APOLOGY.format(
            procedure=name or vi.NOT_KNOWN,
            received=_shown(data, "received_at"),
            appointment=_shown(data, "missed_at") if data.get("missed_at") else _shown(data, "appointment_at"),
            reason=reason or vi.APOLOGY_REASON_UNKNOWN.format(hotline=common["hotline"]),
            new_date=vi.APOLOGY_NEW_DATE.format(date=vn_datetime(new_date)) if new_date else vi.APOLOGY_NO_DATE.format(**common),
            **{k: v for k, v in common.items() if k != "procedure"},
        )
    elif kind == kinds.NEW_DATE:
        text = vi.NOTICE_NEW_DATE.format(
            date=_shown(data, "new_appointment_at"), reason=vi.NOTICE_NEW_DATE_REASON.format(reason=reason) if reason else "", **common
        )
    else:
        raise ValueError(f"unknown notice kind {kind!r}")
    title = vi.APOLOGY_TITLE if kind == kinds.APOLOGY else ""
    return [Reply(title + vi.NOTICE_GREETING + text + vi.NOTICE_FOOTER.format(code=code))]


def template_data(kind: str, data: Mapping[str, Any], office: AgencyRecord, procedure_name: ProcedureName) -> dict[str, str]:
    """The parameters an approved template gets (the same names for every kind; a template uses
    those it needs). No name, phone or ID number."""
    status = data.get("status")
    appointment = "new_appointment_at" if data.get("new_appointment_at") else ("missed_at" if data.get("missed_at") else "appointment_at")
    return {
        "ma_ho_so": str(data.get("code", "")),
        "thu_tuc": (procedure_name(str(data["procedure_code"])) if data.get("procedure_code") else None) or "",
        "trang_thai": vi.STATUS_NAMES.get(status, "") if isinstance(status, int) else "",
        "ngay_hen": _shown(data, appointment, ""),
        "ly_do": str(data.get("reason") or "")[:200],
        "noi_nhan": _place(office)[:200],
        "loai": kind,
    }
