"""A turn about procedures: which procedure(s), which field(s), with the conversation's context.

The order of the decisions:
1. a button (payload) or a pick from the choices offered ("chọn số 2", "2", "cái thứ hai");
2-4. read in the question sentence, else in it and the sentences before, nearest first (a
   story does not outweigh the question; it may name the variant: "bố tôi là thương binh …
   trợ cấp mai táng"):
2. several procedures named separately ("trích lục khai sinh với chứng thực chữ ký");
3. one procedure named clearly (this also switches: "nhầm, tôi hỏi khai tử cơ");
4. a matter another body handles ("ly hôn") — say who, offer an officer;
   then the year of the event may pick the variant (re-registration only before 2016);
5. one procedure whose names share clearly the most words with the message, though no name is
   whole in it ("bạn ở quê lên ngủ lại vài đêm, có phải báo công an");
6. the context's procedure refined by the message ("xóa thì làm thế nào" after thường trú);
7. the context's procedure itself ("còn lệ phí thì sao?");
8. close candidates → ask which one; nothing → ask, and offer an officer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from bot.catalog.catalogue import Catalogue
from bot.catalog.matcher import Candidate
from bot.catalog.records import ProcedureRecord, RegisteredBefore
from bot.dialogue.context import Context
from bot.dialogue.fields import COMPETENT, DEADLINE, OVERVIEW, VALIDITY, WHO, asks_whether_allowed, fields_asked, is_follow_up
from bot.dialogue.procedure_answers import FIELD_INTENTS, answer, answers, choice_buttons
from bot.dialogue.sentences import windows
from bot.dialogue.unplaced import UNPLACED
from bot.dialogue.variants import for_case
from bot.formatting import hotline
from bot.messages import Button, Reply
from bot.payloads import make_payload
from bot.texts import vi
from nlu.parse import Parse
from nlu.vietnamese import fold

_NEIGHBOURS = {
    DEADLINE: ("ask_processing_time",),
    VALIDITY: ("ask_processing_time",),
    WHO: ("ask_documents", "ask_steps", OVERVIEW),
    COMPETENT: (OVERVIEW,),
    OVERVIEW: ("ask_steps",),  # "phải làm thủ tục gì" is which procedure, not its steps
}

# Context keys (beside the procedure and the pending question).
CHOICES = "choices"
FIELD = "field"

_REGISTERING = ("lam", "dang ky", "dk", "cap")
# "sổ đăng ký năm đó vẫn còn lưu": re-registration needs the register lost too.
_NOT = r"(?<!khong )(?<!ko )(?<!k )(?<!chang )"
# The civil-status register, not another "sổ" (đỏ, hộ khẩu, tiết kiệm): "sổ gốc", "sổ lưu ở xã".
_REGISTER_BOOK = r"(?:\bso (?:goc|ho tich|luu|dang ky|khai sinh|ket hon|khai tu|nam do|o xa|cua xa|xa)|ban goc)"
_KEPT = re.compile(
    rf"{_REGISTER_BOOK}(?: \w+){{0,6}} (?:van |cung )?{_NOT}con (?:luu|giu|nguyen|day du)|{_NOT}con (?:luu|giu) (?:so|ban goc)"
    rf"|{_REGISTER_BOOK}(?: \w+){{0,3}} van con\b(?! (?:ten|thieu|no))"
    r"|\bso (?:van |cung )?con (?:luu|giu)\b"  # "khai sinh năm 2012 ở xã này và sổ vẫn còn lưu"
    rf"|\b(?:xa )?van con (?:luu |giu )?(?:so|ban goc)\b(?! do)"  # "xã vẫn còn sổ gốc lưu"
)
# "xã báo sổ lưu cũng không còn", "cả bản chính và sổ gốc đều mất": the register is lost.
_GONE = re.compile(
    rf"{_REGISTER_BOOK}(?: \w+){{0,5}} (?:cung |deu |bi )*(?:khong con|ko con|k con|mat|that lac|hu het|bi hu|chay)\b"
    r"|\bxa (?:cung |deu )?(?:khong|ko|k) con (?:luu |giu )?(?:so|ban goc)\b(?! do)"
    r"|\bso (?:cung |deu )?(?:bi )?(?:hu|hong|chay|mat|that lac)\b"  # "xã cũng báo sổ bị hư hết"
)


def _event_year(folded: str, rule: RegisteredBefore, today: date) -> int | None:
    """The earliest year written (in ``folded`` text) just after a word of the event or of registering it."""
    words = "|".join(re.escape(w) for w in (*(fold(e) for e in rule.event_words), *_REGISTERING))
    pattern = rf"(?<![a-z])(?:{words})(?![a-z])(?:\s+\S+){{0,4}}?\s+(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-])?((?:19|20)\d\d)(?!\d)"
    years = [int(y) for y in re.findall(pattern, folded) if int(y) <= today.year]
    return min(years) if years else None


_NUMBER_WORDS = {"mot": 1, "nhat": 1, "dau": 1, "dau tien": 1, "hai": 2, "nhi": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5}
_NUMBER_WORDS |= {"sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10}
_PICK = re.compile(
    r"^(?:(?:da|vang|uh|u|ok)\s+)?(?:(?:toi|em|minh|anh|chi)\s+)?(?:(?:chon|lay|hoi)\s+)?"
    r"(?:(?:so|cai|muc|y|phuong an|lua chon|thu tuc)\s+)?(?:thu\s+)?(?P<n>\d{1,2}|dau tien|[a-z]+)"
    r"(?:\s+(?:a|nhe|nha|di|day|ak))*$"
)


@dataclass(frozen=True)
class _Found:
    procedures: tuple[ProcedureRecord, ...] = ()
    candidates: tuple[ProcedureRecord, ...] = ()
    reply: Reply | None = None  # a matter handled elsewhere


def picked_choice(text: str, choices: list[str]) -> str | None:
    """The code the citizen picks from the numbered ``choices`` ("chọn số 2"), if any."""
    match = _PICK.match(fold(text))
    if not match or not choices:
        return None
    raw = match.group("n")
    number = int(raw) if raw.isdecimal() else _NUMBER_WORDS.get(raw)
    if raw == "cuoi":
        number = len(choices)
    return choices[number - 1] if number is not None and 1 <= number <= len(choices) else None


class ProcedureTurn:
    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue

    def respond(self, text: str, parse: Parse, context: Context, today: date) -> list[Reply] | None:
        """Replies about procedures, or ``None`` when the message is not about one."""
        fields = self._fields(text, parse, context)
        found, note = self._by_story_facts(text, self._find(text, parse, context), today)
        if found.reply is not None:
            return [found.reply]
        if found.procedures and asks_whether_allowed(text) and all(p.who for p in found.procedures):
            # "… được không" after a story: the conditions, and the time limits, say whether one may.
            fields = [WHO, DEADLINE] if all(p.deadlines for p in found.procedures) else [WHO]
        if not fields:
            # An unclear message: a procedure named (or picked) answers the question pending,
            # else the last field asked, else gets its overview; anything else is not ours.
            if not found.procedures and not found.candidates:
                return None
            fields = [context.pending_intent or context.extra.get(FIELD) or OVERVIEW]
        procedures = found.procedures
        if not procedures and not found.candidates and context.procedure_code:
            current = self._catalogue.procedures.get(context.procedure_code)
            procedures = (current,) if current else ()
        if procedures:
            replies = self._answer(tuple(for_case(p, text) for p in procedures), fields, context, today)
            return [replace(replies[0], text=f"{note}\n\n{replies[0].text}"), *replies[1:]] if note else replies
        context.pending_intent = fields[0]
        office = self._catalogue.office
        if found.candidates:
            context.extra[CHOICES] = [p.code for p in found.candidates]
            return [Reply(vi.CHOOSE_PROCEDURE, choice_buttons(fields[0], list(found.candidates)))]
        context.extra[UNPLACED] = "no_procedure"  # a question about a procedure the catalogue could not find
        return [Reply(vi.ASK_WHICH_PROCEDURE.format(hotline=hotline(office)), (Button(vi.BUTTON_HUMAN, make_payload("request_human")),))]

    def names_something(self, text: str) -> bool:
        """Whether ``text`` clearly names procedures or a matter handled elsewhere (as :meth:`_find` reads it)."""
        return any(self._named(window)[0] is not None for window in windows(text))

    def _fields(self, text: str, parse: Parse, context: Context) -> list[str]:
        """The fields asked: those asked in so many words, then the NLU's intent if it is one.

        "còn tạm trú thì sao?" asks the previous question again.
        """
        nlu = [parse.intent] if parse.intent in FIELD_INTENTS or parse.intent == OVERVIEW else []
        if parse.source == "payload":
            return nlu
        said = [f for f in fields_asked(text) if f in FIELD_INTENTS or f == OVERVIEW]
        previous = context.extra.get(FIELD)
        if not said and previous and is_follow_up(text):
            return [previous]
        # The NLU has no intent for the fields of the law: the field it names for such a question
        # is often the neighbour ("bao lâu phải khai tử" read as the processing time): not asked.
        neighbours = {n for f in said for n in _NEIGHBOURS.get(f, ())}
        return list(dict.fromkeys([*said, *(f for f in nlu if f not in neighbours)]))

    def _find(self, text: str, parse: Parse, context: Context) -> _Found:
        matcher = self._catalogue.procedures
        code = parse.first("procedure") if parse.source == "payload" else picked_choice(text, context.extra.get(CHOICES) or [])
        if code:
            procedure = matcher.get(code)
            return _Found((procedure,) if procedure else ())
        if parse.source == "payload":
            return _Found()
        # The question sentence decides; the story before it is read only when it names nothing.
        asked: list[ProcedureRecord] | None = None  # what the question sentence itself leans to, best first
        for window in windows(text):
            found, candidates = self._named(window)
            asked = [c.procedure for c in candidates] if asked is None else asked
            if found is not None and candidates and found.procedures == (candidates[0].procedure,) and window != text:
                return _Found((matcher.narrower(text, candidates[0]) or candidates[0].procedure,))  # the story may say which variant
            named = [p for p in asked if p in found.procedures] if found is not None else []
            if found is not None and len(found.procedures) > 1 and named and named[0] == asked[0]:
                # "… Sửa lỗi sai sót này lệ phí bao nhiêu?": not every contract the story names; but when
                # the question leans to several of them ("muốn hòa giải thì nộp đơn ở đâu" after a land
                # dispute), the story's fullest name decides.
                return _Found((named[0] if len(named) == 1 else found.procedures[0],))
            if found is not None:
                return found
        for window in windows(text):  # no name whole: the words of a situation ("ngủ lại vài đêm")
            if (likely := matcher.likely(window)) is not None:
                return _Found((likely,))
        if context.procedure_code and (current := matcher.get(context.procedure_code)) is not None:
            refined = matcher.refine(text, current)
            if refined is not None:
                return _Found((refined,))
            if not candidates or any(c.procedure.code == current.code for c in candidates):
                return _Found()  # the context's procedure answers
        return _Found(candidates=tuple(c.procedure for c in candidates))

    def _named(self, text: str) -> tuple[_Found | None, list[Candidate]]:
        """What ``text`` names clearly (procedures or a matter handled elsewhere), and the candidates."""
        matcher = self._catalogue.procedures
        several = matcher.choose_several(text)
        if len(several) > 1:
            return _Found(tuple(several)), []
        procedure, candidates = matcher.choose(text)
        # A matter handled elsewhere: when no procedure is named completely, or when it is named
        # more fully than the procedure ("kết hôn ở đại sứ quán" is more than "kết hôn").
        referral = self._catalogue.referrals.find(text)
        named = [c for c in candidates if c.complete]
        if referral is not None and (not named or any(c.words < referral.words for c in named[:1])):
            return _Found(reply=self._referral_reply(referral.referral.code)), candidates
        return (_Found((procedure,)) if procedure is not None else None), candidates

    def _by_story_facts(self, text: str, found: _Found, today: date) -> tuple[_Found, str | None]:
        """The variant the story's facts pick (the year of the event, the register lost or kept), and what to say.

        "giấy khai sinh làm năm 2019 bị mất, có phải đăng ký lại không": re-registration is
        only for events registered before 2016, a later one has its extract copied; "sinh năm
        1992 … có lại giấy khai sinh" is the re-registration. "bố mất năm 2020" says nothing
        about when his birth was registered.
        """
        matcher = self._catalogue.procedures
        folded = fold(text)
        kept, gone = _KEPT.search(folded) is not None, _GONE.search(folded) is not None
        if len(found.procedures) == 1 and (kept or gone):
            # "cưới năm 1990, giấy mất hết, sổ lưu cũng không còn — muốn có giấy kết hôn": the
            # re-registration (checked below, with the register kept: the extract copy instead).
            for again in matcher.procedures:
                rule = again.registered_before
                if rule is not None and rule.general == found.procedures[0].code:
                    year = _event_year(folded, rule, today)
                    found = _Found((again,)) if kept or year is None or year < rule.day.year else found
        if len(found.procedures) == 1 and (rule := found.procedures[0].registered_before) is not None:
            year, other, name = _event_year(folded, rule, today), matcher.get(rule.otherwise), found.procedures[0].name
            if other is None:
                return found, None
            if kept:  # the register is still there: nothing to re-register
                return _Found((other,)), vi.REGISTER_KEPT.format(name=name, basis=rule.legal_basis)
            if year is None or year < rule.day.year:
                return found, None
            day = rule.day.strftime("%d/%m/%Y")
            return _Found((other,)), vi.REGISTERED_AFTER.format(year=year, name=name, day=day, basis=rule.legal_basis)
        codes = {c.code for c in found.candidates}
        for candidate in found.candidates:
            rule = candidate.registered_before
            if gone and rule is not None and (rule.general in codes or rule.otherwise in codes):
                year = _event_year(folded, rule, today)
                if year is None or year < rule.day.year:  # "cưới năm 90 … xã cũng không còn sổ"
                    return _Found((candidate,)), None
        for candidate in found.candidates:
            rule = candidate.registered_before
            if rule is not None and rule.otherwise in codes and kept:
                copy = matcher.get(rule.otherwise)
                return (_Found((copy,)) if copy else found), None
            if rule is not None and rule.otherwise in codes and (year := _event_year(folded, rule, today)) is not None:
                chosen = candidate if year < rule.day.year else matcher.get(rule.otherwise)
                return (_Found((chosen,)) if chosen else found), None
        return found, None

    def _referral_reply(self, code: str) -> Reply:
        referral = self._catalogue.referrals.get(code)
        office = self._catalogue.office
        how = f"\n{referral.how}" if referral.how else ""
        unconfirmed = vi.REFERRAL_UNCONFIRMED if not referral.confirmed else ""
        text = vi.REFERRAL.format(topic=referral.topic, agency=office.name, handled_by=referral.handled_by, how=how)
        return Reply(text + unconfirmed, (Button(vi.BUTTON_HUMAN, make_payload("request_human")),))

    def _answer(self, procedures: tuple[ProcedureRecord, ...], fields: list[str], context: Context, today: date) -> list[Reply]:
        office = self._catalogue.office
        context.procedure_code = procedures[0].code
        context.pending_intent = None
        context.extra[FIELD] = fields[-1]
        if len(procedures) == 1 and len(fields) == 1:
            context.extra.pop(CHOICES, None)
            return [answer(fields[0], procedures[0], office, today)]
        if len(procedures) > 1:
            context.extra[CHOICES] = [p.code for p in procedures]
        else:
            context.extra.pop(CHOICES, None)
        return [answers(fields, list(procedures), office, today)]
