"""What the reliability tests share: the bot as its own process (``python -m bot run``) talking
to the fake platforms served by the test process, notices queued the real way (a dossier
import whose status changes the rules turn into outbox rows), citizens' conversations over
signed Zalo webhooks, and the tally of what the fakes accepted: lost, unexpected, duplicated.

Every request a fake accepted is traced to the bot process that sent it by its access token:
each process gets its own Messenger page token, and the kill test rotates Zalo's (kept in the
database) between lives. A duplicate is then only acceptable if its copies came from
different lives, i.e. across a crash.
"""

from __future__ import annotations

import asyncio
import ctypes
import inspect
import os
import random
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

import aiohttp
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.catalog.catalogue import load_catalogue
from bot.catalog.loader import load_agencies, load_procedures
from bot.catalog.store import upsert_agencies, upsert_procedures
from bot.config import ROOT
from bot.db import SessionFactory, make_engine, make_sessions, migrate
from bot.dialogue.turn import utc_now
from bot.dossiers import access
from bot.dossiers.importer import check_rows, import_checked
from bot.dossiers.store import find_dossier
from bot.inbox import touch_contacts
from bot.models import InboxEvent, OutboxMessage, PlatformToken
from bot.notify import kinds
from bot.notify.render import render
from bot.notify.rules import Policy
from bot.runtime import ProcedureNamer
from connectors.base import Sender
from connectors.facebook import GraphClient
from connectors.zalo import SIGNATURE_HEADER, ZaloClient
from connectors.zalo_tokens import ZaloTokens
from tests.conftest import closed_port
from tests.connectors.conftest import APP_ID, APP_SECRET, OA_SECRET, VERIFY_TOKEN, zalo_event, zalo_signature
from tests.fakes.platforms import FakeGraph, FakeZalo, Recorded

AGENCY = "dan-phuong"
PROCEDURE = "1.001193"
DATA = ROOT / "data"
# Approved templates for the three kinds the tests send: a Zalo notice after the window goes by ZNS.
TEMPLATES = {kinds.READY: "tpl-ready", kinds.SUPPLEMENT: "tpl-supplement", kinds.PAYMENT: "tpl-payment"}
CS, ZNS, TEMPLATE = "/v3.0/oa/message/cs", "/message/template", "/v3.0/oa/message/template"
INBOX_ACTIVE = ("new", "answered")
Key = tuple[str, ...]


@dataclass(frozen=True)
class Fakes:
    """The fake platforms (served by the test process) and the URLs the bots are given."""

    zalo: FakeZalo
    graph: FakeGraph
    zalo_url: str
    graph_url: str

    def requests(self) -> int:
        return len(self.zalo.requests) + len(self.graph.requests)


@dataclass(frozen=True)
class Group:
    """Followers reached the same way: their platform, how long ago they last wrote, and the
    route their notices must take (cs / zns on Zalo, update / tag on Messenger)."""

    name: str
    platform: str
    idle: timedelta
    route: str


ZALO_WINDOW = Group("zalo-window", "zalo", timedelta(hours=1), "cs")
ZALO_ZNS = Group("zalo-zns", "zalo", timedelta(days=10), "zns")  # after the 7 days; the dossier has a phone
FACEBOOK_WINDOW = Group("facebook-window", "facebook", timedelta(hours=1), "update")
FACEBOOK_TAG = Group("facebook-tag", "facebook", timedelta(days=3), "tag")  # after the 24 h: ACCOUNT_UPDATE
GROUPS = (ZALO_WINDOW, ZALO_ZNS, FACEBOOK_WINDOW, FACEBOOK_TAG)

# Ready, supplement, payment in turn; half the supplements ask for so many papers that the
# notice is sent in two parts (a retry must resume at the second).
STATUSES = (9, 5, 6)
LONG_PAPERS = "; ".join(f"bản sao giấy tờ số {n} có chứng thực" for n in range(1, 80))


@dataclass(frozen=True)
class Planned:
    """One dossier, its one follower, and the status change that earns the follower a notice."""

    code: str
    phone: str
    group: Group
    user_id: str
    status: int
    reason: str | None
    appointment_at: datetime

    def record(self, status: int) -> dict[str, Any]:
        """The dossier as the one-stop system exports it: in progress (4), or after the change."""
        return {
            "code": self.code, "procedure_code": PROCEDURE, "agency_code": AGENCY, "applicant_name": "Nguyễn Văn Thử",
            "applicant_phone": self.phone, "applicant_id_number": "001090000001", "status": status, "channel": "truc_tiep",
            "received_at": (self.appointment_at - timedelta(days=25)).isoformat(), "appointment_at": self.appointment_at.isoformat(),
            "delay_reason": self.reason if status != 4 else None,
        }  # fmt: skip


