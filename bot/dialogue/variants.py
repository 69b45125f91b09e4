"""The lines of a procedure's fees and times that fit the case the question names.

One record may cover several cases ("Cấp, cấp đổi, cấp lại thẻ căn cước"); "mất căn cước,
làm lại hết bao nhiêu" asks the re-issue fee, and the renewal fee beside it would be a wrong
answer to that question. Lines that name another case and not the one asked are left out;
lines that name no case (exemptions, dates) stay.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.catalog.records import Figure, ProcedureRecord
from nlu.vietnamese import fold, normalize


def _names(text: str, words: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<![a-z]){re.escape(fold(w))}(?![a-z])", text) for w in words)


def for_case(procedure: ProcedureRecord, question: str) -> ProcedureRecord:
    """``procedure`` with only the fee and time lines of the one case ``question`` names."""
    asked = fold(normalize(question))
    named = [v for v in procedure.variants if _names(asked, v)]
    if len(named) != 1:
        return procedure
    others = tuple(w for v in procedure.variants if v is not named[0] for w in v)

    def fits(figures: tuple[Figure, ...]) -> tuple[Figure, ...]:
        kept = tuple(f for f in figures if _names(fold(f.text), named[0]) or not _names(fold(f.text), others))
        return kept or figures

    return replace(procedure, fees=fits(procedure.fees), processing_time=fits(procedure.processing_time))
