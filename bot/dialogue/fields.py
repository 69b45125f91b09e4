"""Which fields of a procedure a message asks about, when it asks about more than one.

The NLU gives one intent per message; "mỗi cái mất mấy ngày, phí bao nhiêu" asks two
things. Clear phrases (folded, abbreviations expanded) find every field asked, in the
order asked (phrases are regular expressions over folded text). Weak cues ("thủ tục", "làm sao") are left to the NLU: they are in almost
every question. The legal basis has no NLU intent: it is found here only.
"""

from __future__ import annotations

import re

from bot.dialogue.sentences import questions, windows
from nlu.vietnamese import fold, normalize

LEGAL_BASIS = "ask_legal_basis"
# "phải làm thủ tục gì" asks which procedure it is: the overview names it and its conditions.
OVERVIEW = "procedure_overview"
# Questions the NLU has no intent for: found here only, and they outrank the neighbouring
# field the NLU may name ("bao lâu phải khai tử" is the citizen's deadline, not the office's time).
DEADLINE = "ask_deadline"
WHO = "ask_who"
# "hộ" (on someone's behalf) folds like "hộ" (household): "đăng ký hộ kinh doanh", "làm hộ chiếu"
# and "hộ khẩu" name things, they do not ask who may apply for another.
_NOT_HOUSEHOLD = r"(?! so\b| kinh doanh| khau\b| tich\b| chieu\b| ngheo\b| can ngheo| gia dinh| ca the)"
COMPETENT = "ask_competent"
VALIDITY = "ask_validity"

_VERB = r"(?:dang ky|dk|dki|lam|khai|bao|thong bao|nop|di|gia han|xin|cap doi|doi|cham dut|xoa|sua|dieu chinh|cap nhat|chuyen|nhap)"

