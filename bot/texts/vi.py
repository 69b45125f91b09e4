"""The bot's words. Placeholders use ``str.format`` names; keep answers short, figure first."""

from __future__ import annotations

# --- small talk -----------------------------------------------------------------------
GREETING = (
    "Dạ, xin chào anh/chị! Em là trợ lý ảo của {agency}.\n"
    "Em có thể giúp anh/chị:\n"
    "• Hướng dẫn thủ tục hành chính: giấy tờ cần nộp, lệ phí, thời gian, nơi nộp;\n"
    "• Tra cứu tình trạng hồ sơ theo mã hồ sơ (ví dụ: 000.00.31.H26-230428-0005).\n"
    "Anh/chị cần hỏi gì ạ?"
)
# Someone followed the OA: the greeting, thanking them for following.
WELCOME = "Dạ, cảm ơn anh/chị đã quan tâm Zalo của bộ phận một cửa. " + GREETING.removeprefix("Dạ, ")
PLEASE_TYPE = (
    "Dạ, hiện em chỉ đọc được tin nhắn chữ. Anh/chị vui lòng gõ câu hỏi (ví dụ: “làm giấy khai sinh cần giấy tờ gì”) "
    "hoặc gửi mã hồ sơ để em tra cứu ạ."
)
THANKS = "Dạ, không có gì ạ. Anh/chị cần hỏi thêm gì cứ nhắn cho em nhé."
GOODBYE = "Dạ, chào anh/chị. Chúc anh/chị một ngày tốt lành!"
AFFIRM = "Dạ vâng ạ. Anh/chị cần em hỗ trợ thêm gì không ạ?"
DENY = "Dạ vâng. Anh/chị cần hỏi thủ tục nào hoặc tra cứu hồ sơ nào ạ?"
FALLBACK = (
    "Dạ, em chưa hiểu rõ câu hỏi của anh/chị. Em có thể giúp:\n"
    "• Hướng dẫn thủ tục (ví dụ: “làm giấy khai sinh cần giấy tờ gì”);\n"
    "• Tra cứu hồ sơ theo mã (ví dụ: “tra cứu hồ sơ 000.00.31.H26-230428-0005”).\n"
    "Anh/chị cũng có thể gọi đường dây nóng {hotline} để được cán bộ hỗ trợ ạ."
)
EMPTY_MESSAGE = "Dạ, anh/chị vui lòng nhập câu hỏi bằng chữ để em hỗ trợ ạ."
TOO_LONG = "Dạ, tin nhắn dài quá {limit} ký tự. Anh/chị vui lòng gửi câu hỏi ngắn gọn hơn giúp em ạ."
NO_HOTLINE = "của bộ phận một cửa"
HUMAN = "Dạ, anh/chị có thể liên hệ trực tiếp cán bộ {agency}:\n• Đường dây nóng: {hotline}\n• Địa chỉ: {address}\n• Giờ làm việc: {hours}"
FEEDBACK_THANKS = "Dạ, em cảm ơn anh/chị đã góp ý. Em đã ghi nhận; anh/chị cũng có thể phản ánh trực tiếp qua đường dây nóng {hotline} ạ."
UNKNOWN = "chưa có thông tin"

