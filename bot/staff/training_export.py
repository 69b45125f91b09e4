"""``python -m bot export-training --since DATE``: the messages officers labelled, as Rasa NLU
examples (data/nlu format) and as proposed procedure aliases, written to a review folder —
never into data/: a person reads them, merges what is right, and retrains (README).

Examples already in the training data, and aliases a procedure already has, are left out.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import yaml

from bot.catalog.records import ProcedureRecord
from bot.catalog.store import read_procedures
from bot.config import ROOT, Settings
from bot.db import command_session
from bot.dialogue.unplaced import MASK
from bot.dossiers.records import VIETNAM
from bot.models import UnplacedMessage
from bot.staff.questions import labelled_since
from nlu.evaluation import read_examples
from nlu.vietnamese import fold

# Asked before and after what names the procedure: left out of a proposed alias.
_LEAD = re.compile(
    r"^(?:(?:ad|admin|anh|chị|em|bạn|cán bộ|xã)\s*(?:ơi|oi)?[\s,!.]*)?"
    r"(?:(?:cho|xin|mình|em|tôi|cháu|con)\s+(?:em\s+|mình\s+|tôi\s+|cháu\s+|con\s+)?(?:hỏi|hỏi chút|hỏi với|muốn hỏi)[\s,:]*)?"
    r"(?:(?:em|mình|tôi|cháu|con)\s+)?(?:muốn|cần|định|đang muốn)?\s*"
)
_TAIL = re.compile(
    r"(?:\s*(?:thì|thế|vậy|thì phải|phải|cần|cần phải|làm|làm sao|như thế nào|thế nào|ra sao|ở đâu|đâu|bao nhiêu tiền|"
    r"bao nhiêu|bao lâu|mất bao lâu|mấy ngày|giấy tờ gì|những giấy tờ gì|hồ sơ gì|gì|được không|không|ko|k|chưa|ạ|à|nhé|nhỉ|"
    r"với|ad|admin|ơi|[?!.,…])\s*)+$"
)
_BRACKETS = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")"})


@dataclass(frozen=True)
class Exported:
    nlu: Path
    aliases: Path
    examples: int
    proposed_aliases: int
    skipped: int  # already in the data, or masked text with nothing left


def proposed_alias(text: str) -> str:
    """The message without what is asked around the name: "cho em hỏi làm giấy chứng sinh ở
    đâu ạ" → "làm giấy chứng sinh". A proposal: the reviewer trims it further."""
    plain = " ".join(unicodedata.normalize("NFC", text).lower().split())
    core = _TAIL.sub("", _LEAD.sub("", plain, count=1)).strip(" ,.;:-")
    return core or plain


def _example(text: str) -> str:
    """One line of a Rasa examples block: one line, no annotation brackets."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_BRACKETS).split())


def write_export(
    messages: Sequence[UnplacedMessage], procedures: Sequence[ProcedureRecord], data_dir: Path, out: Path, since: date, now: datetime
) -> Exported:
    known = {fold(e.text) for file in sorted((data_dir / "nlu").glob("*.yml")) for e in read_examples(file)}
    by_code = {p.code: p for p in procedures}
    examples: dict[str, list[str]] = defaultdict(list)
    aliases: dict[str, list[str]] = defaultdict(list)
    skipped = 0
    for message in messages:
        text = _example(message.text)
        if MASK in text or not text:
            skipped += 1  # a phone or ID number was there: not a sentence to learn from
            continue
        if message.label_intent:
            if fold(text) in known:
                skipped += 1
            else:
                known.add(fold(text))
                examples[message.label_intent].append(text)
        procedure = by_code.get(message.label_procedure or "")
        if procedure is not None:
            alias = proposed_alias(text)
            taken = {fold(a) for a in (procedure.name, *procedure.aliases, *aliases[procedure.code])}
            if fold(alias) in taken:
                skipped += 1
            else:
                aliases[procedure.code].append(alias)
    out.mkdir(parents=True, exist_ok=True)
    heading = f"# Exported by `python -m bot export-training --since {since.isoformat()}` on {now.astimezone(VIETNAM):%Y-%m-%d %H:%M}.\n"
    nlu_path, alias_path = out / "nlu.yml", out / "aliases.yml"
    nlu_path.write_text(heading + _NLU_NOTE + _nlu_yaml(examples), encoding="utf-8")
    entries = [
        {"code": code, "name": by_code[code].name, "file": f"data/procedures/{code}.yml", "aliases": phrases}
        for code, phrases in sorted(aliases.items())
    ]
    alias_path.write_text(heading + _ALIAS_NOTE + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return Exported(nlu_path, alias_path, sum(map(len, examples.values())), sum(map(len, aliases.values())), skipped)


_NLU_NOTE = (
    "# Review each example (is it what the message meant? no name or number left?), then copy\n"
    "# this file into data/nlu/ or its examples under their intents in data/nlu/nlu.yml, and\n"
    "# retrain: python -m nlu train.\n"
)
_ALIAS_NOTE = (
    "# Proposed names for procedures, from messages the bot could not place. Trim each to the\n"
    "# words that name the procedure, then add it under `aliases:` in the file named; the bot\n"
    "# reads the catalogue at start (python -m bot import-procedures, or a restart).\n"
)


def _nlu_yaml(examples: dict[str, list[str]]) -> str:
    lines = ['version: "3.1"', "nlu:"]
    for intent in sorted(examples):
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {text}" for text in examples[intent])]
    if not examples:
        lines[-1] = "nlu: []"
    return "\n".join(lines) + "\n"


async def cmd_export_training(settings: Settings, since: date, out: Path | None) -> int:
    now = datetime.now(UTC)
    target = (out or ROOT / "var" / "training-export" / now.astimezone(VIETNAM).strftime("%Y%m%d-%H%M%S")).resolve()
    if target.is_relative_to(settings.data_dir.resolve()):
        print(f"Not exported: {target} is inside the data folder; export to a review folder and merge by hand.", file=sys.stderr)
        return 2
    async with command_session(settings.database_url) as session:
        messages = await labelled_since(session, datetime.combine(since, time(0), VIETNAM))
        procedures = await read_procedures(session)
    done = write_export(messages, procedures, settings.data_dir, target, since, now)
    print(f"{len(messages)} labelled message(s) since {since.isoformat()}: {done.examples} NLU example(s) in {done.nlu}")
    print(f"{done.proposed_aliases} proposed alias(es) in {done.aliases}; {done.skipped} left out (already known, or masked)")
    return 0
