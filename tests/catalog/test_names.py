"""The name index: typos, several procedures in one question, refinement by context."""

from __future__ import annotations

import pytest

from bot.catalog.catalogue import ordinary_words
from bot.catalog.loader import load_procedures
from bot.catalog.matcher import ProcedureMatcher
from bot.catalog.names import NameIndex
from bot.config import ROOT


@pytest.fixture(scope="module")
def matcher() -> ProcedureMatcher:
    return ProcedureMatcher(load_procedures(ROOT / "data" / "procedures"), ordinary_words(ROOT / "data" / "nlu"))


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("dang ky khai sinhh cho con", "1.001193"),  # a doubled letter
        ("đăng ký kết hônn", "1.000894"),
        ("chung thuc chu kyy", "2.000884"),
        ("dang ky thuogn tru", "1.004222"),  # two letters swapped
    ],
)
def test_one_typo_in_a_name_word_is_forgiven(matcher: ProcedureMatcher, question: str, code: str) -> None:
    chosen, _ = matcher.choose(question)
    assert chosen is not None and chosen.code == code


def test_ordinary_words_are_not_read_as_typos() -> None:
    index = NameIndex([("a", ["tiêm chủng"]), ("b", ["thuế đất"])], ordinary_words=["tiền"])
    assert index.rank("tiền bao nhiêu") == []  # "tien" is one edit from "tiem", but an ordinary word
    assert [m.code for m in index.rank("tiemm chủng")] == ["a"]


def test_a_typo_close_to_two_words_is_left_alone() -> None:
    index = NameIndex([("a", ["khai sinh"]), ("b", ["khai tinh"])])
    assert index.rank("khai xinh") == [] or index.choose("khai xinh")[0] is None


def test_two_procedures_named_separately_are_both_found(matcher: ProcedureMatcher) -> None:
    found = matcher.choose_several("trích lục khai sinh với chứng thực chữ ký thì mỗi cái mất mấy ngày")
    assert [p.code for p in found] == ["2.000635", "2.000884"]


def test_a_name_inside_a_longer_name_is_one_mention(matcher: ProcedureMatcher) -> None:
    assert [p.code for p in matcher.choose_several("xin trích lục khai sinh")] == ["2.000635"]


def test_a_longer_name_spelled_apart_by_two_names_is_both(matcher: ProcedureMatcher) -> None:
    # "làm khai tử … lấy trích lục" is the registration and its extract; "nhận cháu làm con
    # nuôi" is still the adoption alone (the rest, "nuôi", is no name of its own).
    several = matcher.choose_several("làm khai tử thì có lấy được trích lục luôn không")
    assert [p.code for p in several] == ["1.000656", "2.000635"]
    chosen, _ = matcher.choose("nhan chau ruot lam con nuoi")
    assert chosen is not None and chosen.code == "2.001263"


@pytest.mark.parametrize(
    ("question", "code"),
    [
        # "sửa lại" is to correct, not the "re-" of "đăng ký lại khai sinh".
        ("giấy khai sinh ghi sai năm sinh, em muốn sửa lại cho đúng", "1.004859"),
        # "thất lạc" is lost; "giấy chứng tử bị mất" names "mất giấy chứng tử" in another order.
        ("ông mất năm 1998, giấy chứng tử bị thất lạc, sổ khai tử cũng không còn", "1.005461"),
        # "hộ khẩu ở Bắc Ninh" says where one lives; the question is the certified copy.
        ("hộ khẩu ở Bắc Ninh, chứng thực bản sao bằng tốt nghiệp ở phường gần công ty", "2.000815"),
        # "bố em lại đi công tác" is "then"; the question is the death registration.
        ("bà mất hôm 28, bố em lại đi công tác, giờ mới đi đăng ký khai tử", "1.000656"),
    ],
)
def test_again_and_lost_are_read_from_their_use(matcher: ProcedureMatcher, question: str, code: str) -> None:
    chosen, _ = matcher.choose(question)
    assert chosen is not None and chosen.code == code


def test_context_refines_a_short_question(matcher: ProcedureMatcher) -> None:
    permanent = matcher.get("1.004222")
    assert permanent is not None
    refined = matcher.refine("xóa thì làm thế nào", permanent)
    assert refined is not None and refined.code == "1.003197"
    assert matcher.refine("mất mấy ngày", permanent) is None
    assert matcher.refine("còn lệ phí thì sao", permanent) is None