# --- procedures ------------------------------------------------------------------------
ASK_WHICH_PROCEDURE = (
    "Dạ, anh/chị muốn hỏi về thủ tục nào ạ? Ví dụ: đăng ký khai sinh, đăng ký kết hôn, chứng thực bản sao, đăng ký thường trú…\n"
    "Nếu em chưa tìm được đúng việc anh/chị cần, anh/chị có thể gặp cán bộ hoặc gọi đường dây nóng {hotline} ạ."
)
REFERRAL = (
    "Dạ, việc “{topic}” không thuộc thẩm quyền giải quyết của {agency} ạ. "
    "Việc này do {handled_by} giải quyết.{how}\n"
    "Nếu cần hỗ trợ thêm, anh/chị có thể gặp cán bộ một cửa ạ."
)
REFERRAL_UNCONFIRMED = "\n(Thông tin về nơi giải quyết đang được xác nhận lại; anh/chị vui lòng hỏi thêm cán bộ trước khi đi ạ.)"
BUTTON_HUMAN = "Gặp cán bộ"
CHOOSE_PROCEDURE = "Dạ, anh/chị muốn hỏi thủ tục nào trong các thủ tục sau ạ?"
PROCEDURE_OVERVIEW = (
    "Dạ, thủ tục “{name}” ({field}) do {implementing_agency} giải quyết.\n"
    "• Thời gian: {time}\n"
    "• Lệ phí: {fee}\n"
    "{deadline}"
    "{who}"
    "Anh/chị muốn biết thêm thông tin nào ạ?"
)
OVERVIEW_DEADLINE = "• Hạn anh/chị phải làm: {deadline}\n"
OVERVIEW_WHO = "• Lưu ý: {who}\n"
DOCUMENTS_HEADER = "Dạ, hồ sơ “{name}” gồm:"
DOCUMENT_LINE = "• {name}{copies}{note}"
DOCUMENT_COPIES = " ({copies} bản)"
DOCUMENT_NOTE = " – {note}"
FEE = "Dạ, lệ phí “{name}”:\n{lines}"
TIME = "Dạ, thời gian giải quyết “{name}”:\n{lines}"
FIGURE_LINE = "• {text}{channels}"
LEGAL_BASES = "Căn cứ: {bases}."
FIGURE_UNCONFIRMED = " (chưa xác nhận)"
FIGURE_SET_LOCALLY = " (mức áp dụng tại địa phương em chưa có)"
# After lines marked as above: whom to ask, once.
FIGURES_ASK = "Những mục chưa xác nhận hoặc chưa có mức, anh/chị vui lòng hỏi {office} ạ."
FIGURE_EXPIRED = (
    "Dạ, thông tin về {what} của thủ tục “{name}” đang được cập nhật. Anh/chị vui lòng hỏi {office} để được trả lời chính xác ạ."
)
PROCEDURE_ABOLISHED = "Dạ, thủ tục “{name}” đã được bãi bỏ từ ngày {day}.{note} Anh/chị vui lòng hỏi {office} về việc cần làm thay thế ạ."
# Who to ask about a procedure: its office by name, with a telephone number when there is one.
OFFICE_GENERIC = {"one_stop": "bộ phận một cửa", "police": "Công an xã", "military": "Ban Chỉ huy quân sự xã"}
OFFICE_WITH_PHONE = "{name} (điện thoại {phone})"
WHAT_FEE = "lệ phí"
WHAT_TIME = "thời gian giải quyết"
CHANNEL_NAMES = {"truc_tiep": "nộp trực tiếp", "truc_tuyen": "nộp trực tuyến", "buu_chinh": "qua bưu chính"}
CHANNELS_ONLY = " ({channels})"
STEPS = "Dạ, các bước thực hiện “{name}”:\n{lines}"
STEP_LINE = "{number}. {text}"
PLACE = (
    "Dạ, thủ tục “{name}” anh/chị nộp tại {implementing_agency}:\n"
    "• {agency}\n"
    "• Địa chỉ: {address}\n"
    "• Giờ làm việc: {hours}\n"
    "• Đường dây nóng: {hotline}"
)
PLACE_UNLISTED = (
    "Dạ, thủ tục “{name}” anh/chị nộp tại {implementing_agency} nơi mình cư trú. Em chưa có địa chỉ và giờ làm việc "
    "của nơi này; anh/chị có thể hỏi bộ phận một cửa {agency} (đường dây nóng {hotline}) ạ."
)
MAP = "\n• Bản đồ: {url}"
PLACE_COMPETENT = "\nLưu ý, theo quy định nơi có thẩm quyền giải quyết là:\n{lines}"
ONLINE_LINK = "\nĐường dẫn: {url}"
ONLINE_YES = "Dạ, thủ tục “{name}” có dịch vụ công trực tuyến {level}: {where}.{note}"
ONLINE_NO = "Dạ, hiện thủ tục “{name}” chưa có thông tin nộp trực tuyến; anh/chị vui lòng nộp trực tiếp tại {implementing_agency}."
POSTAL = "Dạ, về nộp hồ sơ và nhận kết quả qua bưu chính công ích với thủ tục “{name}”: {postal}"
POSTAL_UNKNOWN = "Dạ, em chưa có thông tin về nộp hồ sơ qua bưu chính cho thủ tục “{name}”. Anh/chị vui lòng hỏi {office} ạ."
LEGAL_BASIS = "Dạ, căn cứ pháp lý của thủ tục “{name}”:\n{lines}"
BULLET = "• {text}"
DEADLINES = "Dạ, thời hạn anh/chị cần thực hiện với thủ tục “{name}”:\n{lines}"
WHO = "Dạ, người được làm, phải làm và điều kiện của thủ tục “{name}”:\n{lines}"
COMPETENT = "Dạ, nơi có thẩm quyền giải quyết thủ tục “{name}”:\n{lines}"
VALIDITY = "Dạ, thời hạn sử dụng kết quả của thủ tục “{name}”:\n{lines}"
WHAT_DEADLINES = "thời hạn anh/chị phải thực hiện"
WHAT_WHO = "người được làm, phải làm và điều kiện"
WHAT_COMPETENT = "nơi có thẩm quyền giải quyết"
WHAT_VALIDITY = "thời hạn sử dụng kết quả"
# The catalogue has no answer for the field asked: say so, never answer another field instead.
FIELD_MISSING = (
    "Dạ, em chưa có thông tin đã đối chiếu văn bản về {what} của thủ tục “{name}”, nên em không dám trả lời thay bằng "
    "thông tin khác. Anh/chị vui lòng hỏi {office}. Em có thể trả lời các nội dung dưới đây ạ."
)

