"""The staff console's pages under /staff: sign-in, the dossier desk, the audit log.

Every page needs a live session (bot/staff/sessions.py) and a role (helper < officer < admin);
every form carries the session's CSRF token (the sign-in form a double-submit cookie). A page
without a session redirects to the sign-in page; a POST without one, or with a wrong token, is
refused with 403. Each request is one database transaction.
"""

from __future__ import annotations

import hmac
import secrets
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
import segno
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.catalogue import Catalogue
from bot.config import Settings
from bot.db import SessionFactory
from bot.dialogue.turn import Clock
from bot.dossiers import access
from bot.dossiers.receipt import follow_payload
from bot.dossiers.store import find_dossier
from bot.formatting import VIETNAM
from bot.models import Dossier, DossierEvent, Follower, Handoff, OutboxMessage
from bot.notify import kinds
from bot.staff import followups, handoffs
from bot.staff.accounts import may, sign_in
from bot.staff.assist import AssistPage
from bot.staff.dashboard import Dashboard
from bot.staff.questions_web import QuestionsPage
from bot.staff.rendering import Staff, no_store, render
from bot.staff.sessions import COOKIE, LIFETIME, audit, audit_entries, find_session, open_session, revoke
from bot.texts import vi
from connectors import rest
from nlu.dossier_codes import find_codes, normalize_code

TEMPLATES = Path(__file__).parent / "templates"
LOGIN_CSRF = "staff_login_csrf"
AUDIT_AGAIN_AFTER = timedelta(minutes=30)  # the same person viewing the same thing again (the live pages refetch themselves)
MAX_REPLY = 2000


StaffHandler = Callable[[web.Request, Staff], Awaitable[web.StreamResponse]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_routes(
    app: web.Application,
    settings: Settings,
    sessions: Callable[[], SessionFactory],
    clock: Clock,
    catalogue: Callable[[], Catalogue],
    chat_ids: rest.ChatIds,
) -> None:
    """``sessions`` and ``catalogue`` are read per request: the runtime exists once the app has started."""
    filters = {"vn": _vietnam_time, "status_name": _status_name}
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, filters=filters)
    console = StaffConsole(settings, sessions, clock, catalogue)
    app.router.add_get("/staff", console.to_home)
    app.router.add_get("/staff/login", console.login_form)
    app.router.add_post("/staff/login", console.login)
    app.router.add_post("/staff/logout", console.page("helper", console.logout))
    app.router.add_get("/staff/", console.page("helper", console.home))
    app.router.add_get("/staff/dossiers", console.page("helper", console.desk))
    app.router.add_post("/staff/dossiers/followers", console.page("helper", console.add_follower))
    app.router.add_get("/staff/audit", console.page("admin", console.audit_log))
    dashboard = Dashboard(clock, catalogue)
    app.router.add_get("/staff/dashboard", console.page("officer", dashboard.page))
    app.router.add_get("/staff/dashboard/figures.csv", console.page("officer", dashboard.figures_csv))
    app.router.add_get("/staff/dashboard/late.csv", console.page("officer", dashboard.late_csv))
    unanswered = QuestionsPage(clock, catalogue, settings.data_dir / "nlu")
    app.router.add_get("/staff/questions", console.page("officer", unanswered.page))
    app.router.add_post("/staff/questions/label", console.page("officer", unanswered.label))
    assist = AssistPage(catalogue, chat_ids, lambda code: _follow_qr(code, settings.receipt_secret))
    app.router.add_get("/staff/assist", console.page("helper", assist.page))
    app.router.add_post("/staff/assist/next", console.page("helper", assist.next_person))
    app.router.add_get("/staff/assist/procedure", console.page("helper", assist.procedure))
    app.router.add_get("/staff/assist/qr", console.page("helper", assist.qr))
    app.router.add_get("/staff/feedback", console.page("officer", console.feedback))
    app.router.add_post("/staff/feedback/{kind:(rating|feedback)}/{id:\\d+}/handled", console.page("officer", console.feedback_handled))
    app.router.add_get("/staff/unreached", console.page("officer", console.unreached))
    app.router.add_get("/staff/unreached/{id:\\d+}", console.page("officer", console.unreached_one))
    app.router.add_post("/staff/unreached/{id:\\d+}/called", console.page("officer", console.unreached_called))
    app.router.add_get("/staff/handoffs", console.page("officer", console.handoff_list))
    app.router.add_get("/staff/handoffs/{id:\\d+}", console.page("officer", console.handoff_page))
    app.router.add_post("/staff/handoffs/{id:\\d+}/take", console.page("officer", console.handoff_take))
    app.router.add_post("/staff/handoffs/{id:\\d+}/reply", console.page("officer", console.handoff_reply))
    app.router.add_post("/staff/handoffs/{id:\\d+}/release", console.page("officer", console.handoff_release))


