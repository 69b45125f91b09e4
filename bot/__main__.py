"""Command line: ``python -m bot run | chat | migrate | import-procedures | evaluate-dialogue``,
the dossier commands of :mod:`bot.dossiers.commands` (import-dossiers, stats, follow, receipt-qr)
and the notice commands of :mod:`bot.notify.commands` (notify, notifications)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path

from aiohttp import web
from dotenv import load_dotenv

from bot import logs
from bot.app import create_app
from bot.catalog import commands as catalogue_commands
from bot.config import ROOT, ConfigError, Settings, load_settings
from bot.db import make_engine, migrate
from bot.dialogue.evaluation import CASES, CaseError, load_cases, pass_rate, report, run_cases
from bot.dossiers import commands as dossier_commands
from bot.messages import InboundMessage, Reply
from bot.notify import commands as notify_commands
from bot.runtime import open_runtime
from bot.staff import commands as staff_commands
from bot.texts import vi


def _settings() -> Settings:
    load_dotenv(ROOT / ".env", override=False)
    return load_settings(os.environ)


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
            if line.strip().isdecimal() and 1 <= int(line) <= len(buttons):
                line = buttons[int(line) - 1]
            replies = await runtime.dialogue.handle(InboundMessage("console", "console", line))
            for reply in replies:
                _show(reply)
            buttons = tuple(b.payload for b in replies[-1].buttons) if replies else ()


def _port(raw: str) -> int:
    if not raw.isdecimal() or not 1 <= int(raw) <= 65535:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a port (1-65535)")
    return int(raw)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="The one-stop-shop assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("run", "serve the web chat, the REST channel and the health check"),
        ("chat", "chat with the bot in this terminal"),
    ):
        command = sub.add_parser(name, help=help_text)
        command.add_argument(
            "--demo", action="store_true", help="load the synthetic demo dossiers into an empty database (as LOAD_DEMO_DATA)"
        )
    run = sub.choices["run"]
    run.add_argument("--port", type=_port, help="listen on this port (as BOT_PORT): several bot processes side by side")
    run.add_argument("--host", help="listen on this address (as BOT_HOST)")
    sub.add_parser("migrate", help="apply database migrations")
    evaluate = sub.add_parser("evaluate-dialogue", help="run the dialogue suite (uses NLU_URL; keywords if it is down)")
    evaluate.add_argument("file", type=Path, nargs="?", default=CASES, help="cases in YAML (default: %(default)s)")
    evaluate.add_argument("--min-pass-rate", type=float, default=0.0, help="exit 1 below this share (0-1)")
    catalogue_commands.add_commands(sub)
    dossier_commands.add_commands(sub)
    notify_commands.add_commands(sub)
    staff_commands.add_commands(sub)
    return parser


async def _one_shot(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "evaluate-dialogue":
        return await cmd_evaluate_dialogue(settings, args.file, args.min_pass_rate)
    if args.command == "migrate":
        await cmd_migrate(settings)
        return 0
    for run in (catalogue_commands.run, dossier_commands.run, notify_commands.run, staff_commands.run):
        done = await run(args, settings)
        if done is not None:
            return done
    raise AssertionError(f"{args.command} is dispatched nowhere")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings()
        if getattr(args, "demo", False):
            settings = replace(settings, load_demo_data=True)
        if getattr(args, "port", None) is not None:
            settings = replace(settings, port=args.port)
        if getattr(args, "host", None):
            settings = replace(settings, host=args.host)
        logs.configure(settings.log_level)
        if args.command == "run":
            cmd_run(settings)
            return 0
        # One-shot commands print their own results; library chatter stays below warnings.
        logging.getLogger().setLevel(logging.ERROR if args.command in {"chat", "evaluate-dialogue"} else logging.WARNING)
        if args.command == "chat":
            asyncio.run(cmd_chat(settings))
            return 0
        return asyncio.run(_one_shot(args, settings))
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
