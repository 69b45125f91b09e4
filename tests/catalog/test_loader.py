"""The catalogue files load; a wrong field is reported with the file and the field."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.catalog.loader import CatalogError, from_json, load_agencies, load_procedures, load_referrals, to_json
from bot.config import ROOT

DATA = ROOT / "data"


def test_shipped_catalogue_is_valid_and_round_trips() -> None:
    procedures = load_procedures(DATA / "procedures")
    assert len(procedures) >= 8
    for p in procedures:
        assert from_json(to_json(p)) == p
        assert p.fees and p.processing_time and p.documents and p.legal_basis
        assert all(len(p.title) <= 20 for p in procedures)
    assert [a.code for a in load_agencies(DATA / "agencies.yml")] == ["dan-phuong", "vinh-bao"]


def test_shipped_figures_have_a_legal_basis_and_some_are_valid_today() -> None:
    today = date(2026, 11, 26)
    for p in load_procedures(DATA / "procedures"):
        assert any(f.valid_on(today) for f in p.fees), p.code
        assert any(f.valid_on(today) for f in p.processing_time), p.code


def _write(tmp_path: Path, record: dict[str, object]) -> Path:
    path = tmp_path / "x.yml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    return path


def _valid() -> dict[str, object]:
    return yaml.safe_load((DATA / "procedures" / "1.001193.yml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": None}, "x.yml: name: is required"),
        ({"documents": []}, "x.yml: documents: must be a non-empty list"),
        (
            {"fees": [{"text": "Miễn phí", "legal_basis": "Luật", "valid_from": "soon", "amount_vnd": 0}]},
            "x.yml: fees[0].valid_from: 'soon' is not a date",
        ),
        ({"fees": [{"text": "Miễn phí", "legal_basis": "Luật"}]}, "x.yml: fees[0].amount_vnd: is required"),
        ({"fees": [{"text": "Miễn phí", "amount_vnd": 0}]}, "x.yml: fees[0].legal_basis: is required"),
        ({"processing_time": [{"text": "1 ngày", "legal_basis": "L", "channels": ["fax"]}]}, "x.yml: processing_time[0].channels: unknown"),
        ({"online": {"level": "mức độ 4"}}, "x.yml: online.level: must be one of"),
        ({"short_name": "Một tên rất dài quá hai mươi ký tự"}, "x.yml: short_name: must be at most 20 characters"),
        ({"documents": [{"copies": 1}]}, "x.yml: documents[0].name: is required"),
        ({"office": "court"}, "x.yml: office: must be one of one_stop, police, military"),
        ({"online": {"level": "toàn trình", "url": "http://dichvucong.gov.vn"}}, "x.yml: online.url: must be an https:// link"),
        ({"registered_before": {"day": "2016", "otherwise": "2.000635", "legal_basis": "NĐ"}}, "x.yml: registered_before.day: '2016'"),
        ({"registered_before": {"day": "2016-01-01", "legal_basis": "NĐ"}}, "x.yml: registered_before.otherwise: is required"),
        ({"variants": [[]]}, "x.yml: variants[0]: must be a non-empty list"),
    ],
)
def test_errors_name_file_and_field(tmp_path: Path, change: dict[str, object], message: str) -> None:
    path = _write(tmp_path, _valid() | change)
    with pytest.raises(CatalogError) as caught:
        load_procedures(path)
    assert str(caught.value).startswith(f"{tmp_path}/{message}")


def test_unreadable_yaml_is_a_catalog_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"bad\.yml: cannot be read"):
        load_procedures(path)


def test_a_variant_must_name_a_procedure_of_the_catalogue(tmp_path: Path) -> None:
    rule = {"day": "2016-01-01", "otherwise": "9.999999", "legal_basis": "Nghị định 123/2015/NĐ-CP, Điều 24"}
    _write(tmp_path, _valid() | {"registered_before": rule})
    with pytest.raises(CatalogError, match=r"x\.yml: registered_before\.otherwise: no procedure 9\.999999"):
        load_procedures(tmp_path)


def test_duplicate_codes_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(yaml.safe_dump(_valid(), allow_unicode=True), encoding="utf-8")
    (tmp_path / "b.yml").write_text(yaml.safe_dump(_valid(), allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"code: 1\.001193 is also in"):
        load_procedures(tmp_path)


def test_a_json_file_of_several_records_loads(tmp_path: Path) -> None:
    first, second = _valid(), _valid()
    second["code"] = "9.000001"
    path = tmp_path / "many.json"
    path.write_text(json.dumps([first, second], ensure_ascii=False, default=str), encoding="utf-8")
    assert [p.code for p in load_procedures(path)] == ["1.001193", "9.000001"]


def test_broken_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"bad\.json: cannot be read"):
        load_procedures(path)


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no such file or folder"):
        load_procedures(tmp_path / "nothing.yml")


def test_agency_offices_and_the_one_stop_default(tmp_path: Path) -> None:
    path = tmp_path / "agencies.yml"
    agency = {
        "code": "x",
        "name": "UBND xã X",
        "address": "1 Đường A",
        "offices": [{"kind": "police", "name": "Công an xã X", "hours": "7:30–17:00"}],
    }
    path.write_text(yaml.safe_dump([agency], allow_unicode=True), encoding="utf-8")
    [record] = load_agencies(path)
    assert record.office("police").name == "Công an xã X"
    assert record.office("one_stop").address == "1 Đường A"
    assert record.office("military").name == ""
    agency["offices"] = [{"kind": "court", "name": "Tòa"}]
    path.write_text(yaml.safe_dump([agency], allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"agencies.yml\[0\]: offices\[0\].kind: must be one of"):
        load_agencies(path)


def test_referrals_load_and_a_wrong_entry_is_named(tmp_path: Path) -> None:
    assert load_referrals(tmp_path / "absent.yml") == []
    shipped = load_referrals(DATA / "referrals.yml")
    assert len(shipped) >= 20 and all(r.handled_by for r in shipped)
    path = tmp_path / "referrals.yml"
    path.write_text(yaml.safe_dump([{"topic": "Ly hôn", "aliases": ["ly hôn"]}], allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"referrals.yml\[0\]: handled_by: is required"):
        load_referrals(path)