_PHRASES: dict[str, tuple[str, ...]] = {
    # "chi phí mai táng" names a benefit, not a fee.
    # Benefits: "được bao nhiêu một tháng" asks the amount, shown with the fees.
    "ask_fee": (
        "le phi", "(?<!chi )phi", "bao nhieu tien", "het bao nhieu", "ton bao nhieu", "mat bao nhieu tien", "nop tien",
        "duoc bao nhieu", "duoc nhan bao nhieu", "bao nhieu (?:mot|1) thang", "muc tro cap", "muc ho tro",
        "(?:bi )?mat (?:tien|phi)", "ton (?:tien|phi)", "thu (?:tien|phi)",
    ),
    "ask_processing_time": (
        "bao lau", "may ngay", "bao nhieu ngay", "thoi gian", "thoi han", "bao gio co", "khi nao co", "may hom", "may tuan",
        # Same-day service and its cut-off hour: "nộp trước mấy giờ thì lấy được trong ngày".
        r"(?:nop|den|lam|gui)(?: \w+){0,2} truoc may gio(?: \w+){0,3} (?:lay|co|nhan|xong|tra|duoc)",
        r"(?:lay|nhan|co|tra)(?: duoc)?(?: ket qua| giay)? (?:ngay )?trong ngay",
    ),
    "ask_documents": (
        "giay to gi", "giay to nao", "ho so gom", "can nhung gi", "mang theo gi", "can mang", "chuan bi gi",
        "can gi", "thanh phan ho so", "can nhung giay", "mang gi", "ho so gi", "ho so nhung gi", "giay gi", "giay j",
        "giay to j", "ho so j", "hs j", "hs gi", "hs gom", "can j", "giay to nhung gi", "nop nhung gi", "chuan bi nhung gi",
    ),
    "ask_place": ("o dau", "cho nao", "dia chi", "nop o", "gio lam viec", "noi nop", "di dau"),
    "ask_online": ("online", "truc tuyen", "vneid", "qua mang", "dich vu cong", "tren mang"),
    "ask_postal": ("buu dien", "buu chinh", "gui qua duong"),
    "ask_steps": ("cac buoc", "quy trinh", "trinh tu"),
    OVERVIEW: (r"(?:lam|la|dung|chon|can|phai lam|di lam|xin) (?:thu tuc|tt) (?:gi|nao|j)\b", r"(?:thu tuc|tt) (?:ten )?la (?:gi|j)\b"),
    LEGAL_BASIS: ("can cu", "van ban nao", "luat nao", "nghi dinh nao", "quy dinh o dau", "co so phap ly", "can cu phap ly"),
    # The citizen's own deadline: "must … within how long", "how many days before expiry", "late".
    DEADLINE: (
        r"(?:trong (?:vong |thoi han )?)?(?:bao lau|may ngay|bao nhieu ngay|may thang)(?: thi| la)?(?: moi)?"
        r" (?:phai|bat buoc)(?! (?:cho|doi))",
        rf"phai {_VERB}(?: \w+){{0,6}} (?:trong (?:vong |thoi han )?)?(?:bao lau|may ngay|bao nhieu ngay)",
        # "luật cho tối đa bao nhiêu ngày để đi khai tử", "được mấy ngày để …"
        r"(?:cho|duoc)(?: toi da)? (?:bao nhieu|may) ngay de", r"toi da (?:bao nhieu|may) ngay",
        r"(?:han chot|cham nhat|toi da (?:la )?bao lau (?:phai|de))",
        # "thời hiệu chia di sản là bao lâu": the time after which a right is lost.
        r"thoi hieu", r"(?:luat|phap luat|quy dinh) cho(?: \w+){0,2} (?:thoi han|bao lau|may ngay|bao nhieu ngay)",
        # "bao giờ em tôi mới được ký đồng ý": the earliest time the law allows.
        r"(?:bao gio|khi nao|luc nao)(?: \w+){0,4} moi (?:duoc|dc)\b",
        r"thoi han (?:toi|den|la|cuoi) (?:khi nao|bao gio|ngay nao|luc nao)",
        # "đi bao lâu thì bị xóa hộ khẩu": the time after which the law acts.
        r"bao lau(?: thi| moi)?(?: \w+){0,5}? (?:se )?bi (?:xoa|huy|thu hoi|cat)",
        r"truoc(?: \w+){0,4} (?:bao nhieu|may) ngay", r"truoc may gio", r"truoc (?:bao nhieu|may) tieng",
        r"truoc khi het han (?:bao lau|may ngay)",
        r"(?:bao lau|may ngay|bao nhieu ngay) ke tu", r"ke tu (?:ngay|khi)(?: \w+){0,6} (?:bao lau|may ngay|bao nhieu ngay)",
        r"thoi han (?:phai |de )?(?:dang ky|khai sinh|khai tu|khai bao|thong bao|bao tu|bao(?! lau| nhieu))"
        r"(?:(?: \w+){0,4}? (?:la )?(?:bao lau|may ngay|bao nhieu ngay))?",
        r"qua han(?: \w+){0,3} (?:thi|co|bi|phai)", r"tre han", r"(?:lam|khai|dang ky|di) (?:muon|tre)(?: \w+){0,2} (?:co|thi|bi|duoc)",
        # "giờ mới đi làm khai sinh" (only now): late, what happens.
        r"(?:gio|bay gio|den gio|nay) moi (?:di )?(?:lam|dang ky|dk|khai|bao|gui|nop)",
        r"(?:co )?bi (?:muon|tre|qua han) (?:khong|ko|k|chua)\b",
        r"(?:bi|co bi) phat(?! nguoi)", r"(?:con )?kip khong", r"con (?:duoc )?(?:lam|dang ky|khai) (?:duoc )?khong",
        # A periodic duty: "bao lâu báo cáo một lần", "mấy tháng phải báo một lần".
        r"(?:bao lau|may thang|may nam)(?: thi)?(?: phai)? (?:bao cao|bao|nop|kiem tra)(?: \w+){0,3} (?:1|mot) lan",
    ),
    # Who may or must apply: ages, presence in person, someone else on one's behalf, conditions.
    WHO: (
        r"ai (?:duoc|phai|co the|co quyen|di|dung ra|la nguoi) (?:di |dung ra )?(?:lam|dang ky|nop|khai|yeu cau|ky)",
        # "ai là người giám hộ đương nhiên", "cán bộ nói … ai nói đúng": what the law says of who.
        r"ai (?:la nguoi|se la nguoi|duoc lam|phai lam) (?:giam ho|thua ke|dung ten|chu ho|dai dien)", r"ai noi dung",
        r"(?:\d+|bao nhieu|may) tuoi (?:thi |la |roi |da )?(?:phai|duoc|can|co the|bat buoc)",
        r"(?:da )?(?:phai|can) (?:di )?(?:dang ky|dk|lam|khai)(?: \w+){0,5} chua\b",
        # Consent: "có cần cháu đồng ý không", "phải ký đồng ý"
        r"(?:can|phai|co can|co phai|bat buoc)(?: \w+){0,3} (?:dong y|ky dong y|ky ten dong y)",
        # "có phải đổi không", "có phải đi đăng ký nữa không": whether the law obliges.
        r"co phai (?:di )?(?:doi|lam|dang ky|dk|khai|khai bao|gia han|cap doi|bao)(?: \w+){0,5} (?:khong|ko|k|nua)\b",
        r"co bat buoc (?:khong|ko|k)\b",
        r"(?:co )?thuoc (?:dien|doi tuong)", r"(?:can|phai|co can) (?:them |co )?(?:ai|nguoi nao|nguoi lam chung|may nguoi)\b",
        r"(?:ca|tat ca) (?:\d+|hai|ba|bon|may) nguoi(?: \w+){0,3} (?:dung ten|cung|deu)",
        r"(?:huong|nhan|lanh) (?:ca|tat ca) (?:2|hai|ba)(?: \w+){0,3} hay",
        r"co duoc (?:huong |nhan )?(?:tro cap|ho tro|mien|giam)(?: \w+){0,6} (?:khong|ko|k)\b",
        r"hay chi(?: \w+){1,4} moi (?:duoc|dc)",
        r"(?:huong|nhan) (?:ca|tat ca) (?:2|hai) (?:khoan|loai|che do)",
        r"(?:bao nhieu|may) tuoi", r"du tuoi", r"(?:tu|tren|duoi) (?:bao nhieu|may) tuoi", r"doi tuong (?:nao|gi|duoc|la ai)",
        r"dieu kien (?:gi|nao|de|la gi|the nao|ra sao)", r"(?:co )?du dieu kien", r"dieu kien",
        r"(?:ca hai|ca 2|hai vo chong|2 vo chong|hai ben|ca hai ben|hai nguoi|2 nguoi)(?: \w+){0,2} (?:phai|can|bat buoc)"
        r" (?:co mat|den|di|len|ra)",
        r"(?:phai|can|bat buoc) (?:di|den|len|co mat|ra) (?:ca hai|ca 2|hai nguoi|2 nguoi|ca vo|ca chong|ca hai vo chong)",
        # "có mặt" folds like "có mất" ("có mất tiền không"): only with a word of obligation.
        r"(?:phai|can|bat buoc|co can|co phai)(?: ca hai| ca 2| hai nguoi| 2 nguoi)? (?:co mat|truc tiep (?:di|den|len|ra))",
        r"phai (?:tu |truc tiep )?(?:di|den|len|ra)(?: \w+){0,3} (?:khong|ko|k)\b",
        r"(?:nho|nhan|uy quyen cho|de)(?: \w+){0,4} (?:lam|di|nop|dang ky|xin) (?:thay|ho|giup)",
        r"(?:lam|di|nop|dang ky|ky) (?:thay|ho)\b" + _NOT_HOUSEHOLD, r"(?:mot|1) nguoi(?: \w+){0,4} (?:thay|ho)\b" + _NOT_HOUSEHOLD,
        r"(?:co duoc|duoc) uy quyen", r"co duoc (?:huong|nhan|cap)(?: \w+){0,6} (?:khong|ko|k|chua)\b", r"co duoc (?:lam|dang ky) khong",
        # "chỉ cần thông báo lưu trú hay phải đăng ký tạm trú": which one the law obliges.
        r"(?:chi can|co can|co phai)(?: \w+){1,6} hay (?:la )?(?:phai|can|bat buoc)",
        # "luật có bắt buộc phải đăng ký cho bé không"
        r"(?:co )?bat buoc(?: phai)? (?:dang ky|dk|lam|khai|di|bao|nop|chung thuc|cong chung)",
        # "một mình bên tặng cho ra xã làm được không hay cần cả 2 bên"
        r"(?:mot|1) minh(?: \w+){0,5} (?:lam|di|ky|nop|ra|len)(?: \w+){0,3} (?:duoc|dc) (?:khong|ko|k)\b",
        r"(?:can|phai) ca (?:hai|2) (?:ben|nguoi|vo chong)",
        # "xã xóa thường trú của nó, như vậy có đúng luật không": when the law allows it.
        r"(?:co )?(?:dung|trai) (?:luat|quy dinh|phap luat) (?:khong|ko|k|chua)\b",
    ),
    # Which commune or office is competent: where it happened or where one lives, another commune.
    COMPETENT: (
        r"(?:xa|phuong|uy ban(?: nhan dan)?|ubnd|tinh|huyen|noi)(?: ben)? nao",
        r"noi (?:cu tru|thuong tru|tam tru|sinh|xay ra|co dat|o hien tai|o)",
        r"(?:o|tai|ve|sang) (?:xa|phuong|tinh|noi) khac", r"(?:xa|phuong|tinh) khac", r"khac (?:xa|phuong|tinh)",
        r"(?:ve|o) que (?:lam|dang ky|nop|khai)", r"(?:phai )?ve que", r"tham quyen", r"o dau cung (?:duoc|dc)",
        r"(?:lam|dang ky|nop|khai) (?:o|tai) (?:noi|xa|phuong) (?:minh|dang)",
        # "ra xã ở quê hay phường ở Hà Nội", "đăng ký ở xã hay ở công ty", "phải lên huyện hay tỉnh"
        r"(?:xa|phuong|noi|que)(?: \w+){0,4} hay (?:la )?(?:o |ra |tai |ve )?(?:xa|phuong|noi|o|que|cong ty|cty)\b",
        r"(?:len|ve|o|tai) (?:huyen|tinh)\b(?! \w+ (?:lam|dang ky) (?:thu tuc|ho so))",
        # "làm khai sinh cho con ở xã quê tôi có được không", "có bắt buộc về nơi em thường trú"
        r"(?:lam|dang ky|nop|xin)(?: \w+){0,4} o (?:xa|phuong|que)(?: \w+){0,3} (?:co )?(?:duoc|dc) (?:khong|ko|k)\b",
        r"(?:phai|bat buoc|co bat buoc) (?:ve|len) (?:que|xa|noi|tinh)",
        r"hay (?:la )?(?:phai |can |bat buoc )?(?:ve|len) (?!lai\b)\w+",
        r"noi (?:\w+ )?(?:cu tru|thuong tru|tam tru|dang o)\b",
    ),
    # How long the result stays valid ("tạm trú được tối đa bao lâu thì phải gia hạn").
    VALIDITY: (
        r"(?:duoc|dc) toi da (?:bao lau|may nam|may thang)(?: thi)?(?: phai)? (?:gia han|doi|lam lai)",
        r"(?:gia tri|hieu luc|dung duoc|su dung duoc|co han)(?: su dung)?(?: trong)?"
        r" (?:bao lau|may thang|bao nhieu thang|may nam|bao nhieu lau)",
        r"(?:co )?thoi han su dung", r"(?:con )?(?:gia tri|hieu luc) (?:khong|ko)",
        r"co thoi han (?:su dung )?(?:bao lau|may nam|may thang|bao nhieu (?:nam|thang|lau))",
        r"(?:dung|su dung|xai|co gia tri|co han) (?:duoc )?(?:den|toi) (?:bao gio|khi nao|luc nao|ngay nao|may tuoi|nam nao)",
        r"het han (?:khi nao|sau|chua|ngay nao|luc nao|bao gio)",
        r"bao lau(?: thi)?(?: \w+){0,4}? (?:het hieu luc|het han|mat hieu luc|het gia tri)",
        # "giấy đó còn dùng được không", "giấy phép xài được bao nhiêu năm"
        r"con (?:dung|su dung|xai|nop)(?: duoc)? (?:khong|ko|k|nua khong)\b",
        r"(?:dung|su dung|xai|nop) lai(?: \w+){0,3} (?:duoc|dc) (?:khong|ko|k)\b",
        r"(?:dung|su dung|xai) (?:duoc )?(?:trong )?(?:bao lau|bao nhieu nam|may nam|bao nhieu thang|may thang)",
        # "tạm trú một lần được tối đa bao lâu" (not "tối đa bao lâu phải …", a deadline)
        r"(?:duoc|dc) toi da (?:bao lau|may nam|may thang)(?! (?:phai|de|thi phai|moi phai))",
    ),
}  # fmt: skip
_PATTERNS = [(intent, re.compile(rf"(?<![0-9a-z]){phrase}(?![0-9a-z])")) for intent, phrases in _PHRASES.items() for phrase in phrases]


