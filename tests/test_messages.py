"""Long replies are split for the platforms' 2,000-character limit, losing nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.messages import Button, Reply, split_reply

BUTTONS = (Button("Lệ phí", "/ask_fee"),)


def test_short_reply_is_kept_whole() -> None:
    assert split_reply(Reply("Dạ, xin chào", BUTTONS)) == [Reply("Dạ, xin chào", BUTTONS)]


def test_cut_at_line_breaks_with_buttons_on_the_last_part() -> None:
    text = "\n".join(f"• dòng số {i} " + "x" * 80 for i in range(60))
    parts = split_reply(Reply(text, BUTTONS))
    assert len(parts) > 1
    assert all(len(p.text) <= 2000 for p in parts)
    assert [p.buttons for p in parts] == [()] * (len(parts) - 1) + [BUTTONS]
    assert "\n".join(p.text for p in parts) == text


@given(st.text(st.sampled_from(list("ab ạ\n")), max_size=5000), st.integers(min_value=5, max_value=300))
def test_nothing_is_lost_and_no_part_is_too_long(text: str, limit: int) -> None:
    parts = split_reply(Reply(text), limit)
    assert parts and all(len(p.text) <= limit for p in parts)
    squeeze = "".join(text.split())
    assert "".join("".join(p.text for p in parts).split()) == squeeze
