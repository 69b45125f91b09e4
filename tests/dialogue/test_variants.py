"""Fee and time lines of the case the question names, when one record covers several."""

from __future__ import annotations

import pytest

from bot.catalog.loader import load_procedures
from bot.catalog.records import ProcedureRecord
from bot.config import ROOT
from bot.dialogue.variants import for_case


@pytest.fixture(scope="module")
def catalogue() -> dict[str, ProcedureRecord]:
    return {p.code: p for p in load_procedures(ROOT / "data" / "procedures")}


def _fees(procedure: ProcedureRecord) -> str:
    return "\n".join(f.text for f in procedure.fees)


def test_a_lost_card_is_the_reissue_fee_not_the_renewal(catalogue: dict[str, ProcedureRecord]) -> None:
    card = catalogue["1.116410"]
    lost = _fees(for_case(card, "mất cccd rồi, làm lại mất bao nhiêu tiền"))
    assert "35.000 đồng" in lost and "25.000 đồng" not in lost
    assert "miễn lệ phí cấp đổi, cấp lại" in lost  # lines of both cases stay
    renewal = _fees(for_case(card, "đổi căn cước hết bao nhiêu"))
    assert "25.000 đồng" in renewal and "35.000 đồng" not in renewal


def test_no_case_or_two_cases_named_keep_every_line(catalogue: dict[str, ProcedureRecord]) -> None:
    card = catalogue["1.116410"]
    assert for_case(card, "làm căn cước hết bao nhiêu") is card
    assert for_case(card, "đổi căn cước hay làm lại thì phí bao nhiêu") is card
    birth = catalogue["1.001193"]  # one case only: nothing to choose
    assert for_case(birth, "làm lại khai sinh") is birth


def test_a_power_of_attorney_by_signature_is_not_the_contract_fee(catalogue: dict[str, ProcedureRecord]) -> None:
    fees = _fees(for_case(catalogue["x.chung-thuc-uy-quyen"], "viết giấy ủy quyền, chứng thực chữ ký mất bao nhiêu"))
    assert "10.000 đồng" in fees and "50.000 đồng" not in fees
