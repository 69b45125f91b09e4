"""Ratings after a conversation or a returned dossier, their comments, feedback; and the report."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.config import Settings
from bot.db import make_engine, make_sessions
from bot.dossiers.stats import compute
from bot.models import FeedbackMessage, Rating
from bot.texts import vi
from tests.conftest import say

Client = TestClient[Any, Any]
RETURNED = "000.00.31.H26-261120-0001"  # demo dossier, status 10


async def _rows(settings: Settings) -> tuple[list[Rating], list[FeedbackMessage]]:
    engine = make_engine(settings.database_url)
    try:
        async with make_sessions(engine)() as session:
            return list(await session.scalars(select(Rating))), list(await session.scalars(select(FeedbackMessage)))
    finally:
        await engine.dispose()


async def test_rating_a_returned_dossier_with_a_comment(client: Client, settings: Settings) -> None:
    reply = (await say(client, RETURNED))[0]  # a code alone: not asked (anyone may know a code)
    assert vi.ASK_RATING_DOSSIER.format(code=RETURNED) not in reply["text"]
    assert [b["title"] for b in reply["buttons"]] == [vi.BUTTON_DETAILS]
    await say(client, reply["buttons"][0]["payload"])
    reply = (await say(client, "0001"))[0]  # confirmed: the details, and the question
    assert "Người nộp" in reply["text"] and vi.ASK_RATING_DOSSIER.format(code=RETURNED) in reply["text"]
    four = next(b["payload"] for b in reply["buttons"] if b["title"] == vi.RATING_LABELS[4])
    assert (await say(client, four))[0]["text"] == vi.RATING_THANKS.format(score=4)
    assert (await say(client, four.replace('"4"', '"1"'), sender="stranger"))[0]["text"] == vi.RATING_NOT_COUNTED
    assert (await say(client, "cán bộ nhiệt tình nhưng phải chờ hơi lâu"))[0]["text"] == vi.RATING_COMMENT_THANKS
    [rating], _ = await _rows(settings)
    assert (rating.score, rating.comment, rating.agency_code, rating.dossier_id is not None) == (
        4,
        "cán bộ nhiệt tình nhưng phải chờ hơi lâu",
        "dan-phuong",
        True,
    )
    engine = make_engine(settings.database_url)
    try:
        async with make_sessions(engine)() as session:
            report = await compute(session, date(2026, 11, 1), date(2026, 11, 30), "dan-phuong", date(2026, 11, 26))
    finally:
        await engine.dispose()
    assert (report.ratings, report.rating_avg) == (1, 4.0)


async def test_a_question_after_a_rating_is_answered_not_stored(client: Client, settings: Settings) -> None:
    replies = await say(client, "cảm ơn em")
    assert replies[0]["text"] == vi.THANKS and replies[1]["text"] == vi.ASK_RATING
    assert (await say(client, "5"))[0]["text"] == vi.RATING_THANKS.format(score=5)  # a typed digit picks that score
    assert "Miễn lệ phí" in (await say(client, "đăng ký kết hôn mất bao nhiêu tiền"))[0]["text"]
    [rating], _ = await _rows(settings)
    assert (rating.score, rating.comment, rating.dossier_id) == (5, None, None)


async def test_bad_scores_and_feedback(client: Client, settings: Settings) -> None:
    assert (await say(client, '/rate{"score":"9"}'))[0]["text"] == vi.RATING_INVALID
    await say(client, "góp ý: nên có thêm ghế chờ ở bộ phận một cửa")
    ratings, feedback = await _rows(settings)
    assert ratings == [] and [f.text for f in feedback] == ["góp ý: nên có thêm ghế chờ ở bộ phận một cửa"]


async def test_a_rating_counts_only_when_asked_and_once(client: Client, settings: Settings) -> None:
    one, two = '/rate{"score":"1"}', '/rate{"score":"2"}'
    assert (await say(client, one))[0]["text"] == vi.RATING_NOT_COUNTED  # nobody asked
    await say(client, "cảm ơn em nhé")
    assert (await say(client, one))[0]["text"] == vi.RATING_THANKS.format(score=1)
    assert (await say(client, two))[0]["text"] == vi.RATING_THANKS.format(score=2)  # changed their mind: the same rating
    await say(client, "thủ tục khai sinh cần gì")
    assert (await say(client, one))[0]["text"] == vi.RATING_NOT_COUNTED  # the question was answered once
    assert [r["text"] for r in await say(client, "cảm ơn em")] == [vi.THANKS]  # and is not asked again in this conversation
    assert (await say(client, one))[0]["text"] == vi.RATING_NOT_COUNTED
    # A returned dossier: twice from its confirmed owner is one rating; unasked from others, none.
    await say(client, f'/dossier_details{{"code":"{RETURNED}"}}', sender="owner")
    await say(client, "0001", sender="owner")
    for score in ("5", "3"):
        await say(client, f'/rate{{"score":"{score}","code":"{RETURNED}"}}', sender="owner")
        await say(client, "thủ tục khai sinh cần gì", sender="owner")
    for n in range(3):
        await say(client, f'/rate{{"score":"1","code":"{RETURNED}"}}', sender=f"stuffer{n}")
    ratings, _ = await _rows(settings)
    assert sorted((r.user_id, r.score, r.dossier_id is not None) for r in ratings) == [("owner", 3, True), ("u1", 2, False)]
