"""The process's Prometheus metrics, served at ``/metrics`` (bot/web/metrics_page.py).

One registry per process, module-level like the loggers: the places that count (webhooks'
inbox, delivery, NLU client, importer, lookup limits) need no object passed around. Each bot
process is scraped on its own port; Prometheus sums them. Labels are bounded: platforms,
message kinds, platform error codes, limit names — never a user or a text.
"""

from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.process_collector import ProcessCollector

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # CPU, memory, open files of this process

INBOUND = Counter(
    "onestop_inbound_events", "Webhook events stored in the inbox (duplicates not counted)", ["platform", "kind"], registry=REGISTRY
)
SENT = Counter(
    "onestop_messages_sent",
    "Messages sent whole: replies (kind=reply), officers' messages and notices by kind",
    ["platform", "kind"],
    registry=REGISTRY,
)
SEND_ERRORS = Counter("onestop_send_errors", "Sends that failed, by the platform's error code", ["platform", "code"], registry=REGISTRY)
NLU_SECONDS = Histogram(
    "onestop_nlu_parse_seconds", "Time to understand a message, by who parsed it", ["source"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0), registry=REGISTRY,
)  # fmt: skip
NLU_KEYWORDS = Counter("onestop_nlu_keyword_fallbacks", "Messages understood by keywords because Rasa did not answer", registry=REGISTRY)
IMPORTED = Counter("onestop_dossier_import_rows", "Dossier rows imported or rejected (file and API)", ["result"], registry=REGISTRY)
LOOKUPS_REFUSED = Counter("onestop_lookups_refused", "Dossier lookups and confirmations refused by a limit", ["limit"], registry=REGISTRY)
BACKLOG = Gauge("onestop_backlog_rows", "Inbox and outbox rows waiting to be handled (due now or later)", ["queue"], registry=REGISTRY)
OLDEST_DUE = Gauge(
    "onestop_backlog_oldest_due_seconds", "How long the oldest due row has waited (0: none due)", ["queue"], registry=REGISTRY
)

_CODE = re.compile(r"\berror (-?\d+(?:/\w+)?)|\bhttp (\d{3})")


def error_code(reason: str | None) -> str:
    """A platform's error code from a send failure's reason ("zalo error -14014" → "-14014",
    "graph error 10/2018278" → "10/2018278", "zalo http 503" → "http_503"); else its class."""
    if not reason:
        return "unknown"
    found = _CODE.search(reason)
    if found:
        return found.group(1) or f"http_{found.group(2)}"
    if "unreachable" in reason:
        return "network"
    if "not JSON" in reason:
        return "bad_json"
    if "not configured" in reason:
        return "not_configured"
    if "window" in reason:
        return "outside_window"
    return "other"
