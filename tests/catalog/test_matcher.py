"""Which procedure a question is about, with and without diacritics."""

from __future__ import annotations

import pytest

from bot.catalog.loader import load_procedures
from bot.catalog.matcher import ProcedureMatcher
from bot.config import ROOT


@pytest.fixture(scope="module")
def matcher() -> ProcedureMatcher:
    return ProcedureMatcher(load_procedures(ROOT / "data" / "procedures"))


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("làm giấy khai sinh cần giấy tờ gì", "1.001193"),
        ("lam giay khai sinh can gi", "1.001193"),
        ("LÀM GIẤY KHAI SINH", "1.001193"),
        ("đăng ký kết hôn mất mấy ngày", "1.000894"),
        ("giấy báo tử làm ở đâu", "1.000656"),
        ("phí sao y bao nhiêu", "2.000815"),
        ("nhập hộ khẩu cho con", "1.004222"),
        ("dang ky tam tru online duoc khong", "1.004194"),
        ("trích lục khai sinh", "2.000635"),
    ],
)
def test_clear_questions_choose_one_procedure(matcher: ProcedureMatcher, question: str, code: str) -> None:
    chosen, _ = matcher.choose(question)
    assert chosen is not None and chosen.code == code


def test_nfd_input_matches_like_nfc(matcher: ProcedureMatcher) -> None:
    import unicodedata

    chosen, _ = matcher.choose(unicodedata.normalize("NFD", "đăng ký kết hôn"))
    assert chosen is not None and chosen.code == "1.000894"


def test_ambiguous_question_offers_choices(matcher: ProcedureMatcher) -> None:
    chosen, candidates = matcher.choose("chứng thực thì nộp ở đâu")
    assert chosen is None
    assert {c.procedure.code for c in candidates} == {"2.000815", "2.000884"}


@pytest.mark.parametrize("question", ["lệ phí bao nhiêu vậy", "thời tiết hôm nay thế nào", "đăng ký", "xin chào"])
def test_no_procedure_named(matcher: ProcedureMatcher, question: str) -> None:
    assert matcher.choose(question) == (None, [])


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("nha minh co ban o que len ngu lai vai dem, co phai bao cong an ko", "2.001159"),
        ("con e bi khuyet tat nhe, gio nang hon truoc nhieu muon xac dinh lai muc do", "1.001699"),
    ],
)
def test_a_situation_without_a_whole_name_is_likely_one_procedure(matcher: ProcedureMatcher, question: str, code: str) -> None:
    assert matcher.choose(question)[0] is None  # no name whole: only the loose reading finds it
    likely = matcher.likely(question)
    assert likely is not None and likely.code == code


@pytest.mark.parametrize("question", ["lệ phí bao nhiêu vậy", "xin chào", "giờ tôi thường trú ở Hà Nội, có phải về quê làm lại không"])
def test_few_or_common_words_are_likely_nothing(matcher: ProcedureMatcher, question: str) -> None:
    assert matcher.likely(question) is None
