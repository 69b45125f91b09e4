"""HTTP client of the Rasa NLU server, with a timeout, a circuit breaker and a fallback.

Rasa runs in its own process (it pins Python < 3.11 and blocks its event loop while
parsing). When it is down or slow the bot must still answer: after a failure the client
uses :func:`nlu.keywords.keyword_parse` and stops calling Rasa for a cool-down period,
so that a dead server does not add a timeout to every message.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from nlu.dossier_codes import find_codes, is_dossier_code, normalize_code
from nlu.keywords import keyword_parse
from nlu.parse import DEFAULT_FALLBACK_THRESHOLD, FALLBACK_INTENT, Entity, Parse

log = logging.getLogger(__name__)


class CircuitBreaker:
    """Open after ``threshold`` consecutive failures; half-open again after ``cooldown`` s."""

    def __init__(self, threshold: int = 3, cooldown: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._threshold = threshold
        self._cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def allows(self) -> bool:
        if self._opened_at is None:
            return True
        return self._clock() - self._opened_at >= self._cooldown

    def success(self) -> None:
        self._failures = 0
        self._opened_at = None

    def failure(self) -> None:
        self._failures += 1
        if self._failures >= self._threshold:
            self._opened_at = self._clock()


@dataclass
class _Server:
    url: str
    breaker: CircuitBreaker


class NluClient:
    """Parses citizens' messages with Rasa, or with keywords when Rasa cannot answer.

    ``base_url`` may list several Rasa servers, comma-separated: messages are spread over them
    in turn, a server that fails is skipped (its own circuit breaker) and the next one tried,
    and only when none answers are keywords used.
    """

    def __init__(
        self,
        http: aiohttp.ClientSession,
        base_url: str,
        timeout: float,
        breakers: Callable[[], CircuitBreaker] = CircuitBreaker,
        threshold: float = DEFAULT_FALLBACK_THRESHOLD,
    ) -> None:
        self._http = http
        self._threshold = threshold
        self._servers = [_Server(url.strip().rstrip("/"), breakers()) for url in base_url.split(",") if url.strip()]
        if not self._servers:
            raise ValueError("no NLU server URL")
        self._turn = 0
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        # How many parses came from each source ("rasa", "keywords"): what evaluations report.
        self.sources: Counter[str] = Counter()
        # Which one parsed last ("rasa", "keywords"; None before the first message): a switch is
        # logged once (``nlu_switch``), not once a message.
        self.mode: str | None = None

    async def parse(self, text: str) -> Parse:
        parsed = await self._parse(text)
        self.sources[parsed.source] += 1
        return parsed

    def _in_turn(self) -> list[_Server]:
        """The servers starting with the next one's turn: the load is spread."""
        start, self._turn = self._turn, (self._turn + 1) % len(self._servers)
        return self._servers[start:] + self._servers[:start]

    async def _parse(self, text: str) -> Parse:
        failed: list[str] = []
        for server in self._in_turn():
            if not server.breaker.allows:
                continue
            try:
                parsed = await self._parse_remote(server.url, text)
            except (TimeoutError, aiohttp.ClientError, ValueError, KeyError, TypeError) as exc:
                server.breaker.failure()
                failed.append(type(exc).__name__)
                continue
            server.breaker.success()
            self._switch("rasa", "NLU server answers; parsing with Rasa")
            return parsed
        why = f" ({', '.join(failed)})" if failed else ""
        self._switch("keywords", f"NLU server unavailable{why}; parsing with keywords")
        return keyword_parse(text)

    def _switch(self, mode: str, why: str) -> None:
        if mode != self.mode:
            # Keywords at start-up (Rasa still loading or training) are expected, not a warning.
            level = logging.WARNING if mode == "keywords" and self.mode is not None else logging.INFO
            log.log(level, "nlu_switch: %s", why)
            self.mode = mode

    async def watch(self) -> None:
        """Switch to Rasa as soon as a server answers, without waiting for a message or the
        breaker's cool-down (run every few seconds by the scheduler): the switch is seen, and the
        first message after it is already parsed by Rasa. A server that came back is used again."""
        for server in self._servers:
            if self.mode == "rasa" and server.breaker.allows:
                continue
            if await self._ready(server.url):
                server.breaker.success()
                self._switch("rasa", "NLU server answers; parsing with Rasa")
        if self.mode is None:
            self._switch("keywords", "NLU server not answering yet; parsing with keywords until it does")

    async def ready(self) -> bool:
        """Whether a server answers and has a model loaded."""
        for server in self._servers:
            if await self._ready(server.url):
                return True
        return False

    async def _ready(self, url: str) -> bool:
        try:
            async with self._http.get(f"{url}/status", timeout=self._timeout) as resp:
                if resp.status != 200:
                    return False
                body = await resp.json()
        except (TimeoutError, aiohttp.ClientError, ValueError):
            return False
        return isinstance(body, dict) and bool(body.get("model_file"))

    async def _parse_remote(self, url: str, text: str) -> Parse:
        async with self._http.post(f"{url}/model/parse", json={"text": text}, timeout=self._timeout) as resp:
            resp.raise_for_status()
            body = await resp.json()
        return parse_from_rasa(body, text, self._threshold)


def parse_from_rasa(body: dict[str, Any], text: str, threshold: float = DEFAULT_FALLBACK_THRESHOLD) -> Parse:
    """Turn Rasa's ``/model/parse`` answer into a :class:`Parse`.

    An intent below ``threshold`` becomes the fallback. Dossier codes are always
    normalised, and also found by pattern in case the model missed one: a code in the
    message must never be lost.
    """
    intent = body["intent"]
    entities: list[Entity] = []
    for raw in body.get("entities") or []:
        name = str(raw["entity"])
        value = str(raw["value"])
        if name == "dossier_code":
            if not is_dossier_code(value):
                continue
            value = normalize_code(value)
        entities.append(Entity(name, value, raw.get("start"), raw.get("end")))
    known = {e.value for e in entities if e.entity == "dossier_code"}
    for code in find_codes(text):
        if code.value not in known:
            entities.append(Entity("dossier_code", code.value, code.start, code.end))
    name, confidence = str(intent.get("name") or FALLBACK_INTENT), float(intent.get("confidence") or 0.0)
    if confidence < threshold:
        return Parse(FALLBACK_INTENT, confidence, tuple(entities), guess=name if name != FALLBACK_INTENT else None)
    return Parse(name, confidence, tuple(entities))
