"""Answers about one procedure, one field at a time, with the figures valid today."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from bot.catalog.records import CHANNELS, AgencyRecord, Figure, ProcedureRecord
from bot.dialogue.fields import COMPETENT, DEADLINE, OVERVIEW, VALIDITY, WHO
from bot.formatting import hotline, vn_date
from bot.messages import Button, Reply
from bot.payloads import make_payload
from bot.texts import vi

# Intent → the button that asks for it; the order is the order of the buttons.
FIELD_BUTTONS = {
    "ask_documents": vi.BUTTON_DOCUMENTS,
    "ask_fee": vi.BUTTON_FEE,
    "ask_processing_time": vi.BUTTON_TIME,
    DEADLINE: vi.BUTTON_DEADLINES,
    WHO: vi.BUTTON_WHO,
    COMPETENT: vi.BUTTON_COMPETENT,
    "ask_place": vi.BUTTON_PLACE,
    "ask_steps": vi.BUTTON_STEPS,
    "ask_online": vi.BUTTON_ONLINE,
    "ask_postal": vi.BUTTON_POSTAL,
    VALIDITY: vi.BUTTON_VALIDITY,
    "ask_legal_basis": vi.BUTTON_LEGAL_BASIS,
}
FIELD_INTENTS = frozenset(FIELD_BUTTONS)


# The fields of the law: their answer's template, what they are called, and their rules.
_LAW_FIELDS: dict[str, tuple[str, str, Callable[[ProcedureRecord], tuple[Figure, ...]]]] = {
    DEADLINE: (vi.DEADLINES, vi.WHAT_DEADLINES, lambda p: p.deadlines),
    WHO: (vi.WHO, vi.WHAT_WHO, lambda p: p.who),
    COMPETENT: (vi.COMPETENT, vi.WHAT_COMPETENT, lambda p: p.competent),
    VALIDITY: (vi.VALIDITY, vi.WHAT_VALIDITY, lambda p: p.validity),
}


def _rules(intent: str, p: ProcedureRecord) -> tuple[Figure, ...] | None:
    """The rules a field of the law answers from (``None`` for the other fields)."""
    field = _LAW_FIELDS.get(intent)
    return field[2](p) if field else None


def field_buttons(procedure: ProcedureRecord, skip: str | None = None) -> tuple[Button, ...]:
    """Buttons for the other fields; a field of the law only when the catalogue has it."""
    fields = sheet_fields(procedure)
    return tuple(Button(title, make_payload(intent, procedure=procedure.code)) for intent, title in fields if intent != skip)


def sheet_fields(procedure: ProcedureRecord) -> list[tuple[str, str]]:
    """(intent, title) of every field the catalogue has for ``procedure``: the printed sheet's sections."""
    return [(intent, title) for intent, title in FIELD_BUTTONS.items() if _rules(intent, procedure) != ()]


def choice_buttons(intent: str, procedures: list[ProcedureRecord]) -> tuple[Button, ...]:
    return tuple(Button(p.title, make_payload(intent, procedure=p.code)) for p in procedures)


def answer(intent: str, procedure: ProcedureRecord, office: AgencyRecord, today: date) -> Reply:
    """The answer to ``intent`` (a field, or the overview) with buttons for the other fields."""
    return Reply(_build(intent, procedure, office, today), field_buttons(procedure, skip=intent))


def _build(intent: str, p: ProcedureRecord, office: AgencyRecord, today: date) -> str:
    if p.abolished_from is not None and today >= p.abolished_from:  # no field of it holds any more
        note = f" {p.abolished_note}" if p.abolished_note else ""
        return vi.PROCEDURE_ABOLISHED.format(name=p.name, day=vn_date(p.abolished_from), note=note, office=ask_whom(p, office))
    return _BUILDERS.get(intent, _overview)(p, office, today)


def ask_whom(p: ProcedureRecord, agency: AgencyRecord) -> str:
    """The office that handles ``p``, by name, with its telephone when known: whom the citizen
    should ask about anything the catalogue cannot say (never the one-stop shop for the police's work)."""
    listed = next((o for o in agency.offices if o.kind == p.office), None)
    if listed is not None:
        name, phone = listed.name, listed.hotline
    elif p.office == "one_stop":  # the agency itself
        name, phone = f"{vi.OFFICE_GENERIC['one_stop']} {agency.name}", agency.hotline
    else:  # not described: its generic name, never the one-stop shop's telephone
        name, phone = vi.OFFICE_GENERIC[p.office], None
    return vi.OFFICE_WITH_PHONE.format(name=name, phone=phone) if phone else name


