"""Several fields in one message, and picking an offered choice by number."""

from __future__ import annotations

import pytest

from bot.dialogue.fields import asked_fields
from bot.dialogue.procedure_turn import picked_choice


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("mỗi cái mất mấy ngày, phí bao nhiêu", ["ask_processing_time", "ask_fee"]),
        ("can giay to gi va nop o dau", ["ask_documents", "ask_place"]),
        ("đăng ký tạm trú có làm online được không, mất bao lâu", ["ask_online", "ask_processing_time"]),
        ("sao y het bn tien", ["ask_fee"]),  # "bn" is "bao nhiêu"
        ("hỗ trợ chi phí mai táng cần gì", ["ask_documents"]),  # "chi phí mai táng" is a benefit's name
        ("căn cứ pháp lý của thủ tục khai tử", ["ask_legal_basis"]),
        ("thủ tục khai sinh", []),
    ],
)
def test_asked_fields(text: str, fields: list[str]) -> None:
    assert asked_fields(text) == fields


@pytest.mark.parametrize(
    ("text", "picked"),
    [("2", "b"), ("chọn số 2", "b"), ("số 1 ạ", "a"), ("cái thứ ba", "c"), ("em chon so 3 nhe", "c"), ("cái đầu tiên", "a")],
)
def test_picking_a_choice(text: str, picked: str) -> None:
    assert picked_choice(text, ["a", "b", "c"]) == picked


@pytest.mark.parametrize("text", ["4", "số 0", "chứng thực số 2 bản", "hai bản sao", "mất 2 ngày à"])
def test_not_a_pick(text: str) -> None:
    assert picked_choice(text, ["a", "b", "c"]) is None
