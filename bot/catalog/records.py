"""Procedure records as the bot uses them: every figure with its legal basis and validity."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

CHANNELS = ("truc_tiep", "truc_tuyen", "buu_chinh")
# Where a citizen goes: the commune's one-stop shop, the commune police (residence,
# identity) or the commune military command (military service registration).
OFFICE_KINDS = ("one_stop", "police", "military")


@dataclass(frozen=True)
class Figure:
    """A fee or a time limit, valid from/until given dates, with the law that sets it."""

    text: str
    legal_basis: str
    valid_from: date | None = None
    valid_until: date | None = None
    confirmed: bool = True
    amount_vnd: int | None = None
    channels: tuple[str, ...] = CHANNELS
    # A name a province layer uses to replace this rule with its own (data/provinces/).
    key: str | None = None
    # Who sets the figure locally ("Hội đồng nhân dân cấp tỉnh"): a national rule that only
    # says so; a province's layer replaces it with the figure (same ``key``).
    set_locally: str | None = None

    def valid_on(self, day: date) -> bool:
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until


@dataclass(frozen=True)
class Document:
    name: str
    copies: int | None = None
    note: str | None = None
    form: str | None = None


@dataclass(frozen=True)
class Online:
    level: str | None
    where: str | None = None
    note: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class RegisteredBefore:
    """A variant only for events registered before ``day``; later ones are ``otherwise``'s.

    Re-registering a birth, marriage or death is only for events registered before 2016
    (both the register and the original lost); a later one has its extract copied.
    """

    day: date
    otherwise: str
    legal_basis: str
    # Words of the event ("sinh", "kết hôn"): a year after one is when it was registered.
    event_words: tuple[str, ...] = ()
    # The procedure this is the variant of ("Đăng ký khai sinh"): asked with the register lost,
    # the question is this one.
    general: str | None = None


@dataclass(frozen=True)
class ProcedureRecord:
    code: str
    name: str
    field: str
    level: str
    implementing_agency: str
    short_name: str | None = None
    office: str = "one_stop"
    decision: str | None = None
    aliases: tuple[str, ...] = ()
    applicants: str | None = None
    conditions: str | None = None
    documents: tuple[Document, ...] = ()
    steps: tuple[str, ...] = ()
    processing_time: tuple[Figure, ...] = ()
    fees: tuple[Figure, ...] = ()
    # What the citizen must do by when (not the office's time), who may or must apply, which
    # commune or office is competent, how long the result stays valid: each a dated, sourced rule.
    deadlines: tuple[Figure, ...] = ()
    who: tuple[Figure, ...] = ()
    competent: tuple[Figure, ...] = ()
    validity: tuple[Figure, ...] = ()
    registered_before: RegisteredBefore | None = None
    # Cases one record covers ("cấp đổi" / "cấp lại" a card): each a list of words that name
    # it in a question and in the lines of its fees and times.
    variants: tuple[tuple[str, ...], ...] = ()
    result: str | None = None
    online: Online = dataclasses.field(default_factory=lambda: Online(None))
    postal: str | None = None
    legal_basis: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    # A procedure the law abolishes on a date: from then the bot says so (and what replaces it).
    abolished_from: date | None = None
    abolished_note: str | None = None

    @property
    def title(self) -> str:
        """A button title: the short name, else the name cut to 20 characters."""
        if self.short_name:
            return self.short_name
        return self.name if len(self.name) <= 20 else self.name[:19].rstrip() + "…"


@dataclass(frozen=True)
class Office:
    """A place inside a commune where citizens go: the one-stop shop, the police, …"""

    kind: str
    name: str
    address: str | None = None
    hours: str | None = None
    hotline: str | None = None
    map_url: str | None = None


@dataclass(frozen=True)
class AgencyRecord:
    code: str
    name: str
    address: str | None = None
    hours: str | None = None
    hotline: str | None = None
    map_url: str | None = None
    electronic_ids: tuple[str, ...] = ()
    confirmed: bool = False
    note: str | None = None
    offices: tuple[Office, ...] = ()
    # The province whose layer (data/provinces/<province>/) applies to this agency.
    province: str | None = None

    def office(self, kind: str) -> Office:
        """The office of ``kind``; the one-stop shop is the agency itself unless listed."""
        for office in self.offices:
            if office.kind == kind:
                return office
        if kind == "one_stop":
            return Office("one_stop", self.name, self.address, self.hours, self.hotline, self.map_url)
        return Office(kind, "")


@dataclass(frozen=True)
class Referral:
    """A matter citizens bring to the commune that another body handles (courts, police, …)."""

    code: str
    topic: str
    handled_by: str
    aliases: tuple[str, ...] = ()
    how: str | None = None
    legal_basis: str | None = None
    confirmed: bool = True
