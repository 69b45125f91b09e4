"""Conversations through the REST channel with the NLU server down: keywords, catalogue, context."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.texts import vi
from tests.conftest import say

Client = TestClient[Any, Any]


async def test_procedure_question_gets_the_figure(client: Client) -> None:
    text = (await say(client, "chứng thực chữ ký mất bao nhiêu tiền"))[0]["text"]
    assert "10.000 đồng" in text
    assert "226/2016/TT-BTC" in text


async def test_follow_up_question_uses_the_procedure_in_context(client: Client) -> None:
    await say(client, "dang ky ket hon can giay to gi")
    text = (await say(client, "mất mấy ngày"))[0]["text"]
    assert text.startswith("Dạ, thời gian giải quyết “Đăng ký kết hôn”")


async def test_context_is_per_user(client: Client) -> None:
    await say(client, "dang ky ket hon can giay to gi", sender="a")
    text = (await say(client, "mất mấy ngày", sender="b"))[0]["text"]
    assert text.startswith(vi.ASK_WHICH_PROCEDURE[:40])


async def test_field_without_procedure_asks_which_then_answers(client: Client) -> None:
    assert (await say(client, "lệ phí bao nhiêu vậy"))[0]["text"].startswith(vi.ASK_WHICH_PROCEDURE[:40])
    text = (await say(client, "trích lục hộ tịch"))[0]["text"]
    assert text.startswith("Dạ, lệ phí “Cấp bản sao trích lục hộ tịch”")
    assert "8.000 đồng" in text


async def test_ambiguous_procedure_offers_choices(client: Client) -> None:
    reply = (await say(client, "chứng thực thì nộp ở đâu"))[0]
    assert reply["text"] == vi.CHOOSE_PROCEDURE
    titles = [b["title"] for b in reply["buttons"]]
    assert len(titles) >= 2 and all(len(t) <= 20 for t in titles)
    chosen = await say(client, reply["buttons"][0]["payload"])
    assert chosen[0]["text"].startswith("Dạ, thủ tục “Chứng thực")


async def test_dossier_status_by_code_without_personal_data(client: Client) -> None:
    text = (await say(client, "tra cứu hồ sơ 000.00.31.h26 - 261123 - 0002 giúp em"))[0]["text"]
    assert "000.00.31.H26-261123-0002" in text
    assert vi.STATUS_NAMES[9] in text
    assert "Trần Thị Bình" not in text and "0900000002" not in text


async def test_overdue_dossier_apologises_with_reason_and_new_date(client: Client) -> None:
    text = (await say(client, "000.00.31.H26-261117-0004"))[0]["text"]
    assert "xin lỗi" in text
    assert "Cần xác minh thông tin về chỗ ở hợp pháp" in text
    assert "02/12/2026" in text


async def test_unknown_dossier_code(client: Client) -> None:
    text = (await say(client, "hồ sơ H26.41-261101-9999 đến đâu rồi"))[0]["text"]
    assert text.startswith("Dạ, em không tìm thấy hồ sơ mã H26.41-261101-9999")


async def test_status_question_without_code_asks_for_it_then_rejects_a_bad_one(client: Client) -> None:
    assert (await say(client, "hồ sơ của em xong chưa ạ"))[0]["text"] == vi.ASK_DOSSIER_CODE
    assert (await say(client, "1.001193"))[0]["text"] == vi.DOSSIER_CODE_INVALID
    assert "Đang xử lý" in (await say(client, "000.00.31.H26-261124-0003"))[0]["text"]


async def test_out_of_scope_gets_the_polite_fallback(client: Client) -> None:
    text = (await say(client, "thời tiết hôm nay thế nào"))[0]["text"]
    assert text.startswith("Dạ, em chưa hiểu rõ câu hỏi")


async def test_thanks(client: Client) -> None:
    assert (await say(client, "cảm ơn em nhiều nhé"))[0]["text"] == vi.THANKS
