"""What the catalogue will not be able to answer, before a citizen asks: figures that go blank
on a date or within a window, figures not yet confirmed, figures a province sets that its
layer does not give, and the office's own facts still empty (``catalogue-check``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.catalog.records import AgencyRecord, Figure, ProcedureRecord

RULE_FIELDS = ("processing_time", "fees", "deadlines", "who", "competent", "validity")
# A procedure without these cannot be answered at all: they going blank fails the check.
KEY_FIELDS = ("fees", "processing_time", "competent")
OFFICE_FIELDS = ("address", "hours", "hotline")


@dataclass(frozen=True)
class Finding:
    code: str  # the procedure's code, or "" for the office
    kind: str  # "blank", "unconfirmed", "local", "office", "abolished"
    field: str
    detail: str
    failing: bool = False


def first_blank_day(rules: Sequence[Figure], start: date, end: date) -> date | None:
    """The first day in [start, end] on which no rule is valid (gaps open only where one ends)."""
    candidates = {start} | {r.valid_until + timedelta(days=1) for r in rules if r.valid_until and start <= r.valid_until < end}
    for day in sorted(candidates):
        if not any(r.valid_on(day) for r in rules):
            return day
    return None


def check_procedure(p: ProcedureRecord, start: date, within: int) -> list[Finding]:
    end = start + timedelta(days=within)
    found = []
    if p.abolished_from is not None and p.abolished_from <= end:  # nothing of it is due after that
        found.append(Finding(p.code, "abolished", "abolished_from", f"abolished from {p.abolished_from.isoformat()}"))
        if p.abolished_from <= start:
            return found
        end = p.abolished_from - timedelta(days=1)
    for field in RULE_FIELDS:
        rules: tuple[Figure, ...] = getattr(p, field)
        if not rules:
            continue
        blank = first_blank_day(rules, start, end)
        if blank is not None:
            found.append(Finding(p.code, "blank", field, f"no valid rule from {blank.isoformat()}", field in KEY_FIELDS))
        in_window = [r for r in rules if _overlaps(r, start, end)]
        for rule in in_window:
            if rule.set_locally:
                found.append(Finding(p.code, "local", field, f"set by {rule.set_locally}; no value in this province's layer ({rule.key})"))
            elif not rule.confirmed:
                found.append(Finding(p.code, "unconfirmed", field, rule.text[:120]))
    return found


def _overlaps(rule: Figure, start: date, end: date) -> bool:
    return (rule.valid_from is None or rule.valid_from <= end) and (rule.valid_until is None or rule.valid_until >= start)


def check_office(agency: AgencyRecord, procedures: Sequence[ProcedureRecord]) -> list[Finding]:
    """The deployment's checklist: the office's facts, and the other offices its procedures use."""
    found = [Finding("", "office", name, "empty") for name in OFFICE_FIELDS if not getattr(agency, name)]
    if not agency.electronic_ids:
        found.append(Finding("", "office", "electronic_ids", "empty (dossier codes cannot be told apart)"))
    for kind in sorted({p.office for p in procedures} - {"one_stop"}):
        office = agency.office(kind)
        if not office.name:
            found.append(Finding("", "office", f"offices[{kind}]", "not described (name, address, hours, hotline)"))
        else:
            found += [Finding("", "office", f"offices[{kind}].{name}", "empty") for name in OFFICE_FIELDS if not getattr(office, name)]
    return found


def check(procedures: Sequence[ProcedureRecord], agency: AgencyRecord | None, start: date, within: int) -> list[Finding]:
    found = check_office(agency, procedures) if agency is not None else []
    for p in sorted(procedures, key=lambda r: r.code):
        found += check_procedure(p, start, within)
    return found


def report(found: Sequence[Finding], procedures: Sequence[ProcedureRecord], start: date, within: int) -> list[str]:
    """Lines for a terminal, grouped by procedure; failing findings marked ``!!``."""
    names = {p.code: p.name for p in procedures}
    lines = [f"Catalogue check from {start.isoformat()} over {within} days:"]
    current = None
    for finding in found:
        if finding.code != current:
            current = finding.code
            lines.append(f"\n{finding.code} {names[finding.code]}" if finding.code else "\nThe office (data/agencies.yml)")
        mark = "!!" if finding.failing else "  "
        lines.append(f"{mark} {finding.kind:<11} {finding.field}: {finding.detail}")
    failing = sum(f.failing for f in found)
    counts = {kind: sum(f.kind == kind for f in found) for kind in ("blank", "unconfirmed", "local", "office", "abolished")}
    lines.append(
        f"\n{failing} key figures go blank; blank {counts['blank']}, unconfirmed {counts['unconfirmed']}, "
        f"set locally without a value {counts['local']}, office fields empty {counts['office']}, abolished {counts['abolished']}"
    )
    return lines
