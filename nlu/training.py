"""Running ``rasa train nlu`` with its pages of warnings kept in a log file, and its progress
shown as a few short lines: epoch, time elapsed, time expected in all.

Rasa shows DIET's epochs with a tqdm bar on stderr (only at log level INFO or lower); this
module reads that bar and nothing else from the output. The whole output goes to
``var/nlu-train.log``; its tail is printed when training fails.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from nlu.status import NluStatus, write_status

# "Epochs:  24%|██▍       | 12/50 [00:40<02:10,  3.43s/it, t_loss=…]"
_EPOCHS = re.compile(r"Epochs:\s*\d+%\|[^|]*\|\s*(\d+)/(\d+)\s*\[([\d:]+)<([\d:?]+)")


@dataclass(frozen=True)
class Progress:
    epoch: int
    epochs: int
    elapsed: float  # since training began (featurising included)
    expected: float | None  # the whole training, when tqdm could estimate what remains


def clock_seconds(text: str) -> float | None:
    """tqdm's "02:10" or "1:02:10" in seconds; None for "?"."""
    try:
        parts = [int(p) for p in text.split(":")]
    except ValueError:
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return float(seconds)


def read_progress(chunk: str, elapsed: float) -> Progress | None:
    """The last epoch counter in ``chunk`` (tqdm redraws with carriage returns)."""
    matches = _EPOCHS.findall(chunk)
    if not matches:
        return None
    epoch, epochs, _, remaining = matches[-1]
    left = clock_seconds(remaining)
    return Progress(int(epoch), int(epochs), elapsed, None if left is None or int(epoch) == 0 else elapsed + left)


def minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def describe(progress: Progress) -> str:
    expected = f", about {minutes(progress.expected)} in all" if progress.expected is not None else ""
    return f"NLU training: epoch {progress.epoch}/{progress.epochs}, {minutes(progress.elapsed)} elapsed{expected}"


class ProgressPrinter:
    """On a terminal, one line redrawn in place; elsewhere (CI, pipes, ``make run`` beside the
    bot's log) a line every ``every`` epochs and at the end."""

    def __init__(self, out: IO[str], every: int = 10, in_place: bool | None = None) -> None:
        self._out = out
        self._every = every
        self._in_place = out.isatty() if in_place is None else in_place
        self._last_epoch = -1

    def show(self, progress: Progress) -> None:
        if progress.epoch == self._last_epoch:
            return
        if self._in_place:
            self._out.write("\r" + describe(progress) + "\x1b[K")
        elif progress.epoch == progress.epochs or progress.epoch // self._every > self._last_epoch // self._every:
            self._out.write(describe(progress) + "\n")
        self._last_epoch = progress.epoch
        self._out.flush()

    def close(self) -> None:
        if self._in_place and self._last_epoch >= 0:
            self._out.write("\n")
            self._out.flush()


def run_training(
    cmd: list[str],
    env: dict[str, str],
    cwd: Path,
    log: Path,
    printer: ProgressPrinter,
    on_progress: Callable[[Progress], None] = lambda _: None,
) -> int:
    """Run ``cmd``, every byte of its output into ``log``, its epochs to ``printer``; its exit code."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert proc.stdout is not None
        tail = ""
        while chunk := proc.stdout.read1(4096):  # type: ignore[attr-defined]
            sink.write(chunk)
            sink.flush()
            tail = (tail + chunk.decode("utf-8", errors="replace"))[-4096:]
            progress = read_progress(tail, time.monotonic() - started)
            if progress is not None:
                printer.show(progress)
                on_progress(progress)
        code = proc.wait()
    printer.close()
    return code


def status_updater(pid: int, since: float) -> Callable[[Progress], None]:
    """Writes the training's state for the bot (see :mod:`nlu.status`) at each new epoch."""
    last = [-1]

    def update(progress: Progress) -> None:
        if progress.epoch != last[0]:
            last[0] = progress.epoch
            write_status(NluStatus("training", pid, since, progress.epoch, progress.epochs, progress.expected))

    return update


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    # tqdm's redraws are noise in a tail: keep the last state of each line.
    cleaned = [line.rsplit("\r", 1)[-1] for line in text.splitlines()]
    return "\n".join(cleaned[-lines:])


def training_env(base: dict[str, str]) -> dict[str, str]:
    """Rasa shows its epoch bar only at INFO: training data holds no citizen's message."""
    env = dict(base)
    env["LOG_LEVEL"] = "INFO"
    return env
