"""Vietnamese normalisation: one form for NFC/NFD, both tone placements, teencode."""

from __future__ import annotations

import unicodedata

import pytest

from nlu.vietnamese import fold, new_tone_placement, normalize


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Hoà Bình", "Hòa Bình"),
        ("thuý", "thúy"),
        ("khoẻ", "khỏe"),
        ("quà", "quà"),  # "qu" + a: the tone already sits on the right vowel
        ("hòa", "hòa"),
    ],
)
def test_tone_placement(typed: str, expected: str) -> None:
    assert new_tone_placement(typed) == expected
    assert new_tone_placement(unicodedata.normalize("NFD", typed)) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("lam cccd cho con can j ko ad", "lam căn cước công dân cho con can gì không admin"),
        ("sao y so ho khau het bn tien", "sao y so ho khau het bao nhiêu tien"),
        ("cong chung giay to o xa dc k", "cong chung giay to o xa được không"),
        ("Đăng ký KẾT HÔN", "đăng ký kết hôn"),
        ("sổ hồng", "sổ hồng"),  # "hong" is not expanded to "không"
    ],
)
def test_normalize_expands_teencode(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


def test_nfd_and_nfc_normalise_alike() -> None:
    text = "Nhà em mới sinh cháu, giờ làm giấy khai sinh thì lên xã hay lên đâu ạ?"
    assert normalize(unicodedata.normalize("NFD", text)) == normalize(text)


def test_fold() -> None:
    assert fold("Giấy khai sinh – Đăng ký!") == "giay khai sinh dang ky"
