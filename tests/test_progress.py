"""Progress bars of the imports: on a terminal a redrawn line with rows per second; in pipes nothing."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

from bot.config import ROOT
from bot.progress import ProgressBar
from tests.test_dossier_import import GOOD, _import, _jsonl


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_is_redrawn_at_most_every_fifth_of_a_second_and_ends_on_its_total() -> None:
    out, clock = io.StringIO(), Clock()
    with ProgressBar("Importing d.jsonl", 1000, out=out, enabled=True, clock=clock) as bar:
        for _ in range(10):
            clock.now += 0.05
            bar.advance(50)  # 4 advances per redraw
        clock.now += 0.5
        bar.advance(500)
    frames = out.getvalue().split("\r")[1:]
    assert len(frames) == 3 and out.getvalue().endswith("\n")
    assert frames[-1].startswith("Importing d.jsonl [########################] 1,000/1,000 rows (100%), 1,000 rows/s")


def test_nothing_is_written_where_no_one_watches() -> None:
    out = io.StringIO()  # not a terminal, like CI's log or a pipe
    with ProgressBar("Importing", 10, out=out) as bar:
        bar.advance(10)
    assert out.getvalue() == ""


def _rows(count: int) -> list[object]:
    return [{**GOOD, "code": f"000.00.31.H26-261101-{i:04d}", "applicant_phone": f"09000{i:05d}"} for i in range(1, count + 1)]


def test_import_dossiers_shows_a_bar_on_a_terminal_only(tmp_path: Path, database_url: str) -> None:
    path = _jsonl(tmp_path / "d.jsonl", _rows(1200))
    piped = _import(path, database_url)
    assert piped.returncode == 0 and "\r" not in piped.stderr + piped.stdout and "rows/s" not in piped.stderr
    leader, follower = pty.openpty()  # stderr on a real pseudo-terminal, as in an officer's shell
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "bot", "import-dossiers", str(path)]
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=follower) as proc:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            shown += chunk
        assert proc.wait() == 0
    os.close(leader)
    text = shown.decode()
    assert "Importing d.jsonl [" in text and "1,200/1,200 rows (100%)" in text and "rows/s" in text
