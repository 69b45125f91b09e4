"""What is left in the database after a conversation that showed an applicant's name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from bot.models import Base, InboxEvent
from tests.connectors.conftest import Platforms, zalo_event, zalo_signature

CODE = "000.00.31.H26-261123-0002"  # demo dossier of "Trần Thị Bình", phone 0900000002
NAME = "Trần Thị Bình"


async def _say(platforms: Platforms, message: str, msg_id: str) -> None:
    raw = zalo_event(message, msg_id, now=platforms.now[0])
    headers = {"Content-Type": "application/json", "X-ZEvent-Signature": zalo_signature(raw)}
    assert (await platforms.client.post("/webhooks/zalo", data=raw, headers=headers)).status == 200


async def _rows_outside_dossiers(platforms: Platforms) -> list[tuple[str, Any]]:
    """Every row of every table but ``dossiers`` (where the applicant's data belongs)."""
    found = []
    async with platforms.runtime.sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name != "dossiers":
                found += [(table.name, row) for row in await session.execute(text(f"SELECT * FROM {table.name}"))]
    return found


async def test_sent_replies_are_not_kept_and_the_name_is_nowhere_but_the_dossier(platforms: Platforms) -> None:
    for n, message in enumerate([CODE, "xem chi tiết", "0002"]):
        await _say(platforms, message, f"m{n}")
        await platforms.settle(n + 1, platforms.zalo)
    assert NAME in platforms.zalo.texts()[-1]  # the citizen did see it
    platforms.zalo.failures.append((200, {"error": -230, "message": "User has not interacted in the last 7 days"}))
    await _say(platforms, "xem chi tiết", "m3")  # shown again, but this time the platform refuses it
    await platforms.settle(4, platforms.zalo)
    async with platforms.runtime.sessions() as session:
        rows = list(await session.scalars(select(InboxEvent).order_by(InboxEvent.id)))
    assert [(r.state, r.replies) for r in rows] == [("sent", None)] * 3 + [("dropped", None)]
    stored = await _rows_outside_dossiers(platforms)
    assert stored and not [(table, row) for table, row in stored if NAME in str(row) or "0900000002" in str(row)]