# The field asked is empty but a neighbouring field of the law has rules: say so, then offer them.
FIELD_MISSING_RELATED = (
    "Dạ, em chưa có quy định riêng về {what} của thủ tục “{name}”. Các quy định em có về thủ tục này, "
    "anh/chị tham khảo ạ:\n{lines}\n{bases}\nNếu chưa đúng điều anh/chị hỏi, anh/chị vui lòng hỏi {office} ạ."
)

# A re-registration asked for an event registered from 2016 on: the variant that applies instead.
REGISTERED_AFTER = (
    "Dạ, việc đã đăng ký năm {year} thì không làm thủ tục “{name}” được: thủ tục này chỉ dành cho việc đăng ký trước "
    "ngày {day} mà cả Sổ hộ tịch và bản chính đều bị mất ({basis}). Việc đăng ký từ ngày {day} đã có trong cơ sở dữ liệu "
    "hộ tịch, anh/chị làm thủ tục dưới đây ạ."
)

REGISTER_KEPT = (
    "Dạ, sổ hộ tịch còn lưu thì không làm thủ tục “{name}” được: thủ tục này chỉ dành cho trường hợp cả Sổ hộ tịch "
    "và bản chính đều bị mất ({basis}). Khi sổ còn, anh/chị xin cấp bản sao trích lục từ sổ ạ."
)

BUTTON_DOCUMENTS = "Giấy tờ cần nộp"
BUTTON_FEE = "Lệ phí"
BUTTON_TIME = "Thời gian giải quyết"
BUTTON_PLACE = "Nơi nộp hồ sơ"
BUTTON_STEPS = "Các bước thực hiện"
BUTTON_ONLINE = "Nộp trực tuyến"
BUTTON_POSTAL = "Qua bưu điện"
BUTTON_LEGAL_BASIS = "Căn cứ pháp lý"
BUTTON_DEADLINES = "Hạn phải làm"
BUTTON_WHO = "Ai được làm"
BUTTON_COMPETENT = "Làm ở xã nào"
BUTTON_VALIDITY = "Giá trị sử dụng"

