"""Several fields in one message, and picking an offered choice by number."""

from __future__ import annotations

import pytest

from bot.dialogue.fields import asked_fields, asks_whether_allowed, fields_asked
from bot.dialogue.procedure_turn import picked_choice
from bot.dialogue.sentences import windows


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
        # The citizen's own deadline, not the office's time ("bao lâu thì có" stays the office's).
        ("bố mất thì trong bao lâu phải đi khai tử", ["ask_deadline"]),
        ("sinh con bao lau phai lam giay khai sinh", ["ask_deadline"]),
        ("thời hạn đăng ký khai sinh là bao lâu", ["ask_deadline"]),
        ("tam tru het han thi phai gia han truoc may ngay", ["ask_deadline"]),
        ("khai sinh quá hạn thì có bị phạt không", ["ask_deadline"]),
        ("bao lâu thì có giấy khai sinh", ["ask_processing_time"]),
        ("phải chờ bao lâu", ["ask_processing_time"]),
        ("khai sinh nộp trước mấy giờ thì lấy được trong ngày", ["ask_processing_time"]),
        ("thông báo lưu trú trước mấy giờ", ["ask_deadline"]),
        # Who may or must; "có mất tiền" folds like "có mặt" and stays a fee question.
        ("đăng ký kết hôn có cần cả hai có mặt không", ["ask_who"]),
        ("con bao nhieu tuoi thi phai lam can cuoc", ["ask_who"]),
        ("nhờ người khác đi làm thay được không", ["ask_who"]),
        ("nop ho so khai sinh cho chau", []),
        ("vợ chồng em đăng ký kết hôn thì có cần đi cả hai người không", ["ask_who"]),
        ("chau nha em 17 tuoi thi phai di dang ky nghia vu quan su chua", ["ask_who"]),
        ("con em sinh được 2 tháng rồi giờ mới đi làm khai sinh có sao không", ["ask_deadline"]),
        ("lam cccd cho con co mat tien ko", ["ask_fee"]),
        # Which commune is competent; how long a result is valid.
        ("me e co dc huong tro cap huu tri xa hoi ko a", ["ask_who"]),
        ("lập di chúc ra xã chứng thực thì cần thêm ai đi cùng không", ["ask_who"]),
        ("giấy đó giờ còn dùng được không", ["ask_validity"]),
        ("để bao lâu thì giấy phép hết hiệu lực", ["ask_validity"]),
        ("đi bao lâu thì tạm trú của bạn ấy bị xóa", ["ask_deadline"]),
        ("giay xac nhan doc than xin tu thang 1 thi toi thang 9 con nop dc ko", ["ask_validity"]),
        ("đăng ký tạm trú một lần thì được tối đa bao lâu", ["ask_validity"]),
        ("thẻ đó dùng tới khi nào thì hết hạn", ["ask_validity"]),
        ("giờ là tháng 9, em dùng lại tờ đó được không ạ", ["ask_validity"]),
        ("tôi muốn làm khai sinh cho con ở xã quê tôi có được không", ["ask_competent"]),
        ("có bắt buộc về nơi em thường trú để chứng thực không", ["ask_competent"]),
        ("ba e dc huong ca 2 hay chi 1 khoan", ["ask_who"]),
        ("lam van ban tu choi thi thoi han toi khi nao", ["ask_deadline"]),
        ("giay phep ban le ruou xai dc bao nhieu nam", ["ask_validity"]),
        ("xin giấy xác nhận độc thân thì ra xã ở quê hay phường ở Hà Nội", ["ask_competent"]),
        ("kết hôn với người nước ngoài phải lên tỉnh hay làm ở xã", ["ask_competent"]),
        # The time phrase after a deadline's belongs to it; before it, it is asked too.
        ("khai tu thi han chot la may ngay vay ad", ["ask_deadline"]),
        ("khai sinh mất bao lâu, hạn chót là mấy ngày", ["ask_processing_time", "ask_deadline"]),
        ("Có bắt buộc chủ hộ đồng ý không?", ["ask_who"]),
        ("Tôi có phải đổi thẻ không?", ["ask_who"]),
        ("Bà có thuộc diện được hỗ trợ chi phí mai táng không?", ["ask_who"]),
        ("nhận con nuôi rồi thì bao lâu báo cáo 1 lần", ["ask_deadline"]),
        ("tôi chỉ cần thông báo lưu trú hay phải đăng ký tạm trú cho cháu?", ["ask_who"]),
        ("luật có bắt buộc phải đăng ký khai sinh cho bé không", ["ask_who"]),
        ("1 minh ben tang cho ra xa lam dc ko hay can ca 2 ben", ["ask_who"]),
        ("co duoc lam online khong", ["ask_online"]),
        ("cho e hoi phai lam thu tuc gi", ["procedure_overview"]),
        ("moi lan dang ky tam tru dc toi da bao lau thi phai gia han", ["ask_validity"]),
        ("khai sinh làm ở xã nơi sinh hay nơi thường trú", ["ask_competent"]),
        ("ho khau o xa khac thi dang ky ket hon o dau", ["ask_competent", "ask_place"]),
        ("giấy xác nhận tình trạng hôn nhân có giá trị bao lâu", ["ask_validity"]),
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