class StaffConsole:
    def __init__(
        self, settings: Settings, sessions: Callable[[], SessionFactory], clock: Clock, catalogue: Callable[[], Catalogue]
    ) -> None:
        self._settings, self._sessions, self._clock, self._catalogue = settings, sessions, clock, catalogue

    @property
    def _office_name(self) -> str:
        return self._catalogue().office.name

    def page(self, role: str, handler: StaffHandler) -> Handler:
        """``handler`` for a signed-in ``role`` or higher, with its CSRF token checked on a POST."""

        async def serve(request: web.Request) -> web.StreamResponse:
            async with self._sessions()() as db, db.begin():
                found = await find_session(db, request.cookies.get(COOKIE), self._clock())
                if found is None:
                    if request.method == "GET":
                        raise web.HTTPSeeOther("/staff/login")
                    raise web.HTTPForbidden(text="no session")
                live, account = found
                form = None
                if request.method == "POST":
                    form = await request.post()
                    if not _same(form.get("csrf"), live.csrf):
                        raise web.HTTPForbidden(text="missing or wrong CSRF token")
                staff = Staff(db, live, account, form)
                if not may(account.role, role):
                    return render("denied.html", request, staff, {"needed": role}, status=403)
                return await handler(request, staff)

        return serve

    async def to_home(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently("/staff/")

    async def login_form(self, request: web.Request) -> web.StreamResponse:
        return _login_page(request, None, 200)

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        if not _same(form.get("csrf"), request.cookies.get(LOGIN_CSRF)):
            raise web.HTTPForbidden(text="missing or wrong CSRF token")
        async with self._sessions()() as db, db.begin():
            result = await sign_in(db, str(form.get("username", "")), str(form.get("password", "")), self._clock())
            if result.account is None:
                return _login_page(request, "locked" if result.locked else "wrong", 401)
            token = await open_session(db, result.account, self._clock())
        response = _redirect("/staff/")
        lifetime = int(LIFETIME.total_seconds())
        secure = _over_https(request, self._settings.trusted_proxies)
        response.set_cookie(COOKIE, token, httponly=True, secure=secure, samesite="Lax", path="/staff", max_age=lifetime)
        response.del_cookie(LOGIN_CSRF, path="/staff")
        return response

    async def logout(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        await revoke(staff.db, staff.session, self._clock())
        response = _redirect("/staff/login")
        response.del_cookie(COOKIE, path="/staff")
        return response

    async def home(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        return render("home.html", request, staff, {})

    async def desk(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        return await self._desk(request, staff, request.query.get("code", "").strip(), None)

    async def add_follower(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        """An officer or helper at the counter registers a resident's chat account (no digits:
        the person is there, with their papers)."""
        assert staff.form is not None
        code = str(staff.form.get("code", ""))
        platform, user_id = str(staff.form.get("platform", "")), str(staff.form.get("user_id", "")).strip()
        dossier = await find_dossier(staff.db, normalize_code(code))
        if dossier is None:
            return await self._desk(request, staff, code, None)
        if platform not in handoffs.PLATFORMS or not 1 <= len(user_id) <= 128:
            return await self._desk(request, staff, code, "bad_follower")
        now = self._clock()
        await access.mark_verified(staff.db, dossier, platform, user_id, now)
        added = await access.follow(staff.db, dossier, platform, user_id, "officer", now)
        if added:
            await audit(staff.db, staff.account, "add_follower", dossier.code, now, f"{platform}:{user_id}")
        return await self._desk(request, staff, dossier.code, "added" if added else "already")

    async def _desk(self, request: web.Request, staff: Staff, raw: str, said: str | None) -> web.StreamResponse:
        context: dict[str, Any] = {"query": raw, "said": said, "platforms": handoffs.PLATFORMS}
        if raw:
            found = find_codes(raw)
            context["code"] = code = found[0].value if found else normalize_code(raw)
            dossier = await find_dossier(staff.db, code)
            if dossier is not None:
                await audit(staff.db, staff.account, "view_dossier", dossier.code, self._clock(), again_after=AUDIT_AGAIN_AFTER)
                context |= await _dossier_context(staff.db, dossier)
                context["procedure_name"] = self._catalogue().procedures.name_of(dossier.procedure_code)
                context["qr"] = _follow_qr(dossier.code, self._settings.receipt_secret)
        return render("desk.html", request, staff, context)

    async def handoff_list(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        """Waiting and held conversations; the list refreshes itself in place (staff.js)."""
        return render("handoffs.html", request, staff, {"handoffs": await handoffs.open_handoffs(staff.db)})

    async def handoff_page(self, request: web.Request, staff: Staff, said: str | None = None) -> web.StreamResponse:
        handoff = await self._handoff(request, staff)
        target = f"{handoff.platform}:{handoff.user_id}"
        await audit(staff.db, staff.account, "view_conversation", target, self._clock(), again_after=AUDIT_AGAIN_AFTER)
        lines = await handoffs.transcript(staff.db, handoff)
        context = {"handoff": handoff, "lines": lines, "mine": handoff.officer_id == staff.account.id, "said": said, "max_reply": MAX_REPLY}
        return render("handoff.html", request, staff, context)

    async def handoff_take(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        handoff = await self._handoff(request, staff)
        taken = await handoffs.take(staff.db, handoff, staff.account, self._clock())
        if taken is None:
            return await self.handoff_page(request, staff, "held_by_other")
        if taken == "taken":
            await handoffs.say(staff.db, handoff, kinds.JOINED, vi.HANDOFF_JOINED.format(agency=self._office_name), self._clock())
        return _redirect(f"/staff/handoffs/{handoff.id}")

    async def handoff_reply(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        handoff = await self._handoff(request, staff)
        assert staff.form is not None
        text = unicodedata.normalize("NFC", str(staff.form.get("text", ""))).strip()
        if handoff.state != "taken" or handoff.officer_id != staff.account.id:
            return await self.handoff_page(request, staff, "take_first")
        if not 1 <= len(text) <= MAX_REPLY:
            return await self.handoff_page(request, staff, "bad_reply")
        now = self._clock()
        await handoffs.say(staff.db, handoff, kinds.OFFICER, text, now)
        await audit(staff.db, staff.account, "reply", f"{handoff.platform}:{handoff.user_id}", now, text[:500])
        return _redirect(f"/staff/handoffs/{handoff.id}")

    async def handoff_release(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        handoff = await self._handoff(request, staff)
        if handoff.state != "taken" or handoff.officer_id != staff.account.id:
            return await self.handoff_page(request, staff, "take_first")
        now = self._clock()
        await handoffs.give_back(staff.db, handoff, now)
        await handoffs.say(staff.db, handoff, kinds.BACK, vi.HANDOFF_BACK, now)
        return _redirect("/staff/handoffs")

    async def _handoff(self, request: web.Request, staff: Staff) -> Handoff:
        handoff = await staff.db.get(Handoff, int(request.match_info["id"]))
        if handoff is None:
            raise web.HTTPNotFound(text="no such hand-off")
        return handoff

    async def feedback(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        return render("feedback.html", request, staff, {"items": await followups.feedback_items(staff.db)})

    async def feedback_handled(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        kind, item_id = request.match_info["kind"], int(request.match_info["id"])
        if not await followups.mark_handled(staff.db, kind, item_id, staff.account.username, self._clock()):
            raise web.HTTPNotFound(text="no such item")
        return _redirect("/staff/feedback")

    async def unreached(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        """Notices that did not reach their citizen: why, and a link to the phone to call."""
        return render("unreached.html", request, staff, {"notices": await followups.unreached(staff.db)})

    async def unreached_one(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        """The phone to call: shown only here, and each view is audited."""
        found = await followups.notice_with_phone(staff.db, int(request.match_info["id"]))
        if found is None:
            raise web.HTTPNotFound(text="no such notice")
        notice, dossier = found
        if dossier is not None:
            await audit(staff.db, staff.account, "view_phone", dossier.code, self._clock(), f"notice {notice.id}")
        return render("unreached_one.html", request, staff, {"notice": notice, "dossier": dossier})

    async def unreached_called(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        found = await followups.notice_with_phone(staff.db, int(request.match_info["id"]))
        if found is None:
            raise web.HTTPNotFound(text="no such notice")
        followups.mark_called(found[0], staff.account.username, self._clock())
        return _redirect("/staff/unreached")

    async def audit_log(self, request: web.Request, staff: Staff) -> web.StreamResponse:
        return render("audit.html", request, staff, {"entries": await audit_entries(staff.db)})


async def _dossier_context(db: AsyncSession, dossier: Dossier) -> dict[str, Any]:
    """What the desk shows of a dossier: facts, history, followers, notices."""
    events = await db.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.seen_at))
    followers = await db.scalars(select(Follower).where(Follower.dossier_id == dossier.id).order_by(Follower.created_at))
    notices = await db.scalars(select(OutboxMessage).where(OutboxMessage.dossier_id == dossier.id).order_by(OutboxMessage.created_at))
    return {
        "dossier": dossier,
        "status_name": vi.STATUS_NAMES.get(dossier.status, str(dossier.status)),
        "events": list(events),
        "followers": list(followers),
        "notices": list(notices),
    }


def _status_name(value: object) -> str:
    """A status code of the one-stop system (as stored in an event) by its name."""
    try:
        return vi.STATUS_NAMES.get(int(str(value)), str(value))
    except ValueError:
        return str(value)


def _vietnam_time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def _over_https(request: web.Request, trusted: frozenset[str]) -> bool:
    """HTTPS to this process, or to a trusted reverse proxy that says so (TLS ends at nginx)."""
    if request.secure:
        return True
    return request.remote in trusted and request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def _redirect(location: str) -> web.Response:
    """A 303 returned, not raised: the request's transaction (a new session, a sign-out) commits."""
    return web.Response(status=303, headers={"Location": location})


def _same(given: object, expected: str | None) -> bool:
    return isinstance(given, str) and bool(expected) and hmac.compare_digest(given.encode(), str(expected).encode())


def _login_page(request: web.Request, error: str | None, status: int) -> web.Response:
    token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(32)
    response = aiohttp_jinja2.render_template("login.html", request, {"csrf": token, "error": error}, status=status)
    response.set_cookie(LOGIN_CSRF, token, httponly=True, secure=request.secure, samesite="Strict", path="/staff")
    return no_store(response)


def _follow_qr(code: str, secret: str) -> str | None:
    """The follow QR of the receipt slip, as an image the page can show; None without a secret."""
    if not secret:
        return None
    return str(segno.make(follow_payload(code, secret), error="m").svg_data_uri(scale=6, border=4))