def answers(intents: list[str], procedures: list[ProcedureRecord], office: AgencyRecord, today: date) -> Reply:
    """Every field asked for every procedure named, in one reply (split later if long).

    With several procedures each gets a button for its overview; with one, the buttons
    ask for its other fields.
    """
    texts = [_build(intent, p, office, today) for p in procedures for intent in intents]
    if len(procedures) == 1:
        return Reply("\n\n".join(texts), field_buttons(procedures[0], skip=intents[0] if len(intents) == 1 else None))
    return Reply("\n\n".join(texts), choice_buttons(OVERVIEW, procedures))


def _valid(figures: tuple[Figure, ...], today: date) -> list[Figure]:
    return [f for f in figures if f.valid_on(today)]


def _figure_line(figure: Figure) -> str:
    channels = ""
    if set(figure.channels) != set(CHANNELS):
        channels = vi.CHANNELS_ONLY.format(channels=", ".join(vi.CHANNEL_NAMES[c] for c in figure.channels))
    line = vi.FIGURE_LINE.format(text=figure.text, channels=channels)
    if figure.set_locally:  # the province's own figure is not in the catalogue
        return line + vi.FIGURE_SET_LOCALLY
    return line + ("" if figure.confirmed else vi.FIGURE_UNCONFIRMED)


def _figure_lines(figures: Sequence[Figure], whom: str) -> str:
    """One line a figure; when some are unconfirmed or local, whom to ask about them, once."""
    lines = "\n".join(_figure_line(f) for f in figures)
    doubtful = any(f.set_locally or not f.confirmed for f in figures)
    return lines + ("\n" + vi.FIGURES_ASK.format(office=whom) if doubtful else "")


def _figures(template: str, what: str, figures: tuple[Figure, ...], p: ProcedureRecord, office: AgencyRecord, today: date) -> str:
    whom = ask_whom(p, office)
    if not figures:  # the catalogue has nothing on it: say so rather than answer another field
        return vi.FIELD_MISSING.format(what=what, name=p.name, office=whom)
    valid = _valid(figures, today)
    if not valid:
        return vi.FIGURE_EXPIRED.format(what=what, name=p.name, office=whom)
    bases = dict.fromkeys(f.legal_basis for f in valid)
    lines = _figure_lines(valid, whom)
    return template.format(name=p.name, lines=lines) + "\n" + vi.LEGAL_BASES.format(bases="; ".join(bases))


def _short_figure(figures: tuple[Figure, ...], today: date) -> str:
    valid = _valid(figures, today)
    return "; ".join(f.text for f in valid) if valid else vi.UNKNOWN


def _overview(p: ProcedureRecord, office: AgencyRecord, today: date) -> str:
    return vi.PROCEDURE_OVERVIEW.format(
        name=p.name,
        field=p.field,
        implementing_agency=p.implementing_agency,
        time=_short_figure(p.processing_time, today),
        fee=_short_figure(p.fees, today),
        # The citizen's own first deadline ("within 60 days of the birth"), and the first rule on
        # who may apply: for a variant ("only if registered before 2016 and both the register and
        # the original are lost") it is what tells it from the general one.
        deadline=vi.OVERVIEW_DEADLINE.format(deadline=d[0].text) if (d := _valid(p.deadlines, today)) else "",
        who=vi.OVERVIEW_WHO.format(who=who[0].text) if (who := _valid(p.who, today)) else "",
    )


def _documents(p: ProcedureRecord, office: AgencyRecord, today: date) -> str:
    lines = [vi.DOCUMENTS_HEADER.format(name=p.name)]
    for d in p.documents:
        copies = vi.DOCUMENT_COPIES.format(copies=d.copies) if d.copies else ""
        note = vi.DOCUMENT_NOTE.format(note=d.note) if d.note else ""
        lines.append(vi.DOCUMENT_LINE.format(name=d.name, copies=copies, note=note))
    return "\n".join(lines)


def _fee(p: ProcedureRecord, office: AgencyRecord, today: date) -> str:
    return _figures(vi.FEE, vi.WHAT_FEE, p.fees, p, office, today)


def _time(p: ProcedureRecord, office: AgencyRecord, today: date) -> str:
    return _figures(vi.TIME, vi.WHAT_TIME, p.processing_time, p, office, today)