_NEAR = 20  # characters between two phrases of one question

# "còn tạm trú thì sao?": the same question as before, about another procedure.
_FOLLOW_UP = re.compile(r"^(?:(?:vay|the|da|u|con)\s+)*con\b.*\b(?:thi sao|the nao|sao|thi the nao)(?:\s+(?:a|ad|vay|nhi|nua))*$")


def is_follow_up(text: str) -> bool:
    """Whether ``text`` asks the previous question again about something else ("còn X thì sao")."""
    return _FOLLOW_UP.match(fold(text)) is not None


def asked_fields(text: str) -> list[str]:
    """Field intents clearly asked in ``text``, in the order they appear."""
    folded = fold(normalize(text))
    spans: list[tuple[int, int, str]] = []
    for intent, pattern in _PATTERNS:
        spans.extend((m.start(), m.end(), intent) for m in pattern.finditer(folded))
    # A phrase inside a longer one of another field is part of it ("mất bao nhiêu ngày").
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, intent in sorted(spans, key=lambda s: -(s[1] - s[0])):
        if not any(start < k_end and k_start < end for k_start, k_end, _ in kept):
            kept.append((start, end, intent))
    # "hạn chót là mấy ngày": the time phrase just after a deadline's is part of it, not also a
    # question about the office's processing time ("mất bao lâu, hạn chót là …" asks both).
    law_times = [(a, b) for a, b, intent in kept if intent in (DEADLINE, VALIDITY)]
    kept = [k for k in kept if k[2] != "ask_processing_time" or not any(0 <= k[0] - b <= _NEAR for _, b in law_times)]
    return list(dict.fromkeys(intent for _, _, intent in sorted(kept)))


def fields_asked(text: str) -> list[str]:
    """The fields the question asks: those of the sentences from the end that ask any (story
    before it is not read: "chưa biết ở bao lâu" is not a question), and of earlier questions."""
    last = next((found for window in windows(text) if (found := asked_fields(window))), [])
    earlier = [field for sentence in questions(text) for field in asked_fields(sentence)]
    return list(dict.fromkeys([*earlier, *last]))


# "bà ngoại nhận cháu làm con nuôi được không", "tôi tự tách hộ được không": whether one may.
_MAY = re.compile(
    r"(?<!hoi )(?:duoc|dc)(?: \w+){0,8} (?:khong|ko|k|chua)(?: hay (?:phai|la|con|can)(?: \w+){0,2})?"
    r"(?: (?:a|ad|admin|ah|anh|chi|vay|nhi|ha|the))*\W*$"
)


def asks_whether_allowed(text: str) -> bool:
    """Whether the question sentence ends "… được không" (may one), asking no field by name."""
    last = windows(text)[0]
    return not asked_fields(last) and _MAY.search(fold(normalize(last))) is not None
