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
    reply = (await say(client, RETURNED))[0]
    assert vi.ASK_RATING_DOSSIER.format(code=RETURNED) in reply["text"]
    four = next(b["payload"] for b in reply["buttons"] if b["title"] == vi.RATING_LABELS[4])
    assert (await say(client, four))[0]["text"] == vi.RATING_THANKS.format(score=4)
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