def plan_notices(counts: Mapping[Group, int], now: datetime) -> list[Planned]:
    """``counts`` notices per group, the groups interleaved (a claimed batch mixes platforms);
    each follower follows two dossiers. Appointments are ahead: the overdue sweep adds nothing."""
    planned: list[Planned] = []
    made = dict.fromkeys(counts, 0)
    while any(made[group] < count for group, count in counts.items()):
        for group, count in counts.items():
            n = made[group]
            if n == count:
                continue
            made[group] += 1
            status = STATUSES[n % 3]
            reason = {9: None, 5: LONG_PAPERS if n % 6 == 1 else "bản chính giấy chứng sinh", 6: "lệ phí 8.000 đồng"}[status]
            number = len(planned) + 1
            code, phone = f"000.00.31.H26-261201-{number:05d}", f"09{number:08d}"
            planned.append(Planned(code, phone, group, f"{group.name}-{n // 2:04d}", status, reason, now + timedelta(days=20)))
    return planned


async def open_database(url: str) -> tuple[AsyncEngine, SessionFactory]:
    engine = make_engine(url)
    await migrate(engine)
    return engine, make_sessions(engine)


async def prepare(sessions: SessionFactory, planned: Sequence[Planned], fakes: Fakes) -> None:
    """The catalogue, the dossiers (no notice yet: nobody follows them), one follower each, when
    each follower last wrote, and the Zalo token; the fakes refuse free-form messages after the windows."""
    now = utc_now()
    async with sessions() as session, session.begin():
        await upsert_agencies(session, load_agencies(DATA / "agencies.yml"))
        await upsert_procedures(session, load_procedures(DATA / "procedures"))
        checked = check_rows(list(enumerate((p.record(4) for p in planned), 1)))
        assert not checked.rejected, checked.rejected[:3]
        assert (await import_checked(session, checked, Policy(), now)).notices == 0
        for p in planned:
            dossier = await find_dossier(session, p.code)
            assert dossier is not None
            assert await access.follow(session, dossier, p.group.platform, p.user_id, "qr", now)
        for group in GROUPS:
            await touch_contacts(session, {(group.platform, p.user_id) for p in planned if p.group == group}, now - group.idle)
        # As a first start would: bots starting together then find it (a race when they seed it,
        # see test_processes_starting_at_once_store_the_zalo_token_once).
        session.add(PlatformToken(platform="zalo", access_token=fakes.zalo.access_token, refresh_token="refresh", updated_at=now))
    fakes.zalo.outside_window.update(p.user_id for p in planned if p.group == ZALO_ZNS)
    fakes.graph.outside_window.update(p.user_id for p in planned if p.group == FACEBOOK_TAG)


async def queue_notices(sessions: SessionFactory, planned: Sequence[Planned]) -> int:
    """Import the status changes: the rules add the notices in the same transaction; how many."""
    async with sessions() as session, session.begin():
        checked = check_rows(list(enumerate((p.record(p.status) for p in planned), 1)))
        assert not checked.rejected, checked.rejected[:3]
        report = await import_checked(session, checked, Policy(), utc_now())
    return report.notices


