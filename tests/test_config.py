"""Settings are checked once at start; a bad value names its key and stops the start."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from bot.config import ROOT, ConfigError, Settings, load_settings


def test_defaults_without_environment() -> None:
    settings = load_settings({})
    assert settings == Settings()
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.database_url.endswith("var/onestop.db")


def test_values_are_read_and_converted(tmp_path: os.PathLike[str]) -> None:
    settings = load_settings(
        {
            "BOT_HOST": "0.0.0.0",
            "BOT_PORT": "9000",
            "DATABASE_URL": "postgresql+asyncpg://u:p@localhost/db",
            "NLU_URL": "http://rasa:5005/",
            "NLU_TIMEOUT": "2.5",
            "LOAD_DEMO_DATA": "yes",
            "DATA_DIR": str(tmp_path),
            "LOG_LEVEL": "debug",
            "CONTEXT_IDLE_MINUTES": "90",
        }
    )
    assert settings.context_idle == timedelta(minutes=90)
    assert (settings.host, settings.port, settings.nlu_timeout, settings.load_demo_data) == ("0.0.0.0", 9000, 2.5, True)
    assert settings.nlu_url == "http://rasa:5005"
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("BOT_PORT", "eighty"),
        ("BOT_PORT", "0"),
        ("BOT_PORT", "70000"),
        ("NLU_URL", "localhost:5005"),
        ("NLU_TIMEOUT", "-1"),
        ("NLU_TIMEOUT", "soon"),
        ("NLU_FALLBACK_THRESHOLD", "1.5"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("LOAD_DEMO_DATA", "maybe"),
        ("DATA_DIR", "/no/such/folder"),
        ("LOG_LEVEL", "LOUD"),
        ("BOT_HOST", "  "),
        ("CONTEXT_IDLE_MINUTES", "0"),
        ("DOSSIER_API_SECRET", "short"),
        ("CONTEXT_IDLE_MINUTES", "a while"),
    ],
)
def test_bad_value_names_the_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({key: value})
    assert caught.value.key == key
    assert str(caught.value).startswith(f"{key}: ")


def test_database_url_is_never_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"DATABASE_URL": "mysql://root:s3cret@localhost/x"})
    assert "s3cret" not in str(caught.value)


def test_bad_setting_stops_the_bot_with_one_line_and_non_zero_exit() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_PORT"}} | {"BOT_PORT": "abc"}
    proc = subprocess.run([sys.executable, "-m", "bot", "run"], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["Configuration error: BOT_PORT: 'abc' is not a number"]


def test_secrets_are_never_shown() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"DOSSIER_API_SECRET": "tooshort-secret"})
    assert "tooshort-secret" not in str(caught.value)
    settings = load_settings({"DOSSIER_API_SECRET": "x" * 40, "DATABASE_URL": "postgresql+asyncpg://u:pw123@h/db"})
    assert "x" * 40 not in repr(settings) and "pw123" not in repr(settings)


def test_a_platform_is_enabled_by_any_key_and_then_needs_them_all() -> None:
    assert load_settings({}).zalo is None and load_settings({}).facebook is None
    with pytest.raises(ConfigError) as caught:
        load_settings({"ZALO_APP_ID": "123", "ZALO_OA_SECRET_KEY": "k"})
    assert caught.value.key == "ZALO_APP_SECRET" and "Zalo is enabled" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_settings({"FACEBOOK_PAGE_ACCESS_TOKEN": "secret-token-value"})
    assert caught.value.key == "FACEBOOK_APP_SECRET" and "secret-token-value" not in str(caught.value)
    keys = {"FACEBOOK_APP_SECRET": "a", "FACEBOOK_PAGE_ACCESS_TOKEN": "p", "FACEBOOK_VERIFY_TOKEN": "v"}
    facebook = load_settings(keys).facebook
    assert facebook is not None and facebook.graph_base == "https://graph.facebook.com/v25.0" and "'p'" not in repr(facebook)


def test_notice_settings() -> None:
    from datetime import time

    settings = load_settings(
        {"NOTIFY_KINDS": "ready, Apology", "QUIET_HOURS": "21:30-07:00", "SURVEY_DELAY_HOURS": "2", "SEND_RATE_ZALO": "10"}
    )
    assert settings.notify_kinds == frozenset({"ready", "apology"})
    assert settings.quiet_hours == (time(21, 30), time(7, 0)) and settings.survey_delay == timedelta(hours=2)
    assert settings.send_rates == {"zalo": 10.0, "facebook": 250.0}
    assert load_settings({"QUIET_HOURS": ""}).quiet_hours is None  # set but empty: no quiet hours
    assert load_settings({}).quiet_hours == (time(22, 0), time(6, 0)) and "received" not in load_settings({}).notify_kinds
    for key, value in [("NOTIFY_KINDS", "ready,sms"), ("QUIET_HOURS", "25:00-06:00"), ("QUIET_HOURS", "22h"), ("SEND_RATE_ZALO", "0")]:
        with pytest.raises(ConfigError) as caught:
            load_settings({key: value})
        assert caught.value.key == key


def test_zalo_templates_by_kind() -> None:
    keys = {k: "x" for k in ("ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN")}
    settings = load_settings({**keys, "ZALO_TEMPLATE_READY": " 123 ", "ZALO_TEMPLATE_APOLOGY": ""})
    assert settings.zalo is not None and settings.zalo.templates == {"ready": "123"}


def test_the_dossier_digits_limit_is_a_small_whole_number() -> None:
    assert load_settings({}).dossier_digits_limit == 10
    assert load_settings({"DOSSIER_DIGITS_LIMIT": "3"}).dossier_digits_limit == 3
    for bad in ("0", "ten", "2.5"):
        with pytest.raises(ConfigError, match="DOSSIER_DIGITS_LIMIT"):
            load_settings({"DOSSIER_DIGITS_LIMIT": bad})


def test_trusted_proxies_are_addresses() -> None:
    assert load_settings({"TRUSTED_PROXIES": "127.0.0.1, ::1"}).trusted_proxies == frozenset({"127.0.0.1", "::1"})
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_settings({"TRUSTED_PROXIES": "nginx.local"})