# --- dossiers --------------------------------------------------------------------------
ASK_DOSSIER_CODE = (
    "Dạ, anh/chị vui lòng gửi mã hồ sơ ghi trên giấy tiếp nhận hồ sơ và hẹn trả kết quả (ví dụ: 000.00.31.H26-230428-0005) để em tra cứu ạ."
)
DOSSIER_CODE_INVALID = (
    "Dạ, mã hồ sơ anh/chị gửi chưa đúng định dạng. Mã hồ sơ có dạng 000.00.31.H26-230428-0005 "
    "hoặc H26.41-230428-0001, in trên giấy tiếp nhận hồ sơ và hẹn trả kết quả. Anh/chị kiểm tra và gửi lại giúp em ạ."
)
DOSSIER_NOT_FOUND = (
    "Dạ, em không tìm thấy hồ sơ mã {code}. Anh/chị vui lòng kiểm tra lại mã trên giấy hẹn, hoặc gọi đường dây nóng {hotline} ạ."
)
DOSSIER_STATUS = "Dạ, hồ sơ {code}{procedure}:\n• Tình trạng: {status}\n{dates}{advice}"
DOSSIER_PROCEDURE = " ({procedure})"
DOSSIER_RECEIVED = "• Ngày tiếp nhận: {date}\n"
DOSSIER_APPOINTMENT = "• Ngày hẹn trả kết quả: {date}\n"
DOSSIER_NEW_APPOINTMENT = "• Ngày hẹn trả mới: {date}\n"
DOSSIER_FINISHED = "• Ngày có kết quả: {date}\n"
DOSSIER_RETURNED = "• Ngày trả kết quả: {date}\n"
DOSSIER_REASONS = {5: "• Giấy tờ cần bổ sung: {reason}.\n", 3: "• Lý do: {reason}.\n", 8: "• Lý do: {reason}.\n"}
DOSSIER_NOTE_HIDDEN = (
    "• Cán bộ có ghi chú về hồ sơ này; để bảo vệ thông tin của người nộp, ghi chú chỉ hiện sau khi xác nhận (bấm “Xem chi tiết”).\n"
)
FOLLOWED_STATUSES = "Dạ, các hồ sơ anh/chị đang theo dõi:"
STATUS_READY_BY_POST = "Kết quả đã sẵn sàng và sẽ được gửi qua bưu chính công ích đến địa chỉ anh/chị đã đăng ký."
BUTTON_FOLLOW = "Theo dõi hồ sơ"
BUTTON_DETAILS = "Xem chi tiết"
ASK_DIGITS = (
    "Dạ, để bảo vệ thông tin cá nhân, anh/chị vui lòng nhập 4 chữ số cuối của số điện thoại "
    "hoặc số căn cước (CCCD) đã ghi trên hồ sơ {code} ạ."
)
DIGITS_WRONG = "Dạ, 4 chữ số chưa khớp với thông tin trên hồ sơ. Anh/chị còn {left} lần thử ạ."
RATE_LIMITED = (
    "Dạ, anh/chị đã tra cứu mã không có hoặc xác nhận chưa đúng quá nhiều lần. Để bảo vệ thông tin của người dân, "
    "em tạm dừng tra cứu; anh/chị vui lòng thử lại sau {minutes} phút, hoặc gọi đường dây nóng {hotline} ạ."
)
LOOKUPS_LIMITED = (
    "Dạ, trong một giờ qua anh/chị đã tra cứu khá nhiều hồ sơ khác nhau. Để bảo vệ thông tin của người dân, "
    "em tạm dừng tra cứu hồ sơ mới; anh/chị vui lòng thử lại sau {minutes} phút. Các hồ sơ anh/chị đã tra cứu "
    "hoặc đang theo dõi vẫn xem được như thường. Nếu cần gấp, anh/chị gọi đường dây nóng {hotline} ạ."
)
DOSSIER_DIGITS_LOCKED = (
    "Dạ, hôm nay số xác nhận của hồ sơ {code} đã bị nhập sai nhiều lần, nên để bảo vệ thông tin của người nộp, "
    "em tạm khóa việc xác nhận bằng số cho hồ sơ này đến hết ngày. Anh/chị vẫn xem được tình trạng hồ sơ bằng mã; "
    "để xem chi tiết hoặc theo dõi, anh/chị vui lòng quét mã QR trên giấy tiếp nhận hồ sơ, đến bộ phận một cửa "
    "hoặc gọi đường dây nóng {hotline} ạ."
)
DOSSIER_DETAILS = (
    "Dạ, thông tin hồ sơ {code}:\n• Người nộp: {name}\n• Thủ tục: {procedure}\n• Hình thức nộp: {channel}\n• Tình trạng: {status}\n{dates}"
)
CHANNEL_LABELS = {1: "trực tiếp", 2: "trực tuyến", 3: "qua bưu chính công ích"}
FOLLOWING = (
    "Dạ, em đã đăng ký cho anh/chị theo dõi hồ sơ {code}. Khi hồ sơ có kết quả, cần bổ sung giấy tờ hay đổi ngày hẹn, "
    "em sẽ nhắn tin báo. Muốn dừng, anh/chị nhắn “hủy theo dõi” ạ."
)
ALREADY_FOLLOWING = "Dạ, anh/chị đang theo dõi hồ sơ {code} rồi ạ; có thay đổi em sẽ báo ngay."
ASK_CODE_TO_FOLLOW = "Dạ, anh/chị muốn theo dõi hồ sơ nào ạ? Anh/chị gửi giúp em mã hồ sơ ghi trên giấy hẹn trả kết quả."
UNFOLLOWED_ONE = "Dạ, em đã dừng gửi thông báo về hồ sơ {code} cho anh/chị ạ."
UNFOLLOWED_ALL = "Dạ, em đã dừng gửi thông báo về {count} hồ sơ anh/chị đang theo dõi ạ."
NOT_FOLLOWING = "Dạ, hiện anh/chị không theo dõi hồ sơ nào ạ."
RECEIPT_INVALID = (
    "Dạ, mã QR theo dõi hồ sơ này không hợp lệ (có thể đã bị sửa). Anh/chị vui lòng gửi mã hồ sơ trên giấy hẹn để em hướng dẫn theo dõi ạ."
)
DOSSIER_OVERDUE = "Bộ phận một cửa thành thật xin lỗi anh/chị vì hồ sơ chưa được giải quyết đúng hẹn.{reason}{new_date}"
DOSSIER_OVERDUE_REASON = " Lý do: {reason}."
DOSSIER_OVERDUE_NEW_DATE = " Ngày hẹn trả kết quả mới: {date}."
DOSSIER_OVERDUE_NO_DATE = " Cán bộ sẽ thông báo ngày hẹn mới cho anh/chị; anh/chị có thể gọi đường dây nóng {hotline} để hỏi thêm."

