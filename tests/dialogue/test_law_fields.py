"""Deadlines, who may apply, the competent commune, validity: answered from the catalogue's
rules, or declined in so many words; never answered with the neighbouring field the NLU named."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.dialogue.turn import Dialogue
from bot.messages import InboundMessage, Reply
from bot.texts import vi

MISSING = vi.FIELD_MISSING.split("{what}")[0]  # "Dạ, em chưa có thông tin đã đối chiếu văn bản về "


async def _ask(dialogue: Dialogue, text: str) -> tuple[str, list[str]]:
    replies: list[Reply] = await dialogue.handle(InboundMessage("test", "u", text))
    return "\n".join(r.text for r in replies), [b.title for r in replies for b in r.buttons]


@pytest.mark.parametrize(
    ("question", "expected", "not_expected"),
    [
        # The NLU says "processing time" (its nearest intent); the citizen asked their own deadline.
        ("bố em mất hôm qua, trong bao lâu phải đi khai tử", "15 ngày", "Ngay trong ngày"),
        ("sinh con bao lau phai lam giay khai sinh", "60 ngày", "Ngay trong ngày"),
        ("Giấy xác nhận tình trạng hôn nhân có giá trị bao lâu", "6 tháng", "03 ngày làm việc"),
    ],
)
async def test_a_field_of_the_law_is_answered_not_its_neighbour(
    make_dialogue: Callable[[str], Dialogue], question: str, expected: str, not_expected: str
) -> None:
    text, buttons = await _ask(make_dialogue("ask_processing_time"), question)
    assert expected in text and not_expected not in text, text
    assert vi.BUTTON_TIME in buttons  # what the catalogue has is offered


async def test_the_competent_commune_is_the_rule_of_the_law(make_dialogue: Callable[[str], Dialogue]) -> None:
    text, _ = await _ask(make_dialogue("ask_place"), "bố mất ở bệnh viện tỉnh, khai tử ở xã nơi mất hay xã nơi bố thường trú")
    assert "nơi cư trú cuối cùng" in text, text


async def test_a_field_the_catalogue_lacks_is_declined_and_the_rest_offered(make_dialogue: Callable[[str], Dialogue]) -> None:
    text, buttons = await _ask(make_dialogue("ask_processing_time"), "giấy đã chứng thực chữ ký thì có giá trị bao lâu")
    assert text.startswith(MISSING) and vi.WHAT_VALIDITY in text, text
    assert "làm việc" not in text  # no processing time in its place
    assert vi.BUTTON_TIME in buttons and vi.BUTTON_VALIDITY not in buttons


async def test_an_empty_field_offers_the_neighbouring_rules_it_has(make_dialogue: Callable[[str], Dialogue]) -> None:
    # No deadline for declaring absence: the rule on who must declare ("from 3 months") answers.
    text, _ = await _ask(make_dialogue("ask_processing_time"), "đi làm xa bao lâu thì mới phải khai báo tạm vắng")
    assert text.startswith(vi.FIELD_MISSING_RELATED.split("{what}")[0]) and "03 tháng" in text, text
    assert "Trong 01 ngày kể từ khi tiếp nhận" not in text  # not the office's processing time


async def test_which_procedure_is_the_overview_with_its_condition(make_dialogue: Callable[[str], Dialogue]) -> None:
    # "phải làm thủ tục gì" asks which procedure: named with the condition that sets it apart.
    text, _ = await _ask(make_dialogue("ask_steps"), "giấy kết hôn bị mất, sổ cũng không còn, phải làm thủ tục gì")
    assert "“Đăng ký lại kết hôn”" in text and "01/01/2016" in text, text


@pytest.mark.parametrize(
    ("question", "procedure", "after_2016"),
    [
        # Registered from 2016 on: no re-registration, the extract is copied instead.
        ("giấy khai sinh của con em làm năm 2019 bị mất rồi, có phải đăng ký lại khai sinh không", "Cấp bản sao trích lục hộ tịch", True),
        # Born in 1992, register and original lost: re-registration (the copy was as likely by the words).
        ("Em sinh năm 1992, giấy khai sinh bị cháy, sổ gốc cũng thất lạc. Làm thủ tục gì để có lại giấy khai sinh?",
         "Đăng ký lại khai sinh", False),
        # The year of a death says nothing about when the birth was registered.
        ("bố em mất năm 2020, giấy khai sinh của bố mất từ lâu, sổ cũng không còn. người đã mất có đăng ký lại khai sinh được không",
         "Đăng ký lại khai sinh", False),
    ],
)  # fmt: skip
async def test_the_year_of_the_event_picks_the_variant(
    make_dialogue: Callable[[str], Dialogue], question: str, procedure: str, after_2016: bool
) -> None:
    text, _ = await _ask(make_dialogue("ask_steps"), question)
    assert f"“{procedure}”" in text, text
    assert text.startswith(vi.REGISTERED_AFTER.split("{year}")[0]) is after_2016, text


async def test_may_one_is_answered_with_the_conditions_and_the_time_limits(make_dialogue: Callable[[str], Dialogue]) -> None:
    # A refusal of an inheritance must come before the estate is divided (a deadline) by an heir
    # (who): "được không" after the division is answered with both, not with the overview.
    text, _ = await _ask(
        make_dialogue("ask_steps"), "bố em mất, anh em chia đất xong rồi. giờ em làm văn bản từ chối nhận di sản được không"
    )
    assert "trước thời điểm phân chia di sản" in text and "Người thừa kế có quyền từ chối" in text, text


async def test_a_register_still_kept_is_no_re_registration(make_dialogue: Callable[[str], Dialogue]) -> None:
    text, _ = await _ask(
        make_dialogue("ask_steps"),
        "Mẹ tôi sinh năm 1960, bản chính giấy khai sinh bị mất nhưng sổ đăng ký năm đó vẫn còn lưu. Có đăng ký lại khai sinh được không?",
    )
    assert text.startswith(vi.REGISTER_KEPT.split("{name}")[0]) and "“Cấp bản sao trích lục hộ tịch”" in text, text


async def test_the_question_sentence_picks_among_what_the_story_names(make_dialogue: Callable[[str], Dialogue]) -> None:
    # The story names a certified contract and a signature; the question is about fixing a typo.
    text, _ = await _ask(
        make_dialogue("ask_fee"),
        "Hợp đồng tặng cho xe máy chứng thực ở xã hôm qua bị đánh máy sai một chữ số. Sửa lỗi sai sót này lệ phí bao nhiêu?",
    )
    assert "“Sửa lỗi sai sót trong giao dịch”" in text and "“Chứng thực chữ ký" not in text, text


async def test_the_register_lost_makes_it_a_re_registration(make_dialogue: Callable[[str], Dialogue]) -> None:
    # The marriage is named plainly; the story says papers and register are both gone.
    lost = "bo me e cuoi nam 1990 co dk ket hon o xa, giay to mat het, xa bao so luu cung ko con, gio muon co giay ket hon thi lam sao"
    text, _ = await _ask(make_dialogue("ask_steps"), lost)
    assert "“Đăng ký lại kết hôn”" in text, text
    kept = "bo me e cuoi nam 1990 co dk ket hon o xa, giay to mat het nhung so o xa van con luu, gio muon co giay ket hon thi lam sao"
    text, _ = await _ask(make_dialogue("ask_steps"), kept)
    assert "“Đăng ký lại kết hôn”" not in text.split("\n\n", 1)[-1] and "“Cấp bản sao trích lục hộ tịch”" in text, text


async def test_a_two_word_referral_must_stand_together(make_dialogue: Callable[[str], Dialogue]) -> None:
    # Without diacritics "chung thuc o xa thi" holds "thuc … thi", which is not "thị thực" (a visa).
    text, _ = await _ask(
        make_dialogue("procedure_overview"), "ba anh em tui chia manh dat bo me de lai, gio muon chung thuc o xa thi la thu tuc nao"
    )
    assert "Thị thực" not in text and "“Chứng thực văn bản phân chia di sản" in text, text


async def test_the_register_gone_picks_the_re_registration_among_candidates(make_dialogue: Callable[[str], Dialogue]) -> None:
    text, _ = await _ask(
        make_dialogue("ask_steps"),
        "bo me e cuoi nam 90 co dang ky dang hoang ma gio mat giay ket hon, xa cung ko con so, lam lai kieu gi ad",
    )
    assert "“Đăng ký lại kết hôn”" in text, text
