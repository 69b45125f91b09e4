"""Staff accounts: argon2id password hashes, roles, and the lock-out after wrong passwords."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import StaffAccount

# Each role may do what the ones before it may.
ROLES = ("helper", "officer", "admin")
# RFC 9106's second recommended option (argon2id, 64 MiB, 3 passes, 4 lanes): about 50 ms a
# check on this machine, so a stolen table costs an attacker as much per guess.
HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4, hash_len=32, salt_len=16)
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class AccountError(ValueError):
    """A username, role or password that cannot be used; the message says why."""


def may(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not 3 <= len(name) <= 64 or not set(name) <= USERNAME_CHARS:
        raise AccountError("a username is 3 to 64 characters: lower-case letters, digits, '.', '_' or '-'")
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


async def add_account(session: AsyncSession, username: str, role: str, password: str) -> StaffAccount:
    """A new account, or a new password and role for an existing one (which also unlocks it)."""
    if role not in ROLES:
        raise AccountError(f"role is one of {', '.join(ROLES)}")
    name = check_username(username)
    digest = HASHER.hash(check_password(password))
    account = await session.scalar(select(StaffAccount).where(StaffAccount.username == name))
    if account is None:
        account = StaffAccount(username=name, role=role, password_hash=digest, failed_logins=0)
        session.add(account)
    else:
        account.role, account.password_hash, account.failed_logins, account.locked_until = role, digest, 0, None
    await session.flush()
    return account


@dataclass(frozen=True)
class SignIn:
    account: StaffAccount | None  # None: refused
    locked: bool = False


async def sign_in(session: AsyncSession, username: str, password: str, now: datetime) -> SignIn:
    """Check a password. A locked account stays locked until its time, whatever is typed; the
    ``MAX_FAILURES``-th wrong password in a row locks it for ``LOCK_FOR``. An unknown name
    costs the same hash as a known one, so timing does not tell which names exist."""
    if len(password) > MAX_PASSWORD or len(username) > 64:
        return SignIn(None)  # no hash of a megabyte-long "password"
    account = await session.scalar(select(StaffAccount).where(StaffAccount.username == username.strip().lower()))
    if account is None:
        _verify(_DUMMY_HASH, password)
        return SignIn(None)
    if account.locked_until is not None and account.locked_until > now:
        return SignIn(None, locked=True)
    if not _verify(account.password_hash, password):
        account.failed_logins += 1
        if account.failed_logins >= MAX_FAILURES:
            account.locked_until, account.failed_logins = now + LOCK_FOR, 0
            return SignIn(None, locked=True)
        return SignIn(None)
    account.failed_logins, account.locked_until = 0, None
    if HASHER.check_needs_rehash(account.password_hash):  # parameters raised since it was set
        account.password_hash = HASHER.hash(password)
    return SignIn(account)


def _verify(digest: str, password: str) -> bool:
    try:
        return HASHER.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = HASHER.hash("not a password of anyone's")