STATUS_NAMES = {
    1: "Mới đăng ký",
    2: "Đã được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Cần bổ sung giấy tờ",
    6: "Chờ thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã có kết quả",
    10: "Đã trả kết quả",
}
STATUS_ADVICE = {
    1: "Hồ sơ đang chờ bộ phận một cửa kiểm tra và tiếp nhận.",
    2: "Hồ sơ đã được tiếp nhận và đang được chuyển đến bộ phận giải quyết.",
    3: "Hồ sơ không được tiếp nhận. Anh/chị vui lòng liên hệ bộ phận một cửa (đường dây nóng {hotline}) để biết lý do và cách hoàn thiện hồ sơ.",
    4: "Hồ sơ đang được giải quyết; em sẽ báo khi có kết quả.",
    5: "Hồ sơ cần bổ sung giấy tờ. Anh/chị vui lòng liên hệ bộ phận một cửa (đường dây nóng {hotline}) để được hướng dẫn giấy tờ cần bổ sung.",
    6: "Anh/chị vui lòng thực hiện nghĩa vụ tài chính (nộp thuế, phí, lệ phí) theo thông báo để hồ sơ được tiếp tục giải quyết.",
    7: "Hồ sơ đã được rút theo yêu cầu của anh/chị.",
    8: "Hồ sơ đã dừng xử lý. Anh/chị vui lòng liên hệ bộ phận một cửa (đường dây nóng {hotline}) để biết lý do.",
    9: "Kết quả đã sẵn sàng. Anh/chị vui lòng mang giấy hẹn và giấy tờ tùy thân đến {agency} để nhận, trong giờ làm việc: {hours}. Nếu anh/chị đăng ký nhận qua bưu chính, kết quả sẽ được gửi đến địa chỉ đã đăng ký.",
    10: "Kết quả đã được trả. Cảm ơn anh/chị đã sử dụng dịch vụ.",
}

# --- formats ---------------------------------------------------------------------------
TIME_ON_DATE = "{time} ngày {date}"

# --- console ---------------------------------------------------------------------------
CONSOLE_HELLO = "Trò chuyện với trợ lý (Ctrl-D để thoát; gõ số để chọn nút)."

# --- statistics ----------------------------------------------------------------------------
STATS = (
    "Dạ, kết quả giải quyết hồ sơ của {agency} từ {start} đến {end}:\n"
    "• Tiếp nhận: {received} hồ sơ, trong đó {online} hồ sơ trực tuyến ({online_pct})\n"
    "• Đã giải quyết: {resolved} hồ sơ — đúng hạn {on_time}, trước hạn {early} ({on_time_or_early_pct} đúng và trước hạn), "
    "quá hạn {overdue} ({overdue_pct})\n"
    "• Chưa giải quyết, đã quá hạn: {unresolved_overdue}\n"
    "• Chờ bổ sung giấy tờ: {awaiting_supplement}; dừng xử lý hoặc rút hồ sơ: {stopped_or_withdrawn}\n"
    "• Đánh giá hài lòng: {ratings}"
)
STATS_RATINGS = "{count} lượt, điểm trung bình {average}/5"
STATS_NO_RATINGS = "chưa có lượt đánh giá"
STATS_EMPTY = "Dạ, em chưa có số liệu hồ sơ của {agency} từ {start} đến {end} ạ."
NOT_APPLICABLE = "không áp dụng"
ALL_AGENCIES = "tất cả cơ quan"

