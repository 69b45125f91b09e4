"""Conversations through the REST channel with the NLU server down: keywords, catalogue, context."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from pytest_aiohttp.plugin import AiohttpClient

from bot.app import create_app
from bot.config import Settings
from bot.texts import vi
from tests.conftest import DEMO_NOW, say

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


async def test_overdue_dossier_apologises_with_new_date_and_the_reason_after_confirming(client: Client) -> None:
    code = "000.00.31.H26-261117-0004"
    text = (await say(client, code))[0]["text"]
    # A code alone: the apology and the new date, not what officers wrote (it may be private).
    assert "xin lỗi" in text and "02/12/2026" in text
    assert "Cần xác minh thông tin về chỗ ở hợp pháp" not in text and vi.DOSSIER_NOTE_HIDDEN.strip() in text
    await say(client, f'/dossier_details{{"code":"{code}"}}')
    await say(client, "0004")  # the last digits of the applicant's phone: confirmed
    assert "Cần xác minh thông tin về chỗ ở hợp pháp" in (await say(client, code))[0]["text"]


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


async def test_two_procedures_and_two_fields_in_one_message(client: Client) -> None:
    text = "\n".join(
        r["text"] for r in await say(client, "trích lục khai sinh với chứng thực chữ ký thì mỗi cái mất mấy ngày, phí bao nhiêu")
    )
    for expected in ("thời gian giải quyết “Cấp bản sao trích lục hộ tịch”", "lệ phí “Cấp bản sao trích lục hộ tịch”", "8.000 đồng"):
        assert expected in text
    for expected in ("thời gian giải quyết “Chứng thực chữ ký", "lệ phí “Chứng thực chữ ký", "10.000 đồng"):
        assert expected in text


async def test_picking_an_offered_choice_by_number(client: Client) -> None:
    offered = (await say(client, "phí chứng thực bao nhiêu"))[0]
    second = offered["buttons"][1]["payload"]
    text = (await say(client, "chọn số 2"))[0]["text"]
    assert (await say(client, second, sender="other"))[0]["text"] == text
    assert text.startswith("Dạ, lệ phí “")


async def test_context_refines_a_short_question_and_switches_on_a_new_name(client: Client) -> None:
    await say(client, "đăng ký thường trú cần giấy tờ gì")
    assert (await say(client, "xóa thì làm thế nào"))[0]["text"].startswith("Dạ, các bước thực hiện “Xóa đăng ký thường trú”")
    assert "“Đăng ký khai tử”" in (await say(client, "nhầm, tôi hỏi khai tử cơ"))[0]["text"]


async def test_matter_handled_elsewhere_says_who_and_offers_an_officer(client: Client) -> None:
    reply = (await say(client, "em muốn ly hôn thì nộp đơn ở đâu ạ"))[0]
    assert "không thuộc thẩm quyền" in reply["text"] and "Tòa án" in reply["text"]
    assert [b["payload"] for b in reply["buttons"]] == ["/request_human"]
    assert (await say(client, "/request_human"))[0]["text"].startswith("Dạ, anh/chị có thể liên hệ trực tiếp cán bộ")


async def test_police_procedure_is_placed_at_the_commune_police(client: Client) -> None:
    text = (await say(client, "đăng ký tạm trú nộp ở đâu"))[0]["text"]
    assert "Công an cấp xã" in text


async def test_context_expires_after_the_configured_idle_time(aiohttp_client: AiohttpClient, settings: Settings) -> None:
    now = [DEMO_NOW]
    client = await aiohttp_client(create_app(replace(settings, context_idle=timedelta(minutes=5)), lambda: now[0]))
    await say(client, "đăng ký kết hôn cần giấy tờ gì")
    now[0] += timedelta(minutes=4)
    assert "“Đăng ký kết hôn”" in (await say(client, "mất mấy ngày"))[0]["text"]
    now[0] += timedelta(minutes=6)
    assert (await say(client, "mất mấy ngày"))[0]["text"].startswith(vi.ASK_WHICH_PROCEDURE[:40])
