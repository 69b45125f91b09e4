"""Command line: ``python -m bot run | chat | migrate | import-procedures | import-dossiers | stats | evaluate-dialogue``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path

from aiohttp import web
from dotenv import load_dotenv

from bot.app import create_app
from bot.catalog.loader import CatalogError, load_procedures
from bot.catalog.store import read_agency, upsert_procedures
from bot.config import ROOT, ConfigError, Settings, load_settings
from bot.db import make_engine, make_sessions, migrate
from bot.dialogue.evaluation import CASES, CaseError, load_cases, pass_rate, report, run_cases
from bot.dossiers.importer import ImportFileError, check_rows, import_checked, read_rows
from bot.dossiers.records import VIETNAM
from bot.dossiers.stats import compute, render
from bot.messages import InboundMessage, Reply
from bot.runtime import open_runtime
from bot.texts import vi


def _settings() -> Settings:
    load_dotenv(ROOT / ".env", override=False)
    return load_settings(os.environ)


def _logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # aiohttp's access log carries no message text, but keep it quiet unless debugging.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING if level != "DEBUG" else logging.DEBUG)


def cmd_run(settings: Settings) -> None:
    def ready(_: str) -> None:
        print(f"Bot ready: chat at http://{settings.host}:{settings.port}/ (Ctrl-C stops)", flush=True)

    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=ready)


async def cmd_migrate(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


async def cmd_evaluate_dialogue(settings: Settings, file: Path, min_pass_rate: float) -> int:
    try:
        cases = load_cases(file)
    except (OSError, CaseError) as exc:
        print(f"Cannot read the cases: {exc}", file=sys.stderr)
        return 1
    outcomes, sources = await run_cases(cases, settings)
    print(report(outcomes, sources))
    return 0 if pass_rate(outcomes) >= min_pass_rate else 1


async def cmd_import_dossiers(settings: Settings, path: Path) -> int:
    """0 when every row was imported, 1 when some were rejected (the good ones still are), 2 unreadable."""
    started = time.perf_counter()
    try:
        checked = check_rows(read_rows(path))
    except ImportFileError as exc:
        print(f"Not imported: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
        async with make_sessions(engine)() as session, session.begin():
            report = await import_checked(session, checked)
    finally:
        await engine.dispose()
    first, *rejected = report.lines()
    print(f"{path}: {first} ({time.perf_counter() - started:.1f} s)")
    for line in rejected:
        print(line)
    return 1 if report.rejected else 0


async def cmd_stats(settings: Settings, start: date, end: date, agency: str | None, as_json: bool) -> int:
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
        async with make_sessions(engine)() as session:
            report = await compute(session, start, end, agency, datetime.now(VIETNAM).date())
            record = await read_agency(session, agency) if agency else None
    finally:
        await engine.dispose()
    if agency and record is None:
        print(f"Note: agency {agency!r} is not in the catalogue; counting its dossiers anyway.", file=sys.stderr)
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(render(report, record.name if record else (agency or vi.ALL_AGENCIES)))
    return 0


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date (YYYY-MM-DD)") from None


async def cmd_import_procedures(settings: Settings, path: Path) -> int:
    """Validate every record first (nothing is written if one is wrong), then upsert."""
    started = time.perf_counter()
    try:
        records = load_procedures(path)
    except CatalogError as exc:
        print(f"Not imported: {exc}", file=sys.stderr)
        return 1
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
        async with make_sessions(engine)() as session, session.begin():
            counts = await upsert_procedures(session, records)
    finally:
        await engine.dispose()
    print(f"{len(records)} procedures from {path}: {counts} ({time.perf_counter() - started:.2f} s)")
    return 0


def _show(reply: Reply) -> None:
    print(f"\n{reply.text}")
    for number, button in enumerate(reply.buttons, 1):
        print(f"  [{number}] {button.title}")


async def cmd_chat(settings: Settings) -> None:
    """A console chat against the same dialogue; a digit picks a button of the last reply."""
    async with open_runtime(settings) as runtime:
        print(vi.CONSOLE_HELLO)
        buttons: tuple[str, ...] = ()
        while True:
            try:
                line = await asyncio.to_thread(input, "\n> ")
            except (EOFError, KeyboardInterrupt):
                print()
                return
            if line.strip().isdigit() and 1 <= int(line) <= len(buttons):
                line = buttons[int(line) - 1]
            replies = await runtime.dialogue.handle(InboundMessage("console", "console", line))
            for reply in replies:
                _show(reply)
            buttons = tuple(b.payload for b in replies[-1].buttons) if replies else ()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="The one-stop-shop assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="serve the web chat, the REST channel and the health check")
    sub.add_parser("chat", help="chat with the bot in this terminal")
    sub.add_parser("migrate", help="apply database migrations")
    evaluate = sub.add_parser("evaluate-dialogue", help="run the dialogue suite (uses NLU_URL; keywords if it is down)")
    evaluate.add_argument("file", type=Path, nargs="?", default=CASES, help="cases in YAML (default: %(default)s)")
    evaluate.add_argument("--min-pass-rate", type=float, default=0.0, help="exit 1 below this share (0-1)")
    dossiers = sub.add_parser("import-dossiers", help="import dossiers from the one-stop system (CSV or JSON Lines)")
    dossiers.add_argument("path", type=Path)
    stats = sub.add_parser("stats", help="the public report for a period: received, on time, early, overdue, online, ratings")
    stats.add_argument("--from", dest="start", type=_day, required=True, metavar="YYYY-MM-DD")
    stats.add_argument("--to", dest="end", type=_day, required=True, metavar="YYYY-MM-DD")
    stats.add_argument("--agency", help="only this agency's dossiers (a code of data/agencies.yml)")
    stats.add_argument("--json", action="store_true", help="print a JSON object instead of the Vietnamese text")
    imports = sub.add_parser("import-procedures", help="validate procedure files (YAML/JSON) and load or update them")
    imports.add_argument("path", type=Path, help="a file (one record or a list) or a folder of files")
    args = parser.parse_args(argv)
    try:
        settings = _settings()
        _logging(settings.log_level)
        if args.command == "run":
            cmd_run(settings)
        elif args.command == "chat":
            logging.getLogger().setLevel(logging.ERROR)
            asyncio.run(cmd_chat(settings))
        elif args.command == "evaluate-dialogue":
            logging.getLogger().setLevel(logging.ERROR)
            return asyncio.run(cmd_evaluate_dialogue(settings, args.file, args.min_pass_rate))
        elif args.command == "import-dossiers":
            logging.getLogger().setLevel(logging.WARNING)
            return asyncio.run(cmd_import_dossiers(settings, args.path))
        elif args.command == "stats":
            if args.end < args.start:
                parser.error("--to is before --from")
            logging.getLogger().setLevel(logging.WARNING)
            return asyncio.run(cmd_stats(settings, args.start, args.end, args.agency, args.json))
        elif args.command == "import-procedures":
            logging.getLogger().setLevel(logging.WARNING)
            return asyncio.run(cmd_import_procedures(settings, args.path))
        else:
            asyncio.run(cmd_migrate(settings))
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
