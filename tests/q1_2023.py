"""A data set built to the seed article's Q1/2023 figures (Đan Phượng): 8,525 received, 8,315
resolved — 5,138 on time, 3,076 early, 101 overdue — and 2,351 online. The overdue dossiers
carry procedures and reasons as an office records them (some with none)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.dossiers.records import VIETNAM, DossierRecord

PROCEDURES = ("1.001193", "1.000894", "1.001022", "1.000656", "2.000815")  # five of the catalogue's
REASONS = (
    "Chờ công dân bổ sung giấy tờ",
    "Cần xác minh thông tin về chỗ ở hợp pháp",
    "Chờ ý kiến của cơ quan liên thông",
    None,
    "Lỗi phần mềm một cửa điện tử",
)
FIGURES = {
    "received": 8525, "resolved": 8315, "on_time": 5138, "early": 3076, "overdue": 101, "on_time_or_early_pct": 98.79,
    "unresolved_overdue": 0, "online": 2351, "online_pct": 27.58, "ratings": 0, "rating_avg": None,
}  # fmt: skip


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), VIETNAM)


def records() -> list[DossierRecord]:
    found = []
    kinds = ["on_time"] * 5138 + ["early"] * 3076 + ["overdue"] * 101 + ["open"] * 210
    for i, kind in enumerate(kinds):
        received = date(2023, 1, 2) + timedelta(days=i % 80)  # up to 22/3
        appointment = received + timedelta(days=3)
        late = timedelta(days=1 + i % 9)
        finished = {"on_time": appointment, "early": appointment - timedelta(days=1), "overdue": appointment + late}.get(kind)
        if kind == "open":
            appointment = date(2023, 4, 10)  # not yet due at the end of the quarter
        found.append(
            DossierRecord(
                code=f"000.00.31.H26-{received:%y%m%d}-{i:04d}",
                procedure_code=PROCEDURES[i % len(PROCEDURES)],
                status=10 if finished else 4,
                agency_code="dan-phuong",
                received_at=_at(received, 9),
                appointment_at=_at(appointment, 16),
                finished_at=_at(finished, 15) if finished else None,
                channel=2 if i < 2351 else 1,
                delay_reason=REASONS[i % len(REASONS)] if kind == "overdue" else None,
            )
        )
    return found
