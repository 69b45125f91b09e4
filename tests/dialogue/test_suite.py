"""The dialogue suite's file and checks (the pass rate itself is asserted with the real NLU
in tests/integration/test_dialogue_suite.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog.loader import load_procedures
from bot.catalog.matcher import ProcedureMatcher
from bot.config import ROOT
from bot.dialogue.evaluation import CaseError, Turn, check, load_cases
from bot.messages import Button, Reply


def test_suite_has_enough_cases_about_known_procedures() -> None:
    cases = load_cases()
    single = [c for c in cases if not c.multi_turn]
    multi = [c for c in cases if c.multi_turn]
    assert len(single) >= 80 and len(multi) >= 15
    known = {p.code for p in load_procedures(ROOT / "data" / "procedures")}
    named = {code for c in cases for t in c.turns for code in (*t.procedures, *t.choices)}
    assert named <= known, named - known


def test_check_finds_a_missing_figure_and_a_wrong_procedure() -> None:
    catalog = ProcedureMatcher(load_procedures(ROOT / "data" / "procedures"))
    reply = Reply("Dạ, lệ phí “Đăng ký kết hôn”:\n• Miễn lệ phí.", (Button("Lệ phí", '/ask_fee{"procedure":"2.000884"}'),))
    assert check(Turn("x", ("1.000894",), ("Miễn lệ phí",), (), ("2.000884",)), [reply], catalog) == []
    problems = check(Turn("x", ("1.001193",), ("10.000 đồng",), ("Miễn",), ("2.000815",)), [reply], catalog)
    assert problems == ["no answer about “Đăng ký khai sinh”", "missing '10.000 đồng'", "unexpected 'Miễn'", "no choice of 2.000815"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("say: hi", "expected a list"),
        ("- expect: x", r"cases.yml\[0\]: a turn needs"),
        ("- name: n\n  turns: []", r"\[0\].turns: expected"),
    ],
)
def test_malformed_cases_are_refused_with_the_case_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "cases.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CaseError, match=message):
        load_cases(path)