def bot_env(database_url: str, port: int, fakes: Fakes, zalo_token: str, page_token: str, rates: tuple[float, float]) -> dict[str, str]:
    """Every setting the bot reads, so that a developer's environment or ``.env`` changes nothing."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "FACEBOOK_"))}
    return {
        **inherited, "BOT_HOST": "127.0.0.1", "BOT_PORT": str(port), "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING",
        "NLU_URL": f"http://127.0.0.1:{closed_port()}", "NLU_TIMEOUT": "0.5", "AGENCY_CODE": AGENCY, "DATA_DIR": str(DATA),
        "LOAD_DEMO_DATA": "false", "LOAD_CATALOGUE": "false", "DOSSIER_API_SECRET": "", "RECEIPT_SECRET": "", "CONTEXT_IDLE_MINUTES": "30",
        "NOTIFY_KINDS": ",".join(sorted(kinds.DEFAULT)), "QUIET_HOURS": "", "SURVEY_DELAY_HOURS": "24",
        "SEND_RATE_ZALO": str(rates[0]), "SEND_RATE_FACEBOOK": str(rates[1]),
        "ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": "app-secret", "ZALO_OA_SECRET_KEY": OA_SECRET, "ZALO_ACCESS_TOKEN": zalo_token,
        "ZALO_REFRESH_TOKEN": "refresh", "ZALO_API_BASE": fakes.zalo_url, "ZALO_OAUTH_BASE": fakes.zalo_url,
        "ZALO_BUSINESS_API_BASE": fakes.zalo_url,
        **{f"ZALO_TEMPLATE_{kind.upper()}": TEMPLATES.get(kind, "") for kind in kinds.ALL},
        "FACEBOOK_APP_SECRET": APP_SECRET, "FACEBOOK_PAGE_ACCESS_TOKEN": page_token, "FACEBOOK_VERIFY_TOKEN": VERIFY_TOKEN,
        "FACEBOOK_GRAPH_BASE": fakes.graph_url,
    }  # fmt: skip


async def until(condition: Callable[[], bool | Awaitable[bool]], within: float, every: float = 0.05) -> bool:
    """Poll ``condition`` until it holds (True) or ``within`` seconds passed (False)."""
    deadline = time.monotonic() + within
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(every)


def _die_with_parent() -> None:
    """In the child, Linux only: SIGKILL when the test process dies, so that no orphaned bot
    keeps claiming rows of a later test's database."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG


class BotProcess:
    """``python -m bot run`` on a loopback port, its output appended to ``log``."""

    def __init__(self, env: Mapping[str, str], log: IO[bytes]) -> None:
        self.url = f"http://127.0.0.1:{env['BOT_PORT']}"
        self._env = dict(env)
        self._log = log
        self._proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._log.write(f"\n== bot started at {utc_now().isoformat()} ==\n".encode())
        self._log.flush()
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=self._env, stdout=self._log, stderr=asyncio.subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )  # fmt: skip

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def wait_ready(self, within: float = 60) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:

            async def ready() -> bool:
                assert self._proc is not None and self._proc.returncode is None, f"the bot exited before it was ready ({self._log.name})"
                try:
                    async with http.get(f"{self.url}/healthz") as resp:
                        return resp.status == 200
                except (aiohttp.ClientError, TimeoutError):
                    return False

            assert await until(ready, within, every=0.02), f"the bot did not answer /healthz within {within:.0f} s"

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a crash or an out-of-memory kill."""
        if self._proc is not None and self._proc.returncode is None:
            self._proc.kill()
            await self._proc.wait()

    async def stop(self) -> int:
        """SIGTERM, as a deployment does; its exit code (killed after 30 s)."""
        assert self._proc is not None
        if self._proc.returncode is None:
            self._proc.terminate()
            try:
                await asyncio.wait_for(self._proc.wait(), 30)
            except TimeoutError:
                await self.kill()
        return await self._proc.wait()


async def unfinished(sessions: SessionFactory) -> tuple[int, int]:
    """Notices still pending, and inbox events not yet answered and sent."""
    async with sessions() as session:
        pending = await session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "pending"))
        active = await session.scalar(select(func.count()).select_from(InboxEvent).where(InboxEvent.state.in_(INBOX_ACTIVE)))
    return int(pending or 0), int(active or 0)


async def expire_leases(sessions: SessionFactory) -> int:
    """What the end of a lease (2 minutes) does after a crash, without the wait: the rows a
    killed process held become due now. Only while no bot runs. How many rows it freed."""
    now = utc_now()
    async with sessions() as session, session.begin():
        freed = 0
        for model, active in ((OutboxMessage, ("pending",)), (InboxEvent, INBOX_ACTIVE)):
            statement = update(model).where(model.state.in_(active), model.due_at > now).values(due_at=now)
            freed += int((await session.execute(statement)).rowcount or 0)  # type: ignore[attr-defined]
    return freed


async def set_zalo_token(sessions: SessionFactory, fakes: Fakes, token: str) -> None:
    """The OA's access token from now on (the database's row wins over the settings once seeded)."""
    fakes.zalo.access_token = token
    async with sessions() as session, session.begin():
        await session.execute(update(PlatformToken).where(PlatformToken.platform == "zalo").values(access_token=token))


@dataclass(frozen=True)
class Arrival:
    """A request a fake accepted: what it was (``key``), how it went (``route``), who sent it."""

    key: Key
    route: str
    sender: str  # the access token it carried: which bot process (life) sent it


def arrivals(fakes: Fakes) -> list[Arrival]:
    """Every accepted request, in the order each fake received them."""
    found: list[Arrival] = []
    for r in fakes.zalo.requests:
        if r.accepted:
            found.append(Arrival(_zalo_key(r), {CS: "cs", ZNS: "zns", TEMPLATE: "template"}[r.path], r.headers["access_token"]))
    for r in fakes.graph.requests:
        if r.accepted:
            route = "tag" if r.body.get("tag") == "ACCOUNT_UPDATE" else str(r.body["messaging_type"]).lower()
            found.append(Arrival(("facebook", r.body["recipient"]["id"], r.body["message"]["text"]), route, r.query["access_token"]))
    return found


def _zalo_key(r: Recorded) -> Key:
    body = r.body
    if r.path == CS:
        return ("zalo", body["recipient"]["user_id"], body["message"]["text"])
    data = body["template_data"]
    if r.path == ZNS:
        return ("zns", body["phone"], data["ma_ho_so"], data["loai"])
    return ("zalo-template", str(body["user_id"]), data["ma_ho_so"], data["loai"])


def _senders(http: aiohttp.ClientSession, sessions: SessionFactory) -> dict[str, Sender]:
    """The platforms' clients, only for their ``parts``: what a message becomes on each."""
    tokens = ZaloTokens(sessions, http, "http://127.0.0.1", APP_ID, "app-secret", utc_now)
    return {"zalo": ZaloClient(http, "http://127.0.0.1", tokens), "facebook": GraphClient(http, "http://127.0.0.1", "unused")}


