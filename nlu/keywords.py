"""A keyword intent guesser: what the bot uses while the Rasa server is down or slow.

It is deliberately simple and conservative: phrases are matched on folded text (no
diacritics), the most specific phrase wins, and anything unclear is a fallback.
"""

from __future__ import annotations

import re

from nlu.dossier_codes import find_codes
from nlu.parse import FALLBACK_INTENT, Entity, Parse
from nlu.vietnamese import fold

# Folded phrases per intent, most specific intents first. Abbreviations citizens use
# (ko, dc, bn, hs, tt) are listed as they are typed.
_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "request_human",
        (
            "gap can bo",
            "noi chuyen voi can bo",
            "gap nguoi that",
            "noi chuyen voi nguoi that",
            "nguoi that tra loi",
            "nhan vien ho tro",
            "tong dai vien",
            "gap truc tiep can bo",
            "chuyen cho can bo",
        ),
    ),
    (
        "unsubscribe",
        (
            "huy theo doi",
            "bo theo doi",
            "dung thong bao",
            "dung nhan thong bao",
            "ngung nhan thong bao",
            "khong nhan thong bao",
            "ngung theo doi",
            "thoi nhan thong bao",
        ),
    ),
    ("subscribe", ("theo doi ho so", "bao cho toi", "bao cho em", "nhan thong bao", "thong bao khi")),
    ("ask_stats", ("bao nhieu ho so", "ty le dung han", "so ho so", "thong ke", "qua han bao nhieu")),
    (
        "check_status",
        (
            "tra cuu",
            "ho so cua toi",
            "ho so cua em",
            "ho so den dau",
            "xong chua",
            "co ket qua chua",
            "tinh trang ho so",
            "trang thai ho so",
            "hs den dau",
        ),
    ),
    (
        "ask_fee",
        (
            "le phi",
            "phi bao nhieu",
            "bao nhieu tien",
            "mat bao nhieu",
            "het bao nhieu",
            "het bn",
            "mat bn",
            "ton bao nhieu",
            "chi phi",
            "mien phi",
            "phi",
        ),
    ),
    (
        "ask_processing_time",
        ("bao lau", "may ngay", "bao nhieu ngay", "mat bao lau", "thoi gian giai quyet", "thoi han", "khi nao co", "bao gio co"),
    ),
    (
        "ask_documents",
        (
            "giay to gi",
            "giay to can",
            "ho so gom",
            "can nhung gi",
            "can mang gi",
            "mang theo gi",
            "thanh phan ho so",
            "can giay to",
            "chuan bi gi",
            "can gi",
            "can j",
        ),
    ),
    ("ask_online", ("truc tuyen", "online", "dich vu cong", "vneid", "qua mang", "tren mang")),
    ("ask_postal", ("buu dien", "buu chinh", "gui qua duong buu", "chuyen phat")),
    ("ask_place", ("o dau", "cho nao", "dia chi", "noi nop", "nop o", "gio lam viec", "may gio", "lam viec gio")),
    ("ask_steps", ("lam sao", "lam the nao", "thu tuc", "cach lam", "quy trinh", "cac buoc", "muon lam", "lam nhu the nao")),
    ("feedback", ("gop y", "phan anh", "khieu nai", "cham qua", "khong hai long", "hai long", "rat tot")),
    ("thank", ("cam on", "thank", "thanks", "tks", "camon")),
    ("goodbye", ("tam biet", "bye", "hen gap lai", "chao nhe")),
    ("greet", ("xin chao", "chao", "hello", "alo", "hi")),
    ("affirm", ("dung roi", "dong y", "vang", "da vang", "ok", "co")),
    ("deny", ("khong phai", "khong", "ko", "sai roi")),
)
_PATTERNS = tuple((intent, tuple(re.compile(rf"(?<![0-9a-z]){re.escape(p)}(?![0-9a-z])") for p in phrases)) for intent, phrases in _PHRASES)
# Greetings, goodbyes and yes/no answers only count at the start of a short message.
_SHORT_ONLY = {"greet", "affirm", "deny", "goodbye"}
_SHORT_WORDS = 6


def keyword_parse(text: str) -> Parse:
    """Guess an intent from keywords; dossier codes are found by their pattern.

    Intents are tried in order (the most specific first); short answers such as "vâng"
    or "không" count only at the start of a short message ("giá vàng" is not "vâng").
    """
    entities = tuple(Entity("dossier_code", c.value, c.start, c.end) for c in find_codes(text))
    folded = fold(text)
    short = len(folded.split()) <= _SHORT_WORDS
    start = len("da ") if folded.startswith("da ") else 0
    found: str | None = None
    for intent, patterns in _PATTERNS:
        for pattern in patterns:
            if intent in _SHORT_ONLY and not short:
                break
            match = pattern.match(folded, start) if intent in _SHORT_ONLY else pattern.search(folded)
            if match is not None:
                found = intent
                break
        if found:
            break
    if entities and found not in {"subscribe", "unsubscribe"}:
        return Parse("check_status", 0.9, entities, source="keywords")
    if found is None:
        return Parse(FALLBACK_INTENT, 0.0, entities, source="keywords")
    return Parse(found, 0.6, entities, source="keywords")
