"""Dossier commands: ``import-dossiers``, ``stats``, ``follow``, ``receipt-qr``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

from bot.catalog.store import read_agency
from bot.config import Settings
from bot.db import command_session
from bot.dossiers import access
from bot.dossiers.importer import ImportFileError, check_rows, import_checked, read_rows
from bot.dossiers.receipt import follow_payload, write_qr
from bot.dossiers.records import VIETNAM
from bot.dossiers.stats import compute, render
from bot.dossiers.store import find_dossier
from bot.notify.outbox import policy_of
from bot.progress import ProgressBar
from bot.texts import vi
from nlu.dossier_codes import is_dossier_code, normalize_code


async def cmd_import_dossiers(settings: Settings, path: Path) -> int:
    """0 when every row was imported, 1 when some were rejected (the good ones still are), 2 unreadable."""
    started = time.perf_counter()
    try:
        checked = check_rows(read_rows(path))
    except ImportFileError as exc:
        print(f"Not imported: {exc}", file=sys.stderr)
        return 2
    with ProgressBar(f"Importing {path.name}", len(checked.records)) as bar:
        async with command_session(settings.database_url) as session:
            report = await import_checked(session, checked, policy_of(settings), datetime.now(UTC), bar.advance)
    report.count()
    first, *rejected = report.lines()
    print(f"{path}: {first} ({time.perf_counter() - started:.1f} s)")
    for line in rejected:
        print(line)
    return 1 if report.rejected else 0


async def cmd_stats(settings: Settings, start: date, end: date, agency: str | None, as_json: bool) -> int:
    async with command_session(settings.database_url) as session:
        report = await compute(session, start, end, agency, datetime.now(VIETNAM).date())
        record = await read_agency(session, agency) if agency else None
    if agency and record is None:
        print(f"Note: agency {agency!r} is not in the catalogue; counting its dossiers anyway.", file=sys.stderr)
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(render(report, record.name if record else (agency or vi.ALL_AGENCIES)))
    return 0


async def cmd_follow(settings: Settings, code: str, platform: str, user_id: str) -> int:
    """An officer at the counter registers a follower (no digits needed: the officer checked)."""
    async with command_session(settings.database_url) as session:
        dossier = await find_dossier(session, normalize_code(code))
        if dossier is None:
            print(f"No dossier {normalize_code(code)} in the database (import it first).", file=sys.stderr)
            return 1
        now = datetime.now(UTC)
        await access.mark_verified(session, dossier, platform, user_id, now)
        added = await access.follow(session, dossier, platform, user_id, "officer", now)
    print(f"{dossier.code}: {'follower added' if added else 'already a follower'} ({platform})")
    return 0


def cmd_receipt_qr(settings: Settings, code: str, out: Path | None, link: str | None) -> int:
    if not settings.receipt_secret:
        print("RECEIPT_SECRET is not set: receipts cannot carry a signed QR.", file=sys.stderr)
        return 2
    code = normalize_code(code)
    payload = follow_payload(code, settings.receipt_secret)
    content = f"{link}{quote(payload, safe='')}" if link else payload
    path = out or Path(f"receipt-{code}.png")
    try:
        write_qr(content, path)
    except (ValueError, OSError) as exc:
        print(f"Cannot write the QR: {exc}", file=sys.stderr)
        return 2
    print(f"{path}: {content}")
    return 0


def dossier_code(raw: str) -> str:
    if not is_dossier_code(raw):
        raise argparse.ArgumentTypeError(f"{raw!r} is not a dossier code")
    return raw


def day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date (YYYY-MM-DD)") from None


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dossiers = sub.add_parser("import-dossiers", help="import dossiers from the one-stop system (CSV or JSON Lines)")
    dossiers.add_argument("path", type=Path)
    stats = sub.add_parser("stats", help="the public report for a period: received, on time, early, overdue, online, ratings")
    stats.add_argument("--from", dest="start", type=day, required=True, metavar="YYYY-MM-DD")
    stats.add_argument("--to", dest="end", type=day, required=True, metavar="YYYY-MM-DD")
    stats.add_argument("--agency", help="only this agency's dossiers (a code of data/agencies.yml)")
    stats.add_argument("--json", action="store_true", help="print a JSON object instead of the Vietnamese text")
    following = sub.add_parser("follow", help="register a follower of a dossier (an officer at the counter)")
    following.add_argument("code", type=dossier_code)
    following.add_argument("--platform", choices=("zalo", "facebook"), required=True)
    following.add_argument("--user-id", required=True, type=user_id, help="the citizen's id on that platform")
    qr = sub.add_parser("receipt-qr", help="a signed QR for the receipt slip: scanning and sending it follows the dossier")
    qr.add_argument("code", type=dossier_code)
    qr.add_argument("--out", type=Path, help="PNG or SVG file (default receipt-CODE.png)")
    qr.add_argument("--link", help="a link prefix that delivers the message to the bot, e.g. https://m.me/PAGE?ref=")


def user_id(raw: str) -> str:
    if not raw.strip() or len(raw) > 128:
        raise argparse.ArgumentTypeError("must be 1 to 128 characters")
    return raw.strip()


async def run(args: argparse.Namespace, settings: Settings) -> int | None:
    """Run a dossier command; ``None`` when ``args`` is another module's command."""
    if args.command == "import-dossiers":
        return await cmd_import_dossiers(settings, args.path)
    if args.command == "stats":
        if args.end < args.start:
            print("error: --to is before --from", file=sys.stderr)
            return 2
        return await cmd_stats(settings, args.start, args.end, args.agency, args.json)
    if args.command == "follow":
        return await cmd_follow(settings, args.code, args.platform, args.user_id)
    if args.command == "receipt-qr":
        return cmd_receipt_qr(settings, args.code, args.out, args.link)
    return None
