"""``python -m bot notify [--once]`` (the sweep and the dispatch, for cron and tests) and
``python -m bot notifications [--state …]`` (what was sent, what waits, what failed and why)."""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter

from sqlalchemy import select

from bot.config import Settings
from bot.db import command_session
from bot.formatting import vn_datetime
from bot.models import Dossier, OutboxMessage
from bot.notify.jobs import Jobs, sweep_job
from bot.notify.outbox import policy_of
from bot.runtime import open_runtime

STATES = ("pending", "sent", "failed", "undeliverable", "cancelled")


async def cmd_notify(settings: Settings, once: bool) -> int:
    async with open_runtime(settings) as runtime:
        if not once:
            jobs = Jobs()
            runtime.schedule(jobs)
            jobs.start()
            print("Sending notices (Ctrl-C stops).", flush=True)
            try:
                await asyncio.Event().wait()
            finally:
                await jobs.stop()
        queued = await sweep_job(runtime.sessions, policy_of(settings), runtime.clock)
        handled = await runtime.dispatcher.dispatch_due()
        async with runtime.sessions() as session:
            states = Counter(await session.scalars(select(OutboxMessage.state)))
    summary = ", ".join(f"{state} {states[state]}" for state in STATES if states[state])
    print(f"apologies queued {queued}, notices handled {handled}; outbox: {summary or 'empty'}")
    return 0


async def cmd_notifications(settings: Settings, state: str | None, limit: int) -> int:
    async with command_session(settings.database_url) as session:
        query = select(OutboxMessage, Dossier.code).outerjoin(Dossier, Dossier.id == OutboxMessage.dossier_id)
        if state:
            query = query.where(OutboxMessage.state == state)
        rows = list(await session.execute(query.order_by(OutboxMessage.id.desc()).limit(limit)))
    if not rows:
        print("No notices" + (f" in state {state}." if state else "."))
        return 0
    print(f"{'id':>6}  {'state':<13} {'kind':<10} {'platform':<8} {'dossier':<28} {'due / done':<18} {'tries':>5}  reason")
    for row, code in rows:
        when = vn_datetime(row.done_at or row.due_at)
        print(
            f"{row.id:>6}  {row.state:<13} {row.kind:<10} {row.platform:<8} {code or '-':<28} {when:<18} {row.attempts:>5}  "
            f"{row.last_error or ''}".rstrip()
        )
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    notify = sub.add_parser("notify", help="queue apologies for overdue dossiers and send due notices (the scheduler's jobs)")
    notify.add_argument("--once", action="store_true", help="one sweep and one dispatch, then exit (cron, tests)")
    listing = sub.add_parser("notifications", help="list notices: pending, sent, failed, undeliverable, with reasons")
    listing.add_argument("--state", choices=STATES)
    listing.add_argument("--limit", type=int, default=50)


async def run(args: argparse.Namespace, settings: Settings) -> int | None:
    if args.command == "notify":
        return await cmd_notify(settings, args.once)
    if args.command == "notifications":
        return await cmd_notifications(settings, args.state, args.limit)
    return None