# --- satisfaction ----------------------------------------------------------------------------
ASK_RATING = "Dạ, anh/chị có hài lòng với hỗ trợ của em không ạ? Mời anh/chị chấm điểm từ 1 đến 5:"
ASK_RATING_DOSSIER = "Anh/chị đánh giá giúp em mức độ hài lòng khi giải quyết hồ sơ {code} (từ 1 đến 5) ạ:"
RATING_LABELS = {5: "5 - Rất hài lòng", 4: "4 - Hài lòng", 3: "3 - Bình thường", 2: "2 - Chưa hài lòng", 1: "1 - Không hài lòng"}
RATING_THANKS = "Dạ, em cảm ơn anh/chị đã đánh giá {score}/5. Nếu muốn, anh/chị nhắn thêm góp ý để bộ phận một cửa phục vụ tốt hơn ạ."
RATING_COMMENT_THANKS = "Dạ, em đã chuyển góp ý của anh/chị đến cán bộ một cửa. Em cảm ơn anh/chị ạ."
RATING_INVALID = "Dạ, điểm đánh giá là một số từ 1 đến 5 ạ."
RATING_NOT_COUNTED = (
    "Dạ, em cảm ơn anh/chị. Em chỉ ghi nhận điểm đánh giá khi em hỏi: sau một cuộc trò chuyện, hoặc về hồ sơ đã trả kết quả "
    "mà anh/chị đã xác nhận hay đang theo dõi, mỗi người một lần. Nếu có góp ý, anh/chị cứ nhắn, em chuyển đến cán bộ một cửa ạ."
)

# --- notices the bot sends on its own (formal register: Ông/Bà) ------------------------------
NOTICE_GREETING = "Kính gửi Ông/Bà,\n"
NOTICE_FOOTER = "\n(Để dừng nhận thông báo về hồ sơ này, Ông/Bà nhắn “hủy theo dõi {code}”.)"
NOTICE_PROCEDURE = " ({procedure})"
NOTICE_RECEIVED = "{agency} đã tiếp nhận hồ sơ {code}{procedure}.\n• Ngày hẹn trả kết quả: {appointment}\nChúng tôi sẽ nhắn tin khi hồ sơ có kết quả hoặc cần bổ sung giấy tờ."
NOTICE_SUPPLEMENT = (
    "Hồ sơ {code}{procedure} cần bổ sung giấy tờ để được tiếp tục giải quyết.\n"
    "• Giấy tờ cần bổ sung: {papers}\n"
    "• Hạn bổ sung: {due}\n"
    "• Nơi nộp bổ sung: {place}\n"
    "Cần hỗ trợ, Ông/Bà vui lòng gọi đường dây nóng {hotline}."
)
SUPPLEMENT_PAPERS_UNKNOWN = "cán bộ một cửa sẽ hướng dẫn cụ thể khi Ông/Bà liên hệ"
SUPPLEMENT_DUE_UNKNOWN = "chưa ghi trên hệ thống; Ông/Bà vui lòng bổ sung sớm để hồ sơ được giải quyết đúng hẹn"
SUPPLEMENT_PLACE_ONLINE = "trên Cổng Dịch vụ công (mục hồ sơ của Ông/Bà) hoặc trực tiếp tại {office}"
NOTICE_PAYMENT = (
    "Hồ sơ {code}{procedure} đang chờ Ông/Bà thực hiện nghĩa vụ tài chính (nộp thuế, phí, lệ phí) để được tiếp tục giải quyết.{note}\n"
    "Ông/Bà nộp theo số tiền ghi trên thông báo của cơ quan thuế hoặc cơ quan giải quyết: trực tuyến trên Cổng Dịch vụ công quốc gia "
    "(mục thanh toán trực tuyến), qua ngân hàng, hoặc trực tiếp tại {office}. Ông/Bà vui lòng giữ chứng từ nộp tiền để đối chiếu.\n"
    "Cần hỗ trợ, Ông/Bà vui lòng gọi đường dây nóng {hotline}."
)
NOTICE_NOTE = "\n• Nội dung: {note}"
NOTICE_READY = (
    "Hồ sơ {code}{procedure} đã có kết quả.\n"
    "• Nơi nhận: {office}\n"
    "• Giờ làm việc: {hours}\n"
    "Khi đến nhận, Ông/Bà vui lòng mang theo giấy tiếp nhận hồ sơ và hẹn trả kết quả cùng giấy tờ tùy thân."
)
NOTICE_READY_BY_POST = (
    "Hồ sơ {code}{procedure} đã có kết quả. Kết quả sẽ được gửi qua bưu chính công ích đến địa chỉ Ông/Bà đã đăng ký; "
    "nhân viên bưu điện sẽ liên hệ trước khi giao."
)
NOTICE_RETURNED = "Kết quả hồ sơ {code}{procedure} đã được trả cho Ông/Bà. {agency} trân trọng cảm ơn Ông/Bà đã sử dụng dịch vụ."
NOTICE_SURVEY = (
    "Để phục vụ người dân ngày càng tốt hơn, {agency} mong Ông/Bà dành ít phút đánh giá mức độ hài lòng "
    "khi giải quyết hồ sơ {code} (từ 1 đến 5 điểm):"
)
NOTICE_REFUSED = "Hồ sơ {code}{procedure} không được tiếp nhận.\n• Lý do: {reason}\n{whom}"
NOTICE_STOPPED = "Hồ sơ {code}{procedure} đã dừng xử lý.\n• Lý do: {reason}\n{whom}"
NOTICE_REASON_UNKNOWN = "cán bộ sẽ giải thích cụ thể khi Ông/Bà liên hệ"
NOTICE_WHOM = "Để được giải thích và hướng dẫn, Ông/Bà vui lòng liên hệ {office}:\n• Đường dây nóng: {hotline}\n• Giờ làm việc: {hours}"
APOLOGY_TITLE = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ\n"
NOTICE_APOLOGY = (
    "{agency} đã tiếp nhận hồ sơ của Ông/Bà:\n"
    "• Mã hồ sơ: {code}\n"
    "• Thủ tục: {procedure}\n"
    "• Ngày tiếp nhận: {received}\n"
    "• Ngày hẹn trả kết quả: {appointment}\n"
    "Đến nay, hồ sơ chưa được giải quyết đúng hẹn.\n"
    "• Lý do: {reason}\n"
    "{agency} thành thật xin lỗi Ông/Bà vì sự chậm trễ này.\n"
    "{new_date}"
)
APOLOGY_NEW_DATE = "• Ngày hẹn trả kết quả mới: {date}. Rất mong Ông/Bà thông cảm."
APOLOGY_NO_DATE = "Cán bộ sẽ thông báo ngày hẹn trả kết quả mới ngay khi có; Ông/Bà có thể gọi đường dây nóng {hotline} để hỏi thêm."
APOLOGY_REASON_UNKNOWN = "chưa được cập nhật trên hệ thống; Ông/Bà có thể gọi đường dây nóng {hotline} để được giải thích"
NOTICE_NEW_DATE = (
    "Hồ sơ {code}{procedure} có ngày hẹn trả kết quả mới: {date}.{reason}\n"
    "{agency} một lần nữa xin lỗi Ông/Bà vì sự chậm trễ và mong Ông/Bà thông cảm."
)
NOTICE_NEW_DATE_REASON = " Lý do: {reason}."
NOT_KNOWN = "chưa có thông tin"