@dataclass
class Tally:
    """The notices' parts the fakes had to receive, and what they did receive."""

    states: Counter[str]
    expected: dict[Key, str]  # each part → the route it must take
    received: dict[Key, list[Arrival]]

    @property
    def lost(self) -> list[Key]:
        return [key for key in self.expected if key not in self.received]

    @property
    def unexpected(self) -> list[Key]:
        return [key for key in self.received if key not in self.expected]

    @property
    def misrouted(self) -> list[tuple[Key, str]]:
        return [(k, a.route) for k, found in self.received.items() for a in found if k in self.expected and a.route != self.expected[k]]

    @property
    def duplicates(self) -> dict[Key, list[str]]:
        """Parts received more than once, with the processes that sent each copy."""
        return {key: [a.sender for a in found] for key, found in self.received.items() if len(found) > 1}

    @property
    def duplicate_count(self) -> int:
        return sum(len(senders) - 1 for senders in self.duplicates.values())

    @property
    def deliveries(self) -> int:
        return sum(len(found) for found in self.received.values())

    def problems(self, notices: int) -> list[str]:
        """What went wrong, a line each: empty when all ``notices`` were sent and each of their
        parts arrived where and how it should (duplicates aside: the tests judge those)."""
        found = [] if self.states == {"sent": notices} else [f"notices by state {dict(self.states)}, not {notices} sent"]
        if self.lost:
            found.append(f"{len(self.lost)} parts never arrived, e.g. to {self.lost[0][1]}")
        if self.unexpected:
            found.append(f"{len(self.unexpected)} parts arrived that no notice holds, e.g. to {self.unexpected[0][1]}")
        if self.misrouted:
            found.append(f"{len(self.misrouted)} parts took the wrong route, e.g. to {self.misrouted[0][0][1]} by {self.misrouted[0][1]}")
        return found


async def tally_notices(sessions: SessionFactory, planned: Sequence[Planned], fakes: Fakes) -> Tally:
    """Every outbox row's parts, rendered and split as the bot does (after the window on Zalo:
    one ZNS template by phone), against the fakes' accepted requests to the followers."""
    by_code = {p.code: p for p in planned}
    async with sessions() as session:
        catalogue = await load_catalogue(session, DATA, AGENCY)
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    namer = ProcedureNamer(catalogue)
    expected: dict[Key, str] = {}
    async with aiohttp.ClientSession() as http:
        senders = _senders(http, sessions)
        for row in rows:
            p = by_code[row.data["code"]]
            if p.group == ZALO_ZNS:
                expected[("zns", "84" + p.phone.removeprefix("0"), p.code, row.kind)] = "zns"
                continue
            for part in senders[row.platform].parts(render(row.kind, row.data, catalogue.office, namer)):
                key = (row.platform, row.user_id, part.text)
                assert key not in expected, f"two parts are the same text: {key[:2]}"
                expected[key] = p.group.route
    followers = {p.user_id for p in planned}
    received: dict[Key, list[Arrival]] = defaultdict(list)
    for a in arrivals(fakes):
        if a.key[0] in {"zns", "zalo-template"} or a.key[1] in followers:
            received[a.key].append(a)
    return Tally(Counter(row.state for row in rows), expected, dict(received))