@pytest.mark.parametrize(
    ("question", "code"),
    [
        # "mất" is "died" here: the general procedure, not the re-registration of a lost paper.
        ("bà nội em ốm nặng rồi mất tại nhà, đi khai tử ở đâu", "1.000656"),
        ("ba noi e om roi mat tai nha hom 28, khai tu cho ba the nao", "1.000656"),
        # and "lost" here.
        ("bị mất giấy chứng tử của ông thì làm lại thế nào", "1.005461"),
        ("mất cả sổ hộ tịch và giấy chứng tử", "1.005461"),
        # "nơi thường trú" says where someone lives; it does not name the residence procedure.
        ("khai tử ở xã nơi mất hay xã nơi bố thường trú", "1.000656"),
    ],
)
def test_died_and_lost_and_where_one_lives(matcher: ProcedureMatcher, question: str, code: str) -> None:
    several = matcher.choose_several(question)
    chosen, _ = matcher.choose(question)
    assert [p.code for p in several] in ([], [code]) and chosen is not None and chosen.code == code, (several, chosen)


def test_where_one_lives_names_no_residence_procedure(matcher: ProcedureMatcher) -> None:
    residence = {"1.004222", "1.004194"}
    assert not residence & {c.procedure.code for c in matcher.rank("e hien thuong tru o Ha Noi, hoi xin giay do o Ha Noi hay ve que")}
    assert not residence & {c.procedure.code for c in matcher.rank("tôi tạm trú tại phường Mai Dịch")}
    chosen, _ = matcher.choose("đăng ký tạm trú ở phòng trọ thì làm thế nào")  # the procedure, not where one lives
    assert chosen is not None and chosen.code == "1.004194"
    chosen, _ = matcher.choose("đăng ký tạm trú ở đâu")  # the procedure, asked where
    assert chosen is not None and chosen.code == "1.004194"


def test_everyday_words_alone_name_nothing(matcher: ProcedureMatcher) -> None:
    # "đổi" (a verb), "con" (kin), "năm" (time) are in names; alone they are no partial reading.
    assert matcher.rank("the phi doi bn vay ad") == []
    assert matcher.rank("con em năm nay lên lớp") == []
    chosen, _ = matcher.choose("thủ tục nhận con")  # a whole name made of them still is
    assert chosen is not None and chosen.code == "1.001022"


@pytest.mark.parametrize(
    ("story", "question", "general", "variant"),
    [
        # The question sentence names the funeral allowance; the story says whose.
        ("Ông tôi là người có công, vừa mất tuần trước.", "Xin tiền mai táng thế nào?", "1.001731", "1.010824"),
        ("Tôi lấy chồng Hàn Quốc.", "Đăng ký kết hôn cần giấy tờ gì?", "1.000894", "2.000806"),
    ],
)
def test_the_story_names_the_variant_of_what_the_question_names(
    matcher: ProcedureMatcher, story: str, question: str, general: str, variant: str
) -> None:
    chosen, candidates = matcher.choose(question)
    assert chosen is not None and chosen.code == general and candidates[0].procedure == chosen
    narrower = matcher.narrower(f"{story} {question}", candidates[0])
    assert narrower is not None and narrower.code == variant
    assert matcher.narrower(question, candidates[0]) is None


@pytest.mark.parametrize(
    ("question", "code"),
    [
        # "nhà em" is the family: the funeral allowance, not the housing aid.
        ("nha e dc ho tro mai tang ko", "1.001731"),
        # A verb before "hộ khẩu ở" makes it the procedure, not where one lives.
        ("nghe noi di lau qua se bi xoa ho khau o nha", "1.003197"),
        # "không để lại di chúc" is an inheritance by law, not a will.
        ("bo e mat ko de lai di chuc, anh em muon chia manh dat thi chung thuc gi", "2.001406"),
    ],
)
def test_words_read_from_their_use(matcher: ProcedureMatcher, question: str, code: str) -> None:
    chosen, _ = matcher.choose(question)
    assert chosen is not None and chosen.code == code


def test_everyday_words_scattered_name_nothing(matcher: ProcedureMatcher) -> None:
    # "xác nhận … cho các con" is not "nhận con"; "xã báo … từ năm" is not "báo tử".
    codes = {c.procedure.code for c in matcher.rank("ông nói chia đất cho các con, phải mang ra xã xác nhận")}
    assert "1.001022" not in codes
    codes = {c.procedure.code for c in matcher.rank("cưới từ năm 1998, xã báo sổ gốc cũng thất lạc")}
    assert "1.000656" not in codes