# The web chat's header while the bot parses with keywords (bot/nlu_mode.py); none with Rasa.
NLU_STARTING = (
    "Trợ lý đang khởi động bộ hiểu ngôn ngữ{eta}. Trong lúc chờ, trợ lý vẫn trả lời theo từ khóa nên có thể chưa hiểu hết những câu dài."
)
NLU_STARTING_ETA = " (còn khoảng {minutes} phút)"
NLU_STARTING_ETA_SOON = " (còn chưa đầy 1 phút)"
NLU_KEYWORDS = "Bộ hiểu ngôn ngữ đang tạm ngừng: trợ lý trả lời theo từ khóa nên có thể chưa hiểu hết những câu dài."

# Hand-off to an officer (bot/staff/handoffs.py): what the citizen is told.
HANDOFF_NOW = (
    "Em đã chuyển cuộc trò chuyện cho cán bộ {agency}; cán bộ sẽ trả lời anh/chị ngay tại đây, anh/chị vui lòng chờ trong giây lát."
)
HANDOFF_LATER = (
    "Em đã chuyển cuộc trò chuyện cho cán bộ {agency}. Hiện đang ngoài giờ làm việc; cán bộ sẽ trả lời anh/chị tại đây "
    "từ {when}. Nếu cần gấp, anh/chị gọi đường dây nóng {hotline}."
)
HANDOFF_AFTER_FAILURES = "Em xin lỗi vì chưa hiểu được câu hỏi của anh/chị. "
HANDOFF_AFTER_LOW_RATING = "Em rất tiếc vì anh/chị chưa hài lòng. "
HANDOFF_JOINED = "Dạ, cán bộ {agency} đã vào cuộc trò chuyện và sẽ trả lời anh/chị ngay tại đây."
HANDOFF_BACK = "Dạ, cán bộ đã kết thúc cuộc trò chuyện. Trợ lý tự động tiếp tục hỗ trợ anh/chị; anh/chị cứ hỏi tiếp bất cứ lúc nào ạ."
HANDOFF_WHEN = "{time} {weekday} ngày {date}"
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

