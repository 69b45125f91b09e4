"""The keyword fallback: conservative, diacritics-insensitive."""

from __future__ import annotations

import pytest

from nlu.keywords import keyword_parse


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("xin chào", "greet"),
        ("Chào ad", "greet"),
        ("cam on nhieu", "thank"),
        ("làm giấy khai sinh cần giấy tờ gì", "ask_documents"),
        ("sao y so ho khau het bn tien", "ask_fee"),
        ("dang ky thuong tru mat bao lau", "ask_processing_time"),
        ("nộp hồ sơ ở đâu ạ", "ask_place"),
        ("có nộp online được không", "ask_online"),
        ("gửi qua bưu điện được không", "ask_postal"),
        ("cho em gặp cán bộ", "request_human"),
        ("hồ sơ của em xong chưa", "check_status"),
        ("hủy theo dõi hồ sơ", "unsubscribe"),
    ],
)
def test_intents(text: str, intent: str) -> None:
    assert keyword_parse(text).intent == intent


def test_a_long_message_is_not_a_greeting() -> None:
    assert keyword_parse("chào anh chị em cho hỏi chuyện bóng đá tối nay đội nào thắng").intent == "nlu_fallback"


@pytest.mark.parametrize("text", ["thời tiết hôm nay", "giá vàng hôm nay", "asdfgh"])
def test_unknown_is_fallback(text: str) -> None:
    assert keyword_parse(text).intent == "nlu_fallback"
