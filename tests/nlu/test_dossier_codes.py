"""Dossier codes: every accepted form is found and normalised; look-alikes are not."""

from __future__ import annotations

import pytest

from nlu.dossier_codes import find_codes, is_dossier_code, normalize_code

WELL_FORMED = [
    "000.00.31.H26-230428-0005",
    "000.00.06.H56-231027-0361",
    "000.A0.01.H26-210212-9090",
    "H26.41-230428-0001",
    "H15.50.05.13-261008-0975",
    "000.00.31.H26-230428-0005123",
]


@pytest.mark.parametrize("code", WELL_FORMED)
def test_well_formed_codes_are_found_in_a_sentence(code: str) -> None:
    text = f"cho em tra cứu hồ sơ {code} với ạ"
    found = find_codes(text)
    assert [f.value for f in found] == [code]
    assert text[found[0].start : found[0].end] == code


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("000.00.31.h26-230428-0005", "000.00.31.H26-230428-0005"),
        ("000.00.31.H26 - 230428 - 0005", "000.00.31.H26-230428-0005"),
        ("h26.41–230428–0001", "H26.41-230428-0001"),
        ("000 . 00 . 31 . H26-230428-0005", "000.00.31.H26-230428-0005"),
    ],
)
def test_lower_case_spaces_and_dashes_are_normalised(typed: str, normalised: str) -> None:
    assert [f.value for f in find_codes(f"mã hs {typed}.")] == [normalised]
    assert normalize_code(typed) == normalised


@pytest.mark.parametrize(
    "text",
    [
        "thủ tục 1.001193 cần gì",
        "mã 1.001193.000.00.00.H56",
        "sđt em 0912 345 678",
        "cccd 001203004567",
        "000.00.31.H26-231328-0005",  # month 13
        "000.00.31.H26-230432-0005",  # day 32
        "000.00.31.H26-230428-005",  # sequence too short
        "000.00.31.26-230428-0005",  # province group without a letter
        "ngày 28-04-2023",
    ],
)
def test_look_alikes_are_not_codes(text: str) -> None:
    assert find_codes(text) == []


def test_two_codes_in_one_message() -> None:
    text = "000.00.31.H26-230428-0005 và H26.41-230428-0001"
    assert [f.value for f in find_codes(text)] == ["000.00.31.H26-230428-0005", "H26.41-230428-0001"]


def test_is_dossier_code() -> None:
    assert is_dossier_code(" 000.00.31.h26-230428-0005 ")
    assert not is_dossier_code("1.001193")