# --- public report and dashboard (bot/web/report.py, bot/staff/dashboard.py) ----------------
REPORT_MONTH = "Tháng {month}/{year}"
REPORT_QUARTER = "Quý {roman}/{year}"
REPORT_SO_FAR = " (tính đến ngày {day})"
REPORT_SENTENCE = (
    "Tiếp nhận {received} hồ sơ. Đã giải quyết {resolved} hồ sơ, trong đó giải quyết đúng hạn {on_time} hồ sơ, "
    "trước hạn {early} hồ sơ, đạt {on_time_or_early_pct}; giải quyết quá hạn {overdue} hồ sơ, chiếm {overdue_pct}. "
    "Trong số {received} hồ sơ tiếp nhận, có {online} hồ sơ được tiếp nhận và giải quyết qua dịch vụ công trực tuyến ({online_pct})."
)
REPORT_UNRESOLVED_OVERDUE = "Còn {count} hồ sơ chưa giải quyết đã quá hạn hẹn trả."
REPORT_SATISFACTION = "Khảo sát sự hài lòng: {count} lượt đánh giá, điểm trung bình {average}/5."
REPORT_NO_SATISFACTION = "Khảo sát sự hài lòng: chưa có lượt đánh giá."
REPORT_EMPTY = "Chưa có hồ sơ tiếp nhận trong kỳ này."
DELAY_CATEGORIES = {
    "supplement": "Chờ người dân bổ sung, hoàn thiện hồ sơ",
    "verification": "Xác minh, niêm yết, thẩm định, lấy ý kiến",
    "coordination": "Phối hợp, liên thông với cơ quan khác",
    "system": "Sự cố phần mềm, hệ thống",
    "workload": "Quá tải, thiếu cán bộ",
    "other": "Lý do khác",
    "none": "Chưa ghi lý do",
}
CHART_RECEIVED = "Tiếp nhận"
CHART_RESOLVED = "Đã giải quyết"
CHART_ON_TIME = "Đúng hạn"
CHART_EARLY = "Trước hạn"
CHART_OVERDUE = "Quá hạn"
CHART_ONLINE_PCT = "Tỷ lệ trực tuyến"
CHART_RATING = "Điểm hài lòng trung bình"
CHART_TREND = "Hồ sơ tiếp nhận và đã giải quyết theo tháng"
CHART_OUTCOMES = "Kết quả giải quyết theo tháng"
CHART_ONLINE = "Tỷ lệ hồ sơ trực tuyến theo tháng (%)"
CHART_SATISFACTION = "Điểm hài lòng trung bình theo tháng (trên 5)"

# --- unanswered questions (bot/staff/questions.py): what officers pick as a message's meaning ----
INTENT_NAMES = {
    "ask_documents": "Hỏi giấy tờ cần nộp",
    "ask_fee": "Hỏi lệ phí",
    "ask_processing_time": "Hỏi thời gian giải quyết",
    "ask_place": "Hỏi nơi nộp hồ sơ",
    "ask_steps": "Hỏi trình tự, các bước",
    "ask_online": "Hỏi nộp trực tuyến",
    "ask_postal": "Hỏi nộp, nhận qua bưu điện",
    "ask_stats": "Hỏi số liệu giải quyết hồ sơ",
    "check_status": "Tra cứu tình trạng hồ sơ",
    "subscribe": "Đăng ký nhận thông báo hồ sơ",
    "unsubscribe": "Hủy nhận thông báo",
    "request_human": "Muốn gặp cán bộ",
    "feedback": "Góp ý, phản ánh",
    "greet": "Chào hỏi",
    "thank": "Cảm ơn",
    "goodbye": "Tạm biệt",
    "affirm": "Đồng ý",
    "deny": "Không đồng ý",
    "out_of_scope": "Ngoài phạm vi của trợ lý",
}
UNPLACED_REASONS = {
    "fallback": "Trợ lý không hiểu",
    "no_procedure": "Không tìm được thủ tục",
    "failed_twice": "Không hiểu lần thứ hai, chuyển cán bộ",
}
