"""The logging policy: even at LOG_LEVEL=DEBUG, the loggers that print SQL values stay quiet."""

from __future__ import annotations

import logging

from bot import logs


def test_debug_does_not_open_the_loggers_that_print_sql_values() -> None:
    saved = {name: logging.getLogger(name).level for name in (*logs.PRIVATE, *logs.NOISY)}
    try:
        logs.configure("DEBUG")
        assert all(not logging.getLogger(name).isEnabledFor(logging.INFO) for name in logs.PRIVATE)
        assert logging.getLogger("sqlalchemy.engine.Engine").getEffectiveLevel() == logging.WARNING
        assert all(logging.getLogger(name).isEnabledFor(logging.DEBUG) for name in logs.NOISY)
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
