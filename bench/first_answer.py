"""What a newcomer waits for, measured on clean clones of this checkout (issue 14's targets):

1. ``make run`` in a clean clone: seconds to the first answer of the README's curl, then to
   the switch to Rasa (its environment installed and its model trained meanwhile);
2. ``make test`` in another clean clone: wall time;
3. ``make run`` again in that second clone: the model ``make test`` trained is reused (no
   training line), seconds to the first answer and to Rasa;
4. ``python -m nlu train`` there once more: nothing to train.

Run from the repository root: ``python3 -m bench.first_answer`` (about 15 minutes on 2 cores;
the package cache should be warm, as after any ``make``). Ports are free loopback ones, so a
running ``make run`` is not disturbed. Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from nlu.server import free_port

ROOT = Path(__file__).resolve().parent.parent


def readme_curl() -> list[str]:
    """The README's curl line, pointed at ``port`` later."""
    [line] = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("curl ")]
    return shlex.split(line)


def ask(curl: list[str], port: int) -> str | None:
    """The README's curl against ``port``; the first reply's text, or None while nothing answers."""
    words = [w.replace("localhost:8080", f"127.0.0.1:{port}") for w in curl] + ["--max-time", "5"]
    done = subprocess.run(words, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    try:
        return str(json.loads(done.stdout)[0]["text"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def nlu_mode(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            return str(json.load(resp)["nlu_state"]["mode"])
    except (OSError, ValueError, KeyError):
        return None


def clone(into: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(ROOT), str(into)], check=True)
    return into


@dataclass(frozen=True)
class RunTimes:
    first_answer: float  # seconds from `make run` to the curl's first answer
    rasa: float  # ... to /healthz saying that Rasa parses
    trained: bool  # whether this `make run` trained a model


def measure_run(checkout: Path, log: Path, limit: float = 900) -> RunTimes:
    """``make run`` until Rasa answers; then Ctrl-C, as a person would."""
    port, nlu_port = free_port(), free_port()
    env = {**os.environ, "BOT_PORT": str(port), "NLU_PORT": str(nlu_port), "NLU_URL": f"http://127.0.0.1:{nlu_port}"}
    curl = readme_curl()
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(["make", "run"], cwd=checkout, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            first: float | None = None
            rasa: float | None = None
            while first is None or rasa is None:
                if proc.poll() is not None or time.monotonic() - started > limit:
                    raise SystemExit(f"make run stopped or took too long; see {log}")
                if first is None and ask(curl, port):
                    first = time.monotonic() - started
                if first is not None and nlu_mode(port) == "rasa":
                    rasa = time.monotonic() - started
                time.sleep(0.5)
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    text = log.read_text(errors="replace")
    return RunTimes(first, rasa, "Training the NLU model" in text)


def measure_test(checkout: Path, log: Path) -> float:
    started = time.monotonic()
    with log.open("wb") as out:
        code = subprocess.run(["make", "test"], cwd=checkout, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    if code != 0:
        raise SystemExit(f"make test failed ({code}); see {log}")
    return time.monotonic() - started


def minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the clones and logs (printed)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="first-answer-"))
    print(f"clones and logs in {work}", file=sys.stderr, flush=True)
    first = measure_run(clone(work / "run"), work / "make-run.log")
    print(f"make run, clean clone: {json.dumps(asdict(first))}", file=sys.stderr, flush=True)
    second_clone = clone(work / "test")
    test_s = measure_test(second_clone, work / "make-test.log")
    print(f"make test, clean clone: {test_s:.0f} s", file=sys.stderr, flush=True)
    again = measure_run(second_clone, work / "make-run-after-test.log")
    print(f"make run after make test: {json.dumps(asdict(again))}", file=sys.stderr, flush=True)
    retrain = subprocess.run([".venv/bin/python", "-m", "nlu", "train"], cwd=second_clone, capture_output=True, text=True, check=True)
    up_to_date = "up to date" in retrain.stdout
    print("| step (clean clone, warm package cache, 2 cores) | measured | target |")
    print("|---|---|---|")
    print(f"| `make run` → first answer to the README's curl | {minutes(first.first_answer)} | < 3 min |")
    print(f"| `make run` → switch to Rasa (installs Rasa, trains the model) | {minutes(first.rasa)} | |")
    print(f"| `make test` (wall time) | {minutes(test_s)} | < 10 min |")
    reused = "no training" if not again.trained else "TRAINED AGAIN"
    print(f"| then `make run` → first answer / Rasa ({reused}) | {minutes(again.first_answer)} / {minutes(again.rasa)} | |")
    print(f"| then `python -m nlu train` | {'up to date, nothing trained' if up_to_date else 'TRAINED AGAIN'} | |")
    if not args.keep:
        subprocess.run(["rm", "-rf", str(work)], check=False)
    ok = first.first_answer < 180 and test_s < 600 and not again.trained and up_to_date
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
