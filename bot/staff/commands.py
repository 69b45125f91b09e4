"""``python -m bot add-staff USERNAME --role helper|officer|admin``: create a console account, or
give an existing one a new password and role (which unlocks it and ends its sessions).
``python -m bot export-training --since DATE``: bot/staff/training_export.py.

The password is asked twice at a prompt, never taken as an argument (it would stay in the
shell's history and in the process list); ``--password-stdin`` reads it from a pipe.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.db import command_session
from bot.dossiers.commands import day
from bot.staff.accounts import ROLES, AccountError, add_account, check_password, check_username
from bot.staff.sessions import revoke_all
from bot.staff.training_export import cmd_export_training


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add = sub.add_parser("add-staff", help="create a staff console account, or reset its password and role")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input (one line)")
    export = sub.add_parser("export-training", help="the messages officers labelled, as NLU examples and proposed aliases, for review")
    export.add_argument("--since", type=day, required=True, metavar="YYYY-MM-DD", help="labelled on or after this day")
    export.add_argument("--out", type=Path, help="the review folder (default var/training-export/<time>/); never inside data/")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12 characters or more): ")
    check_password(first)
    if getpass.getpass("Same password again: ") != first:
        raise AccountError("the two passwords differ")
    return first


async def cmd_add_staff(settings: Settings, username: str, role: str, from_stdin: bool) -> int:
    try:
        name = check_username(username)
        password = _password(from_stdin)
        async with command_session(settings.database_url) as session:
            account = await add_account(session, name, role, password)
            ended = await revoke_all(session, account, datetime.now(UTC))
    except AccountError as exc:
        print(f"Not saved: {exc}", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("\nNot saved.", file=sys.stderr)
        return 1
    print(f"Staff account {account.username} ({account.role}) saved" + (f"; {ended} session(s) ended" if ended else ""))
    return 0


async def run(args: argparse.Namespace, settings: Settings) -> int | None:
    if args.command == "add-staff":
        return await cmd_add_staff(settings, args.username, args.role, args.password_stdin)
    if args.command == "export-training":
        return await cmd_export_training(settings, args.since, args.out)
    return None
