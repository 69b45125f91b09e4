"""Dossier records from the one-stop system: parsing and checking one row.

Dates are ISO 8601; a date or date-time without an offset is Vietnam time. Status is the
national code 1–10 or its name; channel is truc_tiep/truc_tuyen/buu_chinh or 1/2/3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from nlu.dossier_codes import is_dossier_code, normalize_code
from nlu.vietnamese import fold

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
CHANNELS = {"truc_tiep": 1, "truc_tuyen": 2, "buu_chinh": 3}
# National sync names of the statuses, folded, as one-stop systems export them.
STATUS_BY_NAME = {
    fold(name): code
    for code, names in {
        1: ("Mới đăng ký",),
        2: ("Được tiếp nhận", "Đã tiếp nhận"),
        3: ("Không được tiếp nhận", "Từ chối"),
        4: ("Đang xử lý",),
        5: ("Yêu cầu bổ sung giấy tờ", "Yêu cầu bổ sung"),
        6: ("Yêu cầu thực hiện nghĩa vụ tài chính", "Thực hiện nghĩa vụ tài chính"),
        7: ("Công dân yêu cầu rút hồ sơ", "Yêu cầu rút hồ sơ"),
        8: ("Dừng xử lý",),
        9: ("Đã xử lý xong", "Đã xử lý xong (có kết quả)", "Đã xử lý xong (đã có kết quả)"),
        10: ("Đã trả kết quả",),
    }.items()
    for name in names
}
FINISHED = frozenset({9, 10})
DATE_FIELDS = ("received_at", "appointment_at", "finished_at", "returned_at", "new_appointment_at", "supplement_due_at")


class RecordError(ValueError):
    """One field of a record is wrong; the message names it."""


@dataclass(frozen=True)
class DossierRecord:
    code: str
    status: int
    procedure_code: str | None = None
    agency_code: str | None = None
    applicant_name: str | None = None
    applicant_phone: str | None = None
    applicant_id_number: str | None = None
    received_at: datetime | None = None
    appointment_at: datetime | None = None
    finished_at: datetime | None = None
    returned_at: datetime | None = None
    channel: int | None = None
    delay_reason: str | None = None
    new_appointment_at: datetime | None = None
    supplement_due_at: datetime | None = None


def parse_instant(raw: Any, key: str) -> datetime | None:
    """ISO date or date-time; without an offset it is Vietnam time. Returned in UTC."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = str(raw).strip()
    try:
        value = datetime.combine(date.fromisoformat(text), time(0, 0)) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"{key}: {text!r} is not an ISO 8601 date or date-time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=VIETNAM)
    return value.astimezone(UTC)


def _status(raw: Any) -> int:
    text = str(raw).strip() if raw is not None else ""
    if text.isdecimal() and 1 <= int(text) <= 10:
        return int(text)
    if text and fold(text) in STATUS_BY_NAME:
        return STATUS_BY_NAME[fold(text)]
    raise RecordError(f"status: {text!r} is not a status code 1–10 or a status name")


def _channel(raw: Any) -> int | None:
    text = str(raw).strip().lower() if raw is not None else ""
    if not text:
        return None
    if text in CHANNELS:
        return CHANNELS[text]
    if text in {"1", "2", "3"}:
        return int(text)
    raise RecordError(f"channel: {text!r} is not truc_tiep, truc_tuyen, buu_chinh or 1/2/3")


# The columns' sizes (bot/models.py): a longer value is refused with its row, before the database.
CODE_LENGTH = 64
NAME_LENGTH = 255
NOTE_LENGTH = 8000  # a long list of papers to supplement is real; more is not a note


def _optional_text(raw: Any, key: str | None = None, limit: int | None = None) -> str | None:
    """Text or ``None``; longer than ``limit`` characters is a bad row (the column's size), not a database error."""
    if raw is None:
        return None
    text = str(raw).strip()
    if limit is not None and len(text) > limit:
        raise RecordError(f"{key}: longer than {limit} characters")
    if "\x00" in text or not text.encode("utf-16", "surrogatepass").decode("utf-16", "ignore") == text:
        raise RecordError(f"{key or 'code'}: holds a NUL or half a character (a lone surrogate), which no database stores")
    return text or None


def _digits(raw: Any, key: str, lengths: tuple[int, ...]) -> str | None:
    """A phone or ID number as digits; the value itself is never put in an error (personal data)."""
    text = _optional_text(raw, key)
    if text is None:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if key == "applicant_phone" and digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]  # +84 912 345 678 → 0912345678
    if any(ch.isalpha() for ch in text) or len(digits) not in lengths:
        raise RecordError(f"{key}: not a valid number ({' or '.join(map(str, lengths))} digits expected)")
    return digits


def _last_four(number: str | None) -> str | None:
    """Only the ID number's last 4 digits are kept: all that confirming a relation needs."""
    return number[-4:] if number else None


def _check_order(dates: dict[str, datetime | None]) -> None:
    """Dates that cannot happen: finished or returned before received, returned before finished."""
    received, finished, returned = dates["received_at"], dates["finished_at"], dates["returned_at"]
    appointment = dates["appointment_at"]
    if received and finished and finished < received:
        raise RecordError("finished_at: is before received_at")
    if received and returned and returned < received:
        raise RecordError("returned_at: is before received_at")
    if finished and returned and returned < finished:
        raise RecordError("returned_at: is before finished_at")
    if received and appointment and appointment < received:
        raise RecordError("appointment_at: is before received_at")


def parse_record(row: dict[str, Any]) -> DossierRecord:
    """Check and convert one row; raises :class:`RecordError` naming the first bad field."""
    if not isinstance(row, dict):
        raise RecordError("record: expected an object with the dossier's fields")
    raw_code = _optional_text(row.get("code"))
    if raw_code is None:
        raise RecordError("code: is required")
    if not is_dossier_code(raw_code):
        raise RecordError(f"code: {raw_code!r} is not a dossier code")
    dates = {key: parse_instant(row.get(key), key) for key in DATE_FIELDS}
    _check_order(dates)
    return DossierRecord(
        code=normalize_code(raw_code),
        status=_status(row.get("status")),
        procedure_code=_optional_text(row.get("procedure_code"), "procedure_code", CODE_LENGTH),
        agency_code=_optional_text(row.get("agency_code"), "agency_code", CODE_LENGTH),
        applicant_name=_optional_text(row.get("applicant_name"), "applicant_name", NAME_LENGTH),
        applicant_phone=_digits(row.get("applicant_phone"), "applicant_phone", (10,)),
        applicant_id_number=_last_four(_digits(row.get("applicant_id_number"), "applicant_id_number", (9, 12))),
        channel=_channel(row.get("channel")),
        delay_reason=_optional_text(row.get("delay_reason"), "delay_reason", NOTE_LENGTH),
        **dates,
    )
