"""The dialogue suite: citizen questions, single and multi-turn, checked on the bot's answers.

A case is a list of turns; each turn says something and may expect procedure names in
the answer (the procedure chosen), texts in it (the figure asked for), texts not in it,
and buttons offered for given procedures. A case passes when every turn does. Each
case is a new user, so contexts do not leak between cases. Run by
``python -m bot evaluate-dialogue`` and by the integration tests (real Rasa server).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.catalog.matcher import ProcedureMatcher
from bot.config import ROOT, Settings
from bot.messages import InboundMessage, Reply
from bot.runtime import open_runtime
from nlu.vietnamese import nfc

CASES = ROOT / "tests" / "dialogue" / "cases.yml"
# The suite runs as if it were this moment (Vietnam 10:00), so that figures' validity is fixed.
EVALUATION_NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


class CaseError(ValueError):
    """The cases file is malformed; the message names the case."""


@dataclass(frozen=True)
class Turn:
    text: str
    procedures: tuple[str, ...] = ()
    expect: tuple[str, ...] = ()
    expect_not: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    name: str
    turns: tuple[Turn, ...]

    @property
    def multi_turn(self) -> bool:
        return len(self.turns) > 1


@dataclass
class Outcome:
    case: Case
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, (str, int, float)) for v in items):
        raise CaseError(f"{where}: expected text or a list of texts")
    return tuple(nfc(str(v)) for v in items)


def _turn(data: Any, where: str) -> Turn:
    if not isinstance(data, dict) or not isinstance(data.get("say"), str):
        raise CaseError(f"{where}: a turn needs `say: text`")
    return Turn(
        text=data["say"],
        procedures=_strings(data.get("procedure"), f"{where}.procedure"),
        expect=_strings(data.get("expect"), f"{where}.expect"),
        expect_not=_strings(data.get("expect_not"), f"{where}.expect_not"),
        choices=_strings(data.get("choices"), f"{where}.choices"),
    )


def load_cases(path: Path = CASES) -> list[Case]:
    """Cases from YAML: a list of ``{say, procedure, expect, …}`` or ``{name, turns: [...]}``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise CaseError(f"{path}: expected a list of cases")
    cases = []
    for i, item in enumerate(data):
        where = f"{path.name}[{i}]"
        if isinstance(item, dict) and "turns" in item:
            turns = item["turns"]
            if not isinstance(turns, list) or not turns:
                raise CaseError(f"{where}.turns: expected a non-empty list")
            cases.append(Case(str(item.get("name", where)), tuple(_turn(t, f"{where}.turns[{j}]") for j, t in enumerate(turns))))
        else:
            turn = _turn(item, where)
            cases.append(Case(str(item.get("name", turn.text)), (turn,)))
    return cases


def check(turn: Turn, replies: list[Reply], catalog: ProcedureMatcher) -> list[str]:
    """What is wrong with the replies to ``turn`` (nothing when it passes)."""
    text = "\n".join(r.text for r in replies)
    payloads = " ".join(b.payload for r in replies for b in r.buttons)
    problems = []
    for code in turn.procedures:
        procedure = catalog.get(code)
        if procedure is None:
            problems.append(f"procedure {code} is not in the catalogue")
        elif f"“{procedure.name}”" not in text:
            problems.append(f"no answer about “{procedure.name}”")
    # Capitals do not change what an answer says ("Cấp lại" at the start of a name is "cấp lại").
    folded = text.casefold()
    problems += [f"missing {s!r}" for s in turn.expect if s.casefold() not in folded]
    problems += [f"unexpected {s!r}" for s in turn.expect_not if s.casefold() in folded]
    problems += [f"no choice of {code}" for code in turn.choices if f'"{code}"' not in payloads]
    return problems


async def run_cases(cases: Iterable[Case], settings: Settings) -> tuple[list[Outcome], str]:
    """Every case through the real dialogue on a fresh database; outcomes and the NLU used."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(settings, database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'evaluation.db'}", load_demo_data=True)
        async with open_runtime(settings, clock=lambda: EVALUATION_NOW) as runtime:
            catalog = runtime.dialogue.catalogue.procedures
            outcomes = []
            for number, case in enumerate(cases):
                outcome = Outcome(case)
                for turn in case.turns:
                    replies = await runtime.dialogue.handle(InboundMessage("evaluation", f"case-{number}", turn.text))
                    outcome.problems += [f"{turn.text!r}: {p}" for p in check(turn, replies, catalog)]
                outcomes.append(outcome)
            sources = ", ".join(f"{name} {count}" for name, count in sorted(runtime.nlu.sources.items()))
    return outcomes, sources


def report(outcomes: list[Outcome], nlu: str) -> str:
    def rate(items: list[Outcome]) -> str:
        passed = sum(o.passed for o in items)
        return f"{passed}/{len(items)} ({passed / len(items):.1%})" if items else "0/0"

    single = [o for o in outcomes if not o.case.multi_turn]
    multi = [o for o in outcomes if o.case.multi_turn]
    lines = [f"Dialogue suite (parses: {nlu}): passed {rate(outcomes)}; single-turn {rate(single)}; multi-turn {rate(multi)}"]
    for o in outcomes:
        if not o.passed:
            lines.append(f"FAIL {o.case.name}")
            lines += [f"     {p}" for p in o.problems]
    return "\n".join(lines)


def pass_rate(outcomes: list[Outcome]) -> float:
    return sum(o.passed for o in outcomes) / len(outcomes) if outcomes else 0.0