_DURATION = re.compile(r"\b\d+ (?:ngày|tháng|năm|giờ)\b")

# When a field of the law is empty, the rules of these neighbours may hold the answer ("đi bao
# lâu thì phải khai báo tạm vắng" is answered by who must declare, "from 3 months away").
_RELATED = {DEADLINE: (WHO, VALIDITY), WHO: (DEADLINE,), VALIDITY: (DEADLINE,), COMPETENT: ()}


def _law_field(intent: str) -> Callable[[ProcedureRecord, AgencyRecord, date], str]:
    template, what, rules = _LAW_FIELDS[intent]

    def build(p: ProcedureRecord, office: AgencyRecord, today: date) -> str:
        related = [f for field in _RELATED[intent] for f in _valid(_LAW_FIELDS[field][2](p), today)]
        if rules(p) and intent == DEADLINE:
            # "ở bao nhiêu ngày thì phải đăng ký tạm trú": a duty that starts after a time is
            # a rule on who must, and answers a question on time as much as the deadlines do.
            timed = tuple(f for f in p.who if _DURATION.search(f.text) and f not in rules(p))
            return _figures(template, what, rules(p) + timed, p, office, today)
        if rules(p) or not related:
            return _figures(template, what, rules(p), p, office, today)
        bases = vi.LEGAL_BASES.format(bases="; ".join(dict.fromkeys(f.legal_basis for f in related)))
        whom = ask_whom(p, office)
        lines = _figure_lines(related, whom)
        return vi.FIELD_MISSING_RELATED.format(what=what, name=p.name, lines=lines, bases=bases, office=whom)

    return build


def _steps(p: ProcedureRecord, office: AgencyRecord, today: date) -> str:
    lines = "\n".join(vi.STEP_LINE.format(number=i, text=s) for i, s in enumerate(p.steps, 1))
    return vi.STEPS.format(name=p.name, lines=lines)


def _place(p: ProcedureRecord, agency: AgencyRecord, today: date) -> str:
    """This commune's office for it, then the law's rule on which commune is competent (the
    office's address answers only a citizen who belongs here)."""
    rules = _valid(p.competent, today)
    lines = _figure_lines(rules, ask_whom(p, agency))
    return _office_place(p, agency) + (vi.PLACE_COMPETENT.format(lines=lines) if rules else "")


def _office_place(p: ProcedureRecord, agency: AgencyRecord) -> str:
    office = agency.office(p.office)
    if not office.name:  # e.g. the commune police, when the agency file does not describe it
        return vi.PLACE_UNLISTED.format(name=p.name, implementing_agency=p.implementing_agency, agency=agency.name, hotline=hotline(agency))
    return vi.PLACE.format(
        name=p.name,
        implementing_agency=p.implementing_agency,
        agency=office.name,
        address=office.address or vi.UNKNOWN,
        hours=office.hours or vi.UNKNOWN,
        hotline=office.hotline or hotline(agency),
    ) + (vi.MAP.format(url=office.map_url) if office.map_url else "")


def _legal_basis(p: ProcedureRecord, office: AgencyRecord, today: date) -> str:
    return vi.LEGAL_BASIS.format(name=p.name, lines="\n".join(vi.BULLET.format(text=t) for t in p.legal_basis))


def _online(p: ProcedureRecord, office: AgencyRecord, today: date) -> str:
    if p.online.level is None:
        return vi.ONLINE_NO.format(name=p.name, implementing_agency=p.implementing_agency)
    note = f" {p.online.note}" if p.online.note else ""
    link = vi.ONLINE_LINK.format(url=p.online.url) if p.online.url else ""
    return vi.ONLINE_YES.format(name=p.name, level=p.online.level, where=p.online.where or vi.UNKNOWN, note=note) + link


def _postal(p: ProcedureRecord, office: AgencyRecord, today: date) -> str:
    if not p.postal:
        return vi.POSTAL_UNKNOWN.format(name=p.name, office=ask_whom(p, office))
    return vi.POSTAL.format(name=p.name, postal=p.postal)


_BUILDERS: dict[str, Callable[[ProcedureRecord, AgencyRecord, date], str]] = {
    "ask_documents": _documents,
    "ask_fee": _fee,
    "ask_processing_time": _time,
    "ask_place": _place,
    "ask_steps": _steps,
    "ask_online": _online,
    "ask_postal": _postal,
    "ask_legal_basis": _legal_basis,
    **{intent: _law_field(intent) for intent in _LAW_FIELDS},
}