# Questions whose answers (keyword mode: the NLU server is down) tell them apart, and a
# phrase found in the answer to each one only.
QUESTIONS = (
    ("phí chứng thực chữ ký", "lệ phí “Chứng thực chữ ký"),
    ("làm giấy khai sinh cần giấy tờ gì", "hồ sơ “Đăng ký khai sinh” gồm"),
    ("đăng ký tạm trú ở đâu", "“Đăng ký tạm trú” anh/chị nộp tại"),
    ("đăng ký kết hôn mất bao nhiêu tiền", "lệ phí “Đăng ký kết hôn”"),
    ("xin chào", "Em là trợ lý ảo"),
)


@dataclass
class Conversations:
    """What each user asked, in order (the answers' phrases), and how many posts failed."""

    expected: dict[str, list[str]] = field(default_factory=dict)
    redelivered: int = 0  # posts without a 200 (the bot was down, or died meanwhile), sent again


async def converse(
    targets: Sequence[str], users: Sequence[str], per_user: int, seed: int, pause: tuple[float, float], within: float
) -> Conversations:
    """Each user asks ``per_user`` questions, each posted as a signed Zalo webhook until a 200
    (as a platform redelivers), the next only after that; user ``i``'s ``k``-th goes to
    ``targets[(i + k) % len(targets)]``. Two questions in a row are never the same."""
    talks = Conversations({user: [] for user in users})
    deadline = time.monotonic() + within

    async def talk(http: aiohttp.ClientSession, i: int, user: str) -> None:
        pace = random.Random(f"{seed}-{user}")
        step = 1 + i % (len(QUESTIONS) - 1)  # coprime with the number of questions
        for k in range(per_user):
            text, phrase = QUESTIONS[(i + k * step) % len(QUESTIONS)]
            raw = zalo_event(text, f"{user}-message-{k}", user=user, now=utc_now())
            headers = {SIGNATURE_HEADER: zalo_signature(raw), "Content-Type": "application/json"}
            url = f"{targets[(i + k) % len(targets)]}/webhooks/zalo"
            while True:
                try:
                    async with http.post(url, data=raw, headers=headers) as resp:
                        assert resp.status in {200, 500, 502, 503}, f"the webhook answered {resp.status}: {await resp.text()}"
                        if resp.status == 200:
                            break
                except (aiohttp.ClientError, TimeoutError):
                    pass
                talks.redelivered += 1
                assert time.monotonic() < deadline, f"{user}'s message {k} got no 200 within {within:.0f} s"
                await asyncio.sleep(0.05)
            talks.expected[user].append(phrase)
            await asyncio.sleep(pace.uniform(*pause))

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        await asyncio.gather(*(talk(http, i, user) for i, user in enumerate(users)))
    return talks


@dataclass(frozen=True)
class Replies:
    """One user's replies as received: their phrases with adjacent copies folded, and the copies."""

    phrases: list[str]
    copies: list[tuple[str, str, str]]  # (phrase, sender of the first, sender of the copy)


def replies_to(fakes: Fakes, user: str) -> Replies:
    """The accepted consultation messages to ``user``, in order; each must be one answer."""
    phrases: list[str] = []
    senders: list[str] = []
    copies: list[tuple[str, str, str]] = []
    for a in arrivals(fakes):
        if a.key[0] != "zalo" or a.key[1] != user:
            continue
        found = [phrase for _, phrase in QUESTIONS if phrase in a.key[2]]
        assert len(found) == 1, f"a reply to {user} is not one known answer: {a.key[2][:200]!r}"
        if phrases and phrases[-1] == found[0]:
            copies.append((found[0], senders[-1], a.sender))
            continue
        phrases.append(found[0])
        senders.append(a.sender)
    return Replies(phrases, copies)


def summary(counts: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts)
