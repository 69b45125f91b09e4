"""Read and validate catalogue files (data/procedures/*.yml, data/agencies.yml).

Every problem is reported with the file and the field, e.g.
``data/procedures/1.001193.yml: fees[0].valid_from: 'soon' is not a date (YYYY-MM-DD)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot.catalog.records import (
    CHANNELS,
    OFFICE_KINDS,
    AgencyRecord,
    Document,
    Figure,
    Office,
    Online,
    ProcedureRecord,
    Referral,
    RegisteredBefore,
)
from nlu.vietnamese import nfc

T = TypeVar("T")
ONLINE_LEVELS = ("toàn trình", "một phần")


class CatalogError(ValueError):
    """A catalogue file is unreadable or a field is wrong; the message names both."""


class _Fields:
    """Typed access to one mapping of a file, with the path used in error messages."""

    def __init__(self, data: Any, where: str, path: str = "") -> None:
        if not isinstance(data, dict):
            raise CatalogError(f"{where}: {path or 'top level'}: expected a mapping")
        self._data = data
        self._where = where
        self._path = path

    def error(self, key: str, problem: str) -> CatalogError:
        return CatalogError(f"{self._where}: {self._path}{key}: {problem}")

    def _get(self, key: str, required: bool) -> Any:
        value = self._data.get(key)
        if value is None and required:
            raise self.error(key, "is required")
        return value

    def text(self, key: str, required: bool = True) -> Any:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool) or not str(value).strip():
            raise self.error(key, "must be non-empty text")
        return nfc(str(value).strip())

    def boolean(self, key: str, default: bool) -> bool:
        value = self._data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def integer(self, key: str) -> int | None:
        value = self._data.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.error(key, "must be a whole number >= 0")
        return value

    def day(self, key: str) -> date | None:
        value = self._data.get(key)
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.error(key, f"{value!r} is not a date (YYYY-MM-DD)") from None

    def texts(self, key: str, required: bool = False) -> tuple[str, ...]:
        return tuple(self.items(key, lambda f, k: f.text(k), required))

    def items(self, key: str, read: Callable[[_Fields, str], T], required: bool = False) -> list[T]:
        """Each element of a list, read with ``read(fields, key)`` where the element sits at ``key``."""
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or (required and not value):
            raise self.error(key, "must be a non-empty list" if required else "must be a list")
        return [read(_Fields({f"{key}[{i}]": v}, self._where, self._path), f"{key}[{i}]") for i, v in enumerate(value)]

    def child(self, key: str) -> _Fields:
        return _Fields(self._data.get(key), self._where, f"{self._path}{key}.")


def _figure(fields: _Fields, key: str, needs_amount: bool) -> Figure:
    f = fields.child(key)
    channels = f.texts("channels") or CHANNELS
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise f.error("channels", f"unknown {sorted(unknown)}; use {', '.join(CHANNELS)}")
    figure = Figure(
        text=f.text("text"),
        legal_basis=f.text("legal_basis"),
        valid_from=f.day("valid_from"),
        valid_until=f.day("valid_until"),
        confirmed=f.boolean("confirmed", True),
        amount_vnd=f.integer("amount_vnd"),
        channels=tuple(channels),
        key=f.text("key", required=False),
        set_locally=f.text("set_locally", required=False),
    )
    if figure.set_locally and not figure.key:
        raise f.error("key", "is required with set_locally (the province layer replaces the rule by it)")
    if figure.valid_from and figure.valid_until and figure.valid_until < figure.valid_from:
        raise f.error("valid_until", "is before valid_from")
    if needs_amount and figure.confirmed and not figure.set_locally and "amount_vnd" not in f._data:
        raise f.error("amount_vnd", "is required for a confirmed fee (null when it depends)")
    return figure


def _document(fields: _Fields, key: str) -> Document:
    f = fields.child(key)
    return Document(
        name=f.text("name"), copies=f.integer("copies"), note=f.text("note", required=False), form=f.text("form", required=False)
    )


def _online(f: _Fields) -> Online:
    level = f.text("level", required=False)
    if level is not None and level not in ONLINE_LEVELS:
        raise f.error("level", f"must be one of {', '.join(ONLINE_LEVELS)} or null")
    return Online(level=level, where=f.text("where", required=False), note=f.text("note", required=False), url=_url(f, "url"))


def _url(f: _Fields, key: str) -> str | None:
    value: str | None = f.text(key, required=False)
    if value is not None and not value.startswith("https://"):
        raise f.error(key, "must be an https:// link")
    return value


def _office_kind(f: _Fields) -> str:
    kind: str = f.text("office", required=False) or "one_stop"
    if kind not in OFFICE_KINDS:
        raise f.error("office", f"must be one of {', '.join(OFFICE_KINDS)}")
    return kind


def parse_procedure(data: Any, where: str) -> ProcedureRecord:
    f = _Fields(data, where)
    return ProcedureRecord(
        code=f.text("code"),
        name=f.text("name"),
        field=f.text("field"),
        level=f.text("level"),
        implementing_agency=f.text("implementing_agency"),
        short_name=_short_name(f),
        office=_office_kind(f),
        decision=f.text("decision", required=False),
        aliases=tuple(a.lower() for a in f.texts("aliases")),
        applicants=f.text("applicants", required=False),
        conditions=f.text("conditions", required=False),
        documents=tuple(f.items("documents", _document, required=True)),
        steps=f.texts("steps", required=True),
        processing_time=tuple(f.items("processing_time", lambda x, k: _figure(x, k, False), required=True)),
        fees=tuple(f.items("fees", lambda x, k: _figure(x, k, True), required=True)),
        deadlines=tuple(f.items("deadlines", lambda x, k: _figure(x, k, False))),
        who=tuple(f.items("who", lambda x, k: _figure(x, k, False))),
        competent=tuple(f.items("competent", lambda x, k: _figure(x, k, False))),
        validity=tuple(f.items("validity", lambda x, k: _figure(x, k, False))),
        registered_before=_registered_before(f.child("registered_before")) if data.get("registered_before") is not None else None,
        variants=tuple(f.items("variants", lambda x, k: x.texts(k, required=True))),
        result=f.text("result", required=False),
        online=_online(f.child("online")) if data.get("online") is not None else Online(None),
        postal=f.text("postal", required=False),
        legal_basis=f.texts("legal_basis", required=True),
        sources=f.texts("sources"),
        abolished_from=f.day("abolished_from"),
        abolished_note=f.text("abolished_note", required=False),
    )


def _registered_before(f: _Fields) -> RegisteredBefore:
    day = f.day("day")
    if day is None:
        raise f.error("day", "is required")
    return RegisteredBefore(day, f.text("otherwise"), f.text("legal_basis"), f.texts("event_words"), f.text("general", required=False))


def _short_name(f: _Fields) -> str | None:
    value: str | None = f.text("short_name", required=False)
    if value is not None and len(value) > 20:
        raise f.error("short_name", "must be at most 20 characters (it is a button title)")
    return value


def parse_agency(data: Any, where: str) -> AgencyRecord:
    f = _Fields(data, where)
    return AgencyRecord(
        code=f.text("code"),
        name=f.text("name"),
        address=f.text("address", required=False),
        hours=f.text("hours", required=False),
        hotline=f.text("hotline", required=False),
        map_url=_url(f, "map_url"),
        electronic_ids=f.texts("electronic_ids"),
        confirmed=f.boolean("confirmed", False),
        note=f.text("note", required=False),
        offices=tuple(f.items("offices", _office)),
        province=f.text("province", required=False),
    )


def _office(fields: _Fields, key: str) -> Office:
    f = fields.child(key)
    kind = f.text("kind")
    if kind not in OFFICE_KINDS:
        raise f.error("kind", f"must be one of {', '.join(OFFICE_KINDS)}")
    return Office(
        kind=kind,
        name=f.text("name"),
        address=f.text("address", required=False),
        hours=f.text("hours", required=False),
        hotline=f.text("hotline", required=False),
        map_url=_url(f, "map_url"),
    )


# libyaml's parser when PyYAML was built with it: ten times faster on big files.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SUFFIXES = (".yml", ".yaml", ".json")


def read_yaml(path: Path) -> Any:
    """A YAML or JSON file (JSON is YAML, but json is faster for it)."""
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_YAML_LOADER)  # a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        raise CatalogError(f"{path}: cannot be read: {exc}") from exc


def procedure_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file())
    if not path.exists():
        raise CatalogError(f"{path}: no such file or folder")
    return [path]


def load_procedures(path: Path, progress: Callable[[int], None] | None = None) -> list[ProcedureRecord]:
    """All procedures of a file or folder; a file may hold one record or a list of them.
    ``progress`` is told of each file read."""
    records: list[ProcedureRecord] = []
    seen: dict[str, str] = {}
    for file in procedure_files(path):
        if progress is not None:
            progress(1)
        data = read_yaml(file)
        items = data if isinstance(data, list) else [data]
        for i, item in enumerate(items):
            where = f"{file}[{i}]" if isinstance(data, list) else str(file)
            record = parse_procedure(item, where)
            if record.code in seen:
                raise CatalogError(f"{where}: code: {record.code} is also in {seen[record.code]}")
            seen[record.code] = where
            records.append(record)
    if path.is_dir():  # a single file may name a procedure imported before
        for record in records:
            if record.registered_before is not None and record.registered_before.otherwise not in seen:
                raise CatalogError(f"{seen[record.code]}: registered_before.otherwise: no procedure {record.registered_before.otherwise}")
    return records


def load_agencies(path: Path) -> list[AgencyRecord]:
    data = read_yaml(path)
    if not isinstance(data, list):
        raise CatalogError(f"{path}: top level: expected a list of agencies")
    return [parse_agency(item, f"{path}[{i}]") for i, item in enumerate(data)]


def load_referrals(path: Path) -> list[Referral]:
    """Matters handled elsewhere (data/referrals.yml); a missing file means none."""
    if not path.exists():
        return []
    data = read_yaml(path)
    if not isinstance(data, list):
        raise CatalogError(f"{path}: top level: expected a list of matters")
    referrals = []
    for i, item in enumerate(data):
        f = _Fields(item, f"{path}[{i}]")
        referrals.append(
            Referral(
                code=f"referral-{i}",
                topic=f.text("topic"),
                handled_by=f.text("handled_by"),
                aliases=tuple(a.lower() for a in f.texts("aliases")),
                how=f.text("how", required=False),
                legal_basis=f.text("legal_basis", required=False),
                confirmed=f.boolean("confirmed", True),
            )
        )
    return referrals


def to_json(record: ProcedureRecord | AgencyRecord) -> dict[str, Any]:
    """A JSON-safe dict of a record (dates as ISO strings), as stored in the database."""
    data: dict[str, Any] = jsonable(asdict(record))
    return data


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_json(data: dict[str, Any]) -> ProcedureRecord:
    """The inverse of :func:`to_json` for procedures (the database holds validated data)."""
    return parse_procedure(data, "database")


def agencies_from_json(rows: Iterable[dict[str, Any]]) -> list[AgencyRecord]:
    return [parse_agency(r, "database") for r in rows]
