"""Settings, read from the environment (and ``.env``) and checked once at start.

A bad value stops the start with one line naming the key; nothing is discovered at the
first request. Every key and its default is documented in ``.env.example``.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from bot.notify import kinds
from bot.retention import Retention
from nlu.parse import DEFAULT_FALLBACK_THRESHOLD

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
# Values never echoed in an error message (they may hold passwords).
_SECRET_KEYS = frozenset(
    {
        "DATABASE_URL", "DOSSIER_API_SECRET", "RECEIPT_SECRET", "WEB_CHAT_SECRET", "ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY",
        "ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN", "FACEBOOK_APP_SECRET", "FACEBOOK_PAGE_ACCESS_TOKEN", "FACEBOOK_VERIFY_TOKEN",
        "METRICS_TOKEN",
    }
)  # fmt: skip


@dataclass(frozen=True)
class ZaloSettings:
    """A Zalo Official Account; enabled when any of its keys is set, then all are required."""

    app_id: str
    app_secret: str = field(repr=False)
    oa_secret_key: str = field(repr=False)
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    api_base: str = "https://openapi.zalo.me"
    oauth_base: str = "https://oauth.zaloapp.com"
    business_api_base: str = "https://business.openapi.zalo.me"
    # Approved template ids by notice kind (ZALO_TEMPLATE_<KIND>): notices after the 7-day window.
    templates: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FacebookSettings:
    """A Facebook Page on Messenger; enabled when any of its keys is set, then all are required."""

    app_secret: str = field(repr=False)
    page_access_token: str = field(repr=False)
    verify_token: str = field(repr=False)
    graph_base: str = "https://graph.facebook.com/v25.0"


_ZALO_REQUIRED = ("ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN")
_FACEBOOK_REQUIRED = ("FACEBOOK_APP_SECRET", "FACEBOOK_PAGE_ACCESS_TOKEN", "FACEBOOK_VERIFY_TOKEN")


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names the key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    database_url: str = field(default=f"sqlite+aiosqlite:///{ROOT / 'var' / 'onestop.db'}", repr=False)  # may hold a password
    nlu_url: str = "http://127.0.0.1:5005"  # or several, comma-separated: spread and failed over
    nlu_timeout: float = 1.5
    nlu_fallback_threshold: float = DEFAULT_FALLBACK_THRESHOLD
    agency_code: str = "dan-phuong"
    # At start: update agencies and procedures from DATA_DIR; load the demo dossiers (only when asked).
    load_catalogue: bool = True
    load_demo_data: bool = False
    data_dir: Path = ROOT / "data"
    log_level: str = "INFO"
    # After this long without a message, a conversation starts afresh.
    context_idle: timedelta = timedelta(minutes=30)
    # Shared with the one-stop system: signs POST /api/dossiers. Empty: the API is closed.
    dossier_api_secret: str = field(default="", repr=False)
    # Signs the receipt's QR (follow without confirming digits). Empty: receipts carry no QR.
    receipt_secret: str = field(default="", repr=False)
    # Wrong confirmation digits for one dossier in one day, from all senders, before its digits path shuts.
    dossier_digits_limit: int = 10
    # Signs the web chat's sender-id cookie. Empty: a random key per process (ids last until restart).
    web_chat_secret: str = field(default="", repr=False)
    # Reverse proxies whose X-Forwarded-For is believed (their own addresses). Empty: none.
    trusted_proxies: frozenset[str] = frozenset()
    # Alerts in the log (bot/alerts.py): a due row older than this; Rasa silent for longer than this.
    alert_backlog: timedelta = timedelta(minutes=10)
    alert_nlu_down: timedelta = timedelta(minutes=10)
    # A bearer token for GET /metrics. Empty: /metrics answers this machine only (loopback, not via a proxy).
    metrics_token: str = field(default="", repr=False)
    # Sites that may show /report in an <iframe> (the commune's portal), as origins. Empty: none.
    report_frame_origins: frozenset[str] = frozenset()
    zalo: ZaloSettings | None = None
    facebook: FacebookSettings | None = None
    # Which notices followers get (NOTIFY_KINDS, comma-separated; "received" is off by default).
    notify_kinds: frozenset[str] = kinds.DEFAULT
    # No notices between these local times (Zalo refuses night sends); None: any time.
    quiet_hours: tuple[time, time] | None = (time(22, 0), time(6, 0))
    # The satisfaction question goes this long after the result was returned.
    survey_delay: timedelta = timedelta(hours=24)
    # Messages per second per platform, per bot process (SEND_RATE_ZALO, SEND_RATE_FACEBOOK).
    send_rates: dict[str, float] = field(default_factory=lambda: {"zalo": 50.0, "facebook": 250.0})
    # How long messages and ratings are kept (RETAIN_MESSAGES_DAYS, RETAIN_RATINGS_DAYS; bot/retention.py).
    retention: Retention = field(default_factory=Retention)


def _text(raw: str) -> str:
    if not raw.strip():
        raise ValueError("must not be empty")
    return raw.strip()


def _number(raw: str, kind: Callable[[str], T]) -> T:
    try:
        return kind(raw.strip())
    except ValueError:
        raise ValueError("is not a number") from None


def _port(raw: str) -> int:
    value = _number(raw, int)
    if not 1 <= value <= 65535:
        raise ValueError("must be between 1 and 65535")
    return value


def _seconds(raw: str) -> float:
    value = _number(raw, float)
    if not 0 < value <= 60:
        raise ValueError("must be more than 0 and at most 60 seconds")
    return value


def _share(raw: str) -> float:
    value = _number(raw, float)
    if not 0 <= value <= 1:
        raise ValueError("must be between 0 and 1")
    return value


def _boolean(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _http_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError("must be an http(s) URL such as http://127.0.0.1:5005")
    return raw.strip().rstrip("/")


def _origins(raw: str) -> frozenset[str]:
    """Origins as a Content-Security-Policy names them: scheme, host and port, nothing after."""
    found = set()
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        parts = urlsplit(part)
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path.strip("/") or parts.query or parts.username:
            raise ValueError(f"has {part!r}, not an origin such as https://danphuong.hanoi.gov.vn")
        found.add(f"{parts.scheme}://{parts.netloc.lower()}")
    return frozenset(found)


def _http_urls(raw: str) -> str:
    """One or several http(s) URLs, comma-separated (several Rasa servers)."""
    return ",".join(_http_url(part) for part in raw.split(",") if part.strip())


def _database_url(raw: str) -> str:
    scheme = raw.split(":", 1)[0]
    if scheme not in {"sqlite+aiosqlite", "postgresql+asyncpg"}:
        raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
    return raw.strip()


def _secret(raw: str) -> str:
    if len(raw.strip()) < 32:
        raise ValueError("must be at least 32 characters (a random secret)")
    return raw.strip()


def _minutes(raw: str) -> timedelta:
    value = _number(raw, float)
    if not 1 <= value <= 7 * 24 * 60:
        raise ValueError("must be between 1 and 10080 minutes")
    return timedelta(minutes=value)


def _directory(raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise ValueError(f"{path} is not a directory")
    return path.resolve()


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in logging.getLevelNamesMapping():
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return level


def _kinds(raw: str) -> frozenset[str]:
    chosen = frozenset(part.strip().lower() for part in raw.split(",") if part.strip())
    unknown = sorted(chosen - set(kinds.ALL))
    if unknown:
        raise ValueError(f"has unknown kinds {unknown}; known: {', '.join(kinds.ALL)}")
    return chosen


def _clock_time(raw: str) -> time:
    hours, _, minutes = raw.strip().partition(":")
    if not (hours.isdecimal() and minutes.isdecimal() and int(hours) < 24 and int(minutes) < 60):
        raise ValueError("must be HH:MM-HH:MM, e.g. 22:00-06:00 (or empty for none)")
    return time(int(hours), int(minutes))


def _quiet_hours(raw: str) -> tuple[time, time] | None:
    if raw.strip().lower() in {"off", "none"}:
        return None
    start, sep, end = raw.partition("-")
    if not sep:
        raise ValueError("must be HH:MM-HH:MM, e.g. 22:00-06:00 (or empty for none)")
    return _clock_time(start), _clock_time(end)


def _hours(raw: str) -> timedelta:
    value = _number(raw, float)
    if not 0 <= value <= 24 * 30:
        raise ValueError("must be between 0 and 720 hours")
    return timedelta(hours=value)


def _addresses(raw: str) -> frozenset[str]:
    found = frozenset(part.strip() for part in raw.split(",") if part.strip())
    for address in found:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ValueError(f"has {address!r}, not an IP address (list the proxies' addresses, comma-separated)") from None
    return found


def _attempts(raw: str) -> int:
    value = _number(raw, int)
    if not 1 <= value <= 1000:
        raise ValueError("must be a whole number from 1 to 1000")
    return value


def _days(raw: str) -> timedelta:
    value = _number(raw, int)
    if not 1 <= value <= 3650:
        raise ValueError("must be a whole number of days from 1 to 3650")
    return timedelta(days=value)


def _rate(raw: str) -> float:
    value = _number(raw, float)
    if not 0 < value <= 10_000:
        raise ValueError("must be more than 0 and at most 10000 messages per second")
    return value


def _read(env: Mapping[str, str], key: str, convert: Callable[[str], T], default: T) -> T:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        return convert(raw)
    except ValueError as exc:
        shown = "the value" if key in _SECRET_KEYS else repr(raw)
        raise ConfigError(key, f"{shown} {exc}") from exc


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build :class:`Settings` from ``env``; raises :class:`ConfigError` naming the bad key."""
    d = Settings()
    return Settings(
        host=_read(env, "BOT_HOST", _text, d.host),
        port=_read(env, "BOT_PORT", _port, d.port),
        database_url=_read(env, "DATABASE_URL", _database_url, d.database_url),
        nlu_url=_read(env, "NLU_URL", _http_urls, d.nlu_url),
        nlu_timeout=_read(env, "NLU_TIMEOUT", _seconds, d.nlu_timeout),
        nlu_fallback_threshold=_read(env, "NLU_FALLBACK_THRESHOLD", _share, d.nlu_fallback_threshold),
        agency_code=_read(env, "AGENCY_CODE", _text, d.agency_code),
        load_catalogue=_read(env, "LOAD_CATALOGUE", _boolean, d.load_catalogue),
        load_demo_data=_read(env, "LOAD_DEMO_DATA", _boolean, d.load_demo_data),
        data_dir=_read(env, "DATA_DIR", _directory, d.data_dir),
        log_level=_read(env, "LOG_LEVEL", _log_level, d.log_level),
        context_idle=_read(env, "CONTEXT_IDLE_MINUTES", _minutes, d.context_idle),
        dossier_api_secret=_read(env, "DOSSIER_API_SECRET", _secret, d.dossier_api_secret),
        receipt_secret=_read(env, "RECEIPT_SECRET", _secret, d.receipt_secret),
        dossier_digits_limit=_read(env, "DOSSIER_DIGITS_LIMIT", _attempts, d.dossier_digits_limit),
        web_chat_secret=_read(env, "WEB_CHAT_SECRET", _secret, d.web_chat_secret),
        trusted_proxies=_read(env, "TRUSTED_PROXIES", _addresses, d.trusted_proxies),
        report_frame_origins=_read(env, "REPORT_FRAME_ORIGINS", _origins, d.report_frame_origins),
        metrics_token=_read(env, "METRICS_TOKEN", _secret, d.metrics_token),
        alert_backlog=_read(env, "ALERT_BACKLOG_MINUTES", _minutes, d.alert_backlog),
        alert_nlu_down=_read(env, "ALERT_NLU_DOWN_MINUTES", _minutes, d.alert_nlu_down),
        zalo=_zalo(env),
        facebook=_facebook(env),
        notify_kinds=_read(env, "NOTIFY_KINDS", _kinds, d.notify_kinds),
        # An empty QUIET_HOURS (set, but blank) turns the quiet hours off.
        quiet_hours=None if env.get("QUIET_HOURS") == "" else _read(env, "QUIET_HOURS", _quiet_hours, d.quiet_hours),
        survey_delay=_read(env, "SURVEY_DELAY_HOURS", _hours, d.survey_delay),
        send_rates={
            "zalo": _read(env, "SEND_RATE_ZALO", _rate, d.send_rates["zalo"]),
            "facebook": _read(env, "SEND_RATE_FACEBOOK", _rate, d.send_rates["facebook"]),
        },
        retention=Retention(
            messages=_read(env, "RETAIN_MESSAGES_DAYS", _days, d.retention.messages),
            ratings=_read(env, "RETAIN_RATINGS_DAYS", _days, d.retention.ratings),
        ),
    )


