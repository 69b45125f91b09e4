"""Province layers: merged over the national record by rule key, per agency's province; a
province without a value says who sets it and whom to ask; the office named is the procedure's."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_aiohttp.plugin import AiohttpClient

from bot.app import create_app
from bot.catalog.check import RULE_FIELDS
from bot.catalog.layers import load_layer_files, merge
from bot.catalog.loader import CatalogError, load_agencies, load_procedures, to_json
from bot.catalog.records import AgencyRecord, Office
from bot.config import ROOT, Settings
from bot.dialogue.procedure_answers import FIELD_INTENTS, answer, ask_whom
from bot.texts import vi
from tests.conftest import DEMO_NOW, say

CODE = "1.001193"  # Đăng ký khai sinh
LATE_FEE = {
    "key": "late-registration-fee",
    "text": "Đăng ký khai sinh quá hạn: mức lệ phí do Hội đồng nhân dân cấp tỉnh quy định.",
    "legal_basis": "Luật Hộ tịch 2014, Điều 11 khoản 2",
    "set_locally": "Hội đồng nhân dân cấp tỉnh",
    "amount_vnd": None,
    "valid_from": "2016-01-01",
    "valid_until": None,
}


def _layer_fee(amount: int, resolution: str) -> dict[str, Any]:
    text = f"Đăng ký khai sinh quá hạn: {amount:,} đồng.".replace(",", ".")
    return {"key": "late-registration-fee", "text": text, "legal_basis": resolution, "amount_vnd": amount, "valid_from": "2020-01-01"}


def _data_dir(tmp_path: Path) -> Path:
    """A data folder: one national procedure with a placeholder, two provinces, three agencies."""
    data = tmp_path / "data"
    (data / "procedures").mkdir(parents=True)
    national = yaml.safe_load((ROOT / "data" / "procedures" / f"{CODE}.yml").read_text(encoding="utf-8"))
    national["fees"] = [f for f in national["fees"] if "quá hạn" not in f["text"]] + [LATE_FEE]
    (data / "procedures" / f"{CODE}.yml").write_text(yaml.safe_dump(national, allow_unicode=True), encoding="utf-8")
    for province, amount, resolution in (
        ("tinh-a", 11000, "Nghị quyết 1/2018/NQ-HĐND tỉnh A"),
        ("tinh-b", 6000, "Nghị quyết 2/2020/NQ-HĐND tỉnh B"),
    ):
        folder = data / "provinces" / province / "procedures"
        folder.mkdir(parents=True)
        layer = {"code": CODE, "fees": [_layer_fee(amount, resolution)], "online": {"level": "toàn trình", "where": f"Cổng {province}"}}
        (folder / f"{CODE}.yml").write_text(yaml.safe_dump(layer, allow_unicode=True), encoding="utf-8")
    agencies = [
        {"code": "xa-a", "name": "UBND xã A", "province": "tinh-a", "hotline": "0241"},
        {"code": "xa-b", "name": "UBND xã B", "province": "tinh-b"},
        {"code": "xa-c", "name": "UBND xã C", "province": "tinh-c", "hotline": "0243"},
    ]
    (data / "agencies.yml").write_text(yaml.safe_dump(agencies, allow_unicode=True), encoding="utf-8")
    shutil.copytree(ROOT / "data" / "nlu", data / "nlu")
    return data


def test_a_layer_replaces_rules_by_key_adds_the_others_and_cannot_rename() -> None:
    national = {"code": "1", "name": "A", "fees": [{"key": "k", "text": "national"}, {"text": "kept"}], "postal": "national"}
    layer = {"code": "1", "name": "B", "fees": [{"key": "k", "text": "one"}, {"key": "k", "text": "two"}, {"text": "added"}], "postal": "p"}
    merged = merge(national, layer)
    assert [f["text"] for f in merged["fees"]] == ["one", "two", "kept", "added"]
    assert (merged["name"], merged["postal"]) == ("A", "p")


def test_a_layer_for_no_national_procedure_or_with_a_bad_field_is_refused(tmp_path: Path) -> None:
    data = _data_dir(tmp_path)
    national = load_procedures(data / "procedures")
    bad = data / "provinces" / "tinh-a" / "procedures" / "bad.yml"
    bad.write_text("code: '9.999999'\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"bad\.yml: code: '9\.999999' is not a national procedure"):
        load_layer_files("tinh-a", bad, national)
    bad.write_text(f"code: '{CODE}'\nfees:\n- text: x\n  legal_basis: y\n  valid_from: someday\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"bad\.yml: fees\[\d\]\.valid_from: 'someday' is not a date"):
        load_layer_files("tinh-a", bad, national)


@pytest.mark.parametrize(
    ("agency", "expected"),
    [
        ("xa-a", r"quá hạn: 11\.000 đồng\..*Nghị quyết 1/2018/NQ-HĐND tỉnh A"),
        ("xa-b", r"quá hạn: 6\.000 đồng\..*Nghị quyết 2/2020/NQ-HĐND tỉnh B"),
        # No layer: who sets it, and whom to ask (this commune's one-stop shop, with its phone).
        ("xa-c", r"do Hội đồng nhân dân cấp tỉnh quy định\. \(mức áp dụng tại địa phương em chưa có\).*anh/chị vui lòng hỏi "
                 r"bộ phận một cửa UBND xã C \(điện thoại 0243\)"),
    ],
)  # fmt: skip
async def test_a_council_set_fee_is_each_provinces_own(
    aiohttp_client: AiohttpClient, settings: Settings, tmp_path: Path, agency: str, expected: str
) -> None:
    data = _data_dir(tmp_path)
    client = await aiohttp_client(create_app(replace(settings, data_dir=data, agency_code=agency, load_demo_data=False), lambda: DEMO_NOW))
    text = "\n".join(r["text"] for r in await say(client, "lệ phí đăng ký khai sinh"))
    assert re.search(expected, text, re.DOTALL), text
    assert all(word not in text for word in _foreign(agency))


def _foreign(agency: str) -> tuple[str, ...]:
    """Figures and resolutions of the provinces ``agency`` is not in."""
    return {"xa-a": ("6.000", "tỉnh B"), "xa-b": ("11.000", "tỉnh A"), "xa-c": ("11.000", "6.000", "tỉnh A", "tỉnh B")}[agency]


def test_to_json_keeps_keys_and_who_sets_a_figure(tmp_path: Path) -> None:
    [record] = load_procedures(_data_dir(tmp_path) / "procedures")
    [late] = [f for f in to_json(record)["fees"] if f["key"]]
    assert (late["key"], late["set_locally"]) == ("late-registration-fee", "Hội đồng nhân dân cấp tỉnh")


async def test_an_abolished_procedure_says_so_and_whom_to_ask(aiohttp_client: AiohttpClient, settings: Settings, tmp_path: Path) -> None:
    data = _data_dir(tmp_path)
    file = data / "procedures" / f"{CODE}.yml"
    record = yaml.safe_load(file.read_text(encoding="utf-8"))
    record |= {"abolished_from": "2026-11-01", "abolished_note": "Thay bằng thủ tục liên thông mới."}
    file.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    client = await aiohttp_client(create_app(replace(settings, data_dir=data, agency_code="xa-a", load_demo_data=False), lambda: DEMO_NOW))
    text = (await say(client, "lệ phí đăng ký khai sinh"))[0]["text"]
    assert text == vi.PROCEDURE_ABOLISHED.format(
        name="Đăng ký khai sinh",
        day="01/11/2026",
        note=" Thay bằng thủ tục liên thông mới.",
        office="bộ phận một cửa UBND xã A (điện thoại 0241)",
    )


# A province's own facts: its name, its council's resolutions, its city-only wording.
PROVINCIAL = re.compile(r"Hà Nội|Hải Phòng|Hải Dương|NQ-HĐND|HĐND thành phố|UBND thành phố|(?:của|trong) thành phố\b|Thủ đô")


def _texts(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string of a record with where it sits (sources excepted: they cite where facts were read)."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [found for key, item in value.items() if key != "sources" for found in _texts(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [found for i, item in enumerate(value) for found in _texts(item, f"{path}[{i}]")]
    return []


def test_the_national_layer_alone_holds_no_provincial_fact() -> None:
    found = [
        (record.code, path, text[:80])
        for record in load_procedures(ROOT / "data" / "procedures")
        for path, text in _texts(to_json(record))
        if PROVINCIAL.search(text)
    ]
    assert not found, found


@pytest.mark.parametrize(
    ("agency", "expected", "absent"),
    [
        ("dan-phuong", "Hà Nội: đăng ký khai sinh quá hạn 5.000 đồng", "Hải Phòng"),
        ("vinh-bao", "Hải Phòng (địa bàn Hải Phòng cũ), nộp hồ sơ giấy: đăng ký khai sinh quá hạn 8.000 đồng", "Hà Nội"),
    ],
)
async def test_the_shipped_provinces_answer_their_own_late_registration_fee(
    aiohttp_client: AiohttpClient, settings: Settings, agency: str, expected: str, absent: str
) -> None:
    client = await aiohttp_client(create_app(replace(settings, agency_code=agency, load_demo_data=False), lambda: DEMO_NOW))
    text = (await say(client, "khai sinh quá hạn mất bao nhiêu tiền"))[0]["text"]
    assert expected in text and absent not in text, text


async def test_an_unconfirmed_figure_of_the_police_sends_to_the_police_not_the_one_stop_shop(client: Any) -> None:
    text = "\n".join(r["text"] for r in await say(client, "lệ phí đăng ký tạm trú bao nhiêu"))
    assert "(chưa xác nhận)" in text and "vui lòng hỏi Công an xã ạ" in text and "bộ phận một cửa" not in text, text
    land = "\n".join(r["text"] for r in await say(client, "lệ phí cấp sổ đỏ lần đầu"))
    assert "vui lòng hỏi bộ phận một cửa Ủy ban nhân dân xã Đan Phượng" in land, land


def test_no_answer_about_the_police_or_military_sends_the_citizen_to_the_one_stop_shop() -> None:
    """Every field of every police or military procedure, on every date a figure changes (the
    place excepted: without the police's address the commune's switchboard is the way to it)."""
    agency = next(a for a in load_agencies(ROOT / "data" / "agencies.yml") if a.code == "dan-phuong")
    procedures = [p for p in load_procedures(ROOT / "data" / "procedures") if p.office != "one_stop"]
    assert procedures
    wrong = []
    for p in procedures:
        days = {date(2026, 12, 2)} | {f.valid_from for field in RULE_FIELDS for f in getattr(p, field) if f.valid_from}
        for intent in sorted(set(FIELD_INTENTS) - {"ask_place"}):
            for day in days:
                text = answer(intent, p, agency, day).text
                if "bộ phận một cửa" in text:
                    wrong.append((p.code, intent, day.isoformat(), text[:160]))
    assert not wrong, wrong[:5]


def test_whom_to_ask_is_the_listed_office_with_its_phone_else_its_generic_name() -> None:
    [police] = [p for p in load_procedures(ROOT / "data" / "procedures") if p.code == "1.004194"]
    bare = AgencyRecord("xa", "UBND xã X", hotline="0241")
    assert ask_whom(police, bare) == "Công an xã"  # never the one-stop shop's telephone
    listed = replace(bare, offices=(Office("police", "Công an xã X", hotline="069 123"),))
    assert ask_whom(police, listed) == "Công an xã X (điện thoại 069 123)"
    [birth] = [p for p in load_procedures(ROOT / "data" / "procedures") if p.code == CODE]
    assert ask_whom(birth, bare) == "bộ phận một cửa UBND xã X (điện thoại 0241)"
