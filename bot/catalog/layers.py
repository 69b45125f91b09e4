"""Province layers: what a province sets itself, merged over the national record at load time.

``data/procedures/`` holds national facts only. A fee a provincial council sets, a time limit
the province fixes, the provincial portal: those live in
``data/provinces/<province>/procedures/<code>.yml``, a partial record naming only what it
adds or replaces. A rule of the layer with a ``key`` replaces the national rules with that
``key`` (a national rule that only says "set by the provincial council" is such a
placeholder); a rule without one is added. The layer's legal bases and sources join the
national ones; any other field of the layer replaces the national one. An agency names its
province (``province`` in data/agencies.yml); a province with no value for a placeholder
leaves it in place, so the bot says who sets the figure and whom to ask — never another
province's figure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.catalog.loader import CatalogError, jsonable, parse_procedure, procedure_files, read_yaml, to_json
from bot.catalog.records import ProcedureRecord

RULE_FIELDS = ("processing_time", "fees", "deadlines", "who", "competent", "validity")
# What a layer may not change: the procedure's identity.
FIXED = ("code", "name", "field", "level")
# Lists a layer adds to (the province's resolutions join the national laws).
ADDITIVE = ("legal_basis", "sources")


@dataclass(frozen=True)
class ProcedureLayer:
    province: str
    code: str
    data: dict[str, Any]  # the layer as written (checked: it merges into a valid record)


def merge(national: Mapping[str, Any], layer: Mapping[str, Any]) -> dict[str, Any]:
    """The national record (as :func:`to_json` gives it) with the layer over it."""
    merged = dict(national)
    for name, value in layer.items():
        if name in FIXED:
            continue
        if name in RULE_FIELDS and isinstance(value, list):
            merged[name] = _merge_rules(list(national.get(name) or []), value)
        elif name in ADDITIVE and isinstance(value, list):
            merged[name] = list(dict.fromkeys([*(national.get(name) or []), *value]))
        else:
            merged[name] = value
    return merged


def _merge_rules(national: list[Any], layer: list[Any]) -> list[Any]:
    """National rules whose ``key`` the layer gives are replaced, in the place of the first
    of them; the layer's other rules are added."""
    by_key: dict[str, list[Any]] = {}
    added = []
    for rule in layer:
        key = rule.get("key") if isinstance(rule, dict) else None
        if key:
            by_key.setdefault(str(key), []).append(rule)
        else:
            added.append(rule)
    merged: list[Any] = []
    placed: set[str] = set()
    for rule in national:
        key = rule.get("key") if isinstance(rule, dict) else None
        if key not in by_key:
            merged.append(rule)
        elif key not in placed:
            merged += by_key[key]
            placed.add(key)
    return merged + [rule for key, rules in by_key.items() if key not in placed for rule in rules] + added


def apply(records: Sequence[ProcedureRecord], layers: Sequence[ProcedureLayer], where: str = "database") -> list[ProcedureRecord]:
    """``records`` with the layers (of one province) merged over them."""
    by_code = {layer.code: layer for layer in layers}
    return [parse_procedure(merge(to_json(r), by_code[r.code].data), where) if r.code in by_code else r for r in records]


def load_layers(data_dir: Path, national: Sequence[ProcedureRecord]) -> list[ProcedureLayer]:
    """Every province's layer files under ``data_dir/provinces``, each checked against the
    national record it completes (an error names the layer file and the field)."""
    provinces = data_dir / "provinces"
    if not provinces.is_dir():
        return []
    found = []
    for folder in sorted(p for p in provinces.iterdir() if p.is_dir()):
        procedures = folder / "procedures"
        if procedures.is_dir():
            found += load_layer_files(folder.name, procedures, national)
    return found


def load_layer_files(
    province: str, path: Path, national: Sequence[ProcedureRecord], progress: Callable[[int], None] | None = None
) -> list[ProcedureLayer]:
    """The layer files of one province (a file or a folder), checked against ``national``;
    ``progress`` is told of each file read."""
    by_code = {r.code: r for r in national}
    layers = []
    for file in procedure_files(path):
        if progress is not None:
            progress(1)
        data = read_yaml(file)
        if not isinstance(data, dict):
            raise CatalogError(f"{file}: top level: expected a mapping (one procedure's provincial facts)")
        code = str(data.get("code") or "")
        if code not in by_code:
            raise CatalogError(f"{file}: code: {code!r} is not a national procedure (data/procedures/)")
        parse_procedure(merge(to_json(by_code[code]), data), str(file))  # errors name the layer file
        layers.append(ProcedureLayer(province, code, jsonable(data)))
    return layers
