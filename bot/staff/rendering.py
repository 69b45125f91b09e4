"""What every console page shares: the signed-in person of a request, and how a page is rendered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import StaffAccount, StaffSession
from bot.staff.accounts import ROLES, may


@dataclass(frozen=True)
class Staff:
    """The signed-in person of a request, in the request's transaction."""

    db: AsyncSession
    session: StaffSession
    account: StaffAccount
    form: MultiDictProxy[Any] | None


def render(template: str, request: web.Request, staff: Staff, context: dict[str, Any], status: int = 200) -> web.Response:
    base = {"account": staff.account, "csrf": staff.session.csrf, "roles": ROLES, "may": may}
    return no_store(aiohttp_jinja2.render_template(template, request, base | context, status=status))


def no_store(response: web.Response) -> web.Response:
    """Pages with personal data stay out of the browser's and proxies' caches."""
    response.headers["Cache-Control"] = "no-store"
    return response