def test_the_question_sentence_decides_the_fields() -> None:
    # "chưa biết ở bao lâu" is story; the question is the citizen's deadline.
    story = "e vao Binh Duong lam cong ty, chua biet o bao lau. cho e hoi di bao lau thi moi phai khai bao a"
    assert fields_asked(story) == ["ask_deadline"]
    # The question comes before a thank-you; a question earlier in the message is asked too.
    assert fields_asked("Lệ phí khai sinh bao nhiêu? Em cảm ơn.") == ["ask_fee"]
    assert fields_asked("Cần giấy tờ gì? Nộp ở đâu?") == ["ask_documents", "ask_place"]


def test_windows_read_back_from_the_question_and_keep_codes_whole() -> None:
    assert windows("Bố em mất. Làm khai tử ở đâu?") == ["Làm khai tử ở đâu?", "Bố em mất. Làm khai tử ở đâu?"]
    assert windows("tra ho so 000.00.31.H26-230428-0005 giup em") == ["tra ho so 000.00.31.H26-230428-0005 giup em"]


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("Bố không đồng ý. Vậy tôi tự tách hộ được không?", True),
        ("ba ngoai nhan chau lam con nuoi dc ko ad", True),
        ("chau 15t roi co con duoc nhan lam con nuoi ko", True),
        ("cho em hỏi được không", False),  # asking leave to ask
        ("làm online được không", False),  # a field by name
    ],
)
def test_may_one_is_asked_by_the_last_sentence(text: str, allowed: bool) -> None:
    assert asks_whether_allowed(text) is allowed


def test_a_comma_turning_to_the_question_ends_a_clause_and_a_pointer_keeps_its_story() -> None:
    text = "e moi dc cai chinh ngay sinh tren giay khai sinh, gio phai sua thong tin cu tru trong may ngay ak"
    assert windows(text)[0] == "gio phai sua thong tin cu tru trong may ngay ak"
    assert fields_asked(text) == ["ask_deadline"]  # the citizen's duty, not the office's time
    # "giấy đó" points back: the question is read with the sentence it points to.
    pointer = "Tôi xin giấy xác nhận tình trạng hôn nhân từ tháng 1, giờ tháng 9 mới nộp hồ sơ kết hôn thì giấy đó còn dùng được không?"
    assert windows(pointer)[0] == pointer


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Thời hiệu chia di sản thực ra là bao lâu?", "ask_deadline"),
        ("Xã phải hòa giải xong trong thời hạn bao lâu?", "ask_processing_time"),  # "bao lâu" is not "báo"
        ("Hợp đồng mua bán đất đó muốn chứng thực thì mang ra UBND nào?", "ask_competent"),
        ("tui e dang ky ket hon o xa ben nao dc ad", "ask_competent"),
        ("Theo luật thì ai là người giám hộ đương nhiên của cháu?", "ask_who"),
        ("vay bao gio em e moi dc ky dong y cho con lam con nuoi", "ask_deadline"),
    ],
)
def test_questions_of_the_law_in_everyday_words(text: str, field: str) -> None:
    assert field in fields_asked(text)


@pytest.mark.parametrize(
    "text", ["ny e 19 tuoi, e 18 tuoi, 2 dua muon dang ky ket hon thi dc chua a", "2 dua dang ky ket hon dc chua hay phai doi"]
)
def test_may_one_yet(text: str) -> None:
    assert asks_whether_allowed(text)