def _required(env: Mapping[str, str], keys: tuple[str, ...], platform: str) -> dict[str, str] | None:
    """The platform's keys, ``None`` when none is set; a missing one stops the start."""
    given = {key: env.get(key, "").strip() for key in keys}
    if not any(given.values()):
        return None
    for key, value in given.items():
        if not value:
            raise ConfigError(key, f"is required: {platform} is enabled (another of its keys is set)")
    return given


def _zalo(env: Mapping[str, str]) -> ZaloSettings | None:
    keys = _required(env, _ZALO_REQUIRED, "Zalo")
    if keys is None:
        return None
    d = ZaloSettings("", "", "", "", "")
    return ZaloSettings(
        app_id=keys["ZALO_APP_ID"],
        app_secret=keys["ZALO_APP_SECRET"],
        oa_secret_key=keys["ZALO_OA_SECRET_KEY"],
        access_token=keys["ZALO_ACCESS_TOKEN"],
        refresh_token=keys["ZALO_REFRESH_TOKEN"],
        api_base=_read(env, "ZALO_API_BASE", _http_url, d.api_base),
        oauth_base=_read(env, "ZALO_OAUTH_BASE", _http_url, d.oauth_base),
        business_api_base=_read(env, "ZALO_BUSINESS_API_BASE", _http_url, d.business_api_base),
        templates=_templates(env),
    )


def _templates(env: Mapping[str, str]) -> dict[str, str]:
    """``ZALO_TEMPLATE_<KIND>`` → template id, for the kinds that have one."""
    found = {kind: env.get(f"ZALO_TEMPLATE_{kind.upper()}", "").strip() for kind in kinds.ALL}
    return {kind: template_id for kind, template_id in found.items() if template_id}


def _facebook(env: Mapping[str, str]) -> FacebookSettings | None:
    keys = _required(env, _FACEBOOK_REQUIRED, "Facebook Messenger")
    if keys is None:
        return None
    return FacebookSettings(
        app_secret=keys["FACEBOOK_APP_SECRET"],
        page_access_token=keys["FACEBOOK_PAGE_ACCESS_TOKEN"],
        verify_token=keys["FACEBOOK_VERIFY_TOKEN"],
        graph_base=_read(env, "FACEBOOK_GRAPH_BASE", _http_url, FacebookSettings("", "", "").graph_base),
    )
