"""The catalogue's evidence against a wrong NLU intent: a named procedure with a question wins."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.dialogue.turn import Dialogue
from bot.messages import InboundMessage


async def _say(dialogue: Dialogue, text: str) -> str:
    return "\n".join(r.text for r in await dialogue.handle(InboundMessage("test", "u", text)))


@pytest.mark.parametrize(
    ("intent", "text", "expected"),
    [
        ("unsubscribe", "bố em mất tuần trước, làm giấy báo tử ở đâu ạ", "“Đăng ký khai tử”"),
        ("feedback", "xin phiếu lý lịch tư pháp thì nộp ở xã được không", "không thuộc thẩm quyền"),
        ("ask_stats", "đăng ký kết hôn được bao nhiêu ngày thì có giấy", "“Đăng ký kết hôn”"),
    ],
)
async def test_named_procedure_with_a_question_beats_a_wrong_intent(
    make_dialogue: Callable[[str], Dialogue], intent: str, text: str, expected: str
) -> None:
    assert expected in await _say(make_dialogue(intent), text)


@pytest.mark.parametrize(
    ("intent", "text", "expected"),
    [
        ("thank", "cảm ơn ad, em làm xong khai sinh cho cháu rồi", "Dạ, không có gì"),
        ("unsubscribe", "hủy theo dõi hồ sơ khai sinh giúp em", "không theo dõi hồ sơ nào"),
        ("feedback", "cán bộ một cửa làm việc rất nhiệt tình", "cảm ơn anh/chị đã góp ý"),
    ],
)
async def test_intents_keep_their_meaning_without_a_procedure_question(
    make_dialogue: Callable[[str], Dialogue], intent: str, text: str, expected: str
) -> None:
    assert expected in await _say(make_dialogue(intent), text)


async def test_follow_up_repeats_the_previous_question_about_another_procedure(make_dialogue: Callable[[str], Dialogue]) -> None:
    dialogue = make_dialogue("ask_steps")  # "thì sao" looks like "làm sao" to the NLU
    await _say(make_dialogue("ask_processing_time"), "đăng ký thường trú mất bao lâu")
    assert "thời gian giải quyết “Đăng ký tạm trú”" in await _say(dialogue, "còn tạm trú thì sao")
