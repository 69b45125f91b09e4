"""``make run`` (scripts/run-all): the bot answers before the NLU model is trained, says that it
is training, and Ctrl-C stops everything, the training included; a Rasa server that dies is
said in the terminal and in the bot's header, and the bot goes on with keywords.

Rasa here is a stand-in executable (``NLU_VENV``) that prints Rasa's epoch bar: the real
training takes minutes and is what ``bench/first_answer.py`` measures.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.config import ROOT
from bot.texts import vi
from nlu.server import free_port
from tests.conftest import closed_port

# FAKE_RASA_EPOCHS epochs (0: for ever), then the model file where `rasa train` would put it;
# `rasa run` dies at once.
FAKE_RASA = """#!{python}
import os, sys, time
if sys.argv[1] == "train":
    with open(os.environ["FAKE_RASA_PIDS"], "a") as pids:
        pids.write(f"{{os.getpid()}}\\n")
    epochs = int(os.environ["FAKE_RASA_EPOCHS"]) or 10**6
    for epoch in range(epochs + 1):
        sys.stderr.write(f"\\rEpochs:   2%|   | {{epoch}}/50 [00:{{epoch % 60:02d}}<02:00, 1.00s/it]")
        sys.stderr.flush()
        time.sleep(0.3)
    args = sys.argv
    out, name = args[args.index("--out") + 1], args[args.index("--fixed-model-name") + 1]
    open(os.path.join(out, name + ".tar.gz"), "wb").close()
    sys.exit(0)
print("the stand-in server cannot serve", file=sys.stderr)
sys.exit(3)
"""


def _nlu_state(port: int) -> dict[str, object]:
    """What /healthz says of the NLU, or nothing while the bot is not up yet."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
            state: dict[str, object] = json.load(resp)["nlu_state"]
            return state
    except (OSError, ValueError):
        return {}


def _ask(port: int, message: str) -> str:
    body = json.dumps({"sender": "u1", "message": message}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        return str(json.load(resp)[0]["text"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")


class RunAll:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, out: Path, pids: Path) -> None:
        self.proc, self.port, self.out, self.pids = proc, port, out, pids

    def wait_for(self, condition: Callable[[dict[str, object]], bool], within: float = 90) -> dict[str, object]:
        deadline = time.monotonic() + within
        while not condition(state := _nlu_state(self.port)):
            assert self.proc.poll() is None and time.monotonic() < deadline, self.out.read_text(errors="replace")
            time.sleep(0.3)
        return state


def fake_rasa_env(tmp_path: Path, epochs: int) -> dict[str, str]:
    """The stand-in Rasa, an empty models folder (it must train), the trainers' pids file."""
    venv = tmp_path / "fake-venv"
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    rasa = venv / "bin" / "rasa"
    rasa.write_text(FAKE_RASA.format(python=sys.executable))
    rasa.chmod(0o755)
    return {
        **os.environ,
        "NLU_VENV": str(venv),
        "NLU_MODELS_DIR": str(tmp_path / "models"),
        "FAKE_RASA_PIDS": str(tmp_path / "trainer.pids"),
        "FAKE_RASA_EPOCHS": str(epochs),
    }


@contextmanager
def run_all(tmp_path: Path, database_url: str, epochs: int) -> Iterator[RunAll]:
    pids, port, out = tmp_path / "trainer.pids", free_port(), tmp_path / "run-all.out"
    env = {
        **fake_rasa_env(tmp_path, epochs),
        "DATABASE_URL": database_url,
        "BOT_HOST": "127.0.0.1",
        "BOT_PORT": str(port),
        "NLU_URL": f"http://127.0.0.1:{closed_port()}",
        "NLU_PORT": str(closed_port()),
        "LOG_LEVEL": "INFO",
    }
    with out.open("wb") as sink:
        # Its own process group, like a terminal's foreground job: Ctrl-C is a SIGINT to that group.
        proc = subprocess.Popen([str(ROOT / "scripts" / "run-all")], env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield RunAll(proc, port, out, pids)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)


def test_the_bot_answers_during_training_and_ctrl_c_stops_the_training_too(tmp_path: Path, database_url: str) -> None:
    with run_all(tmp_path, database_url, epochs=0) as run:
        state = run.wait_for(lambda s: s.get("step") == "training" and int(str(s.get("epoch", 0))) >= 2)
        assert state["mode"] == "starting" and str(state["notice"]).startswith("Trợ lý đang khởi động bộ hiểu ngôn ngữ")
        assert "Đăng ký khai sinh" in _ask(run.port, "làm giấy khai sinh cần giấy tờ gì")
        [trainer] = [int(line) for line in run.pids.read_text().split()]
        assert _alive(trainer)
        os.killpg(run.proc.pid, signal.SIGINT)  # Ctrl-C
        run.proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _alive(trainer):
            assert time.monotonic() < deadline, "the training survived Ctrl-C"
            time.sleep(0.1)
    log = run.out.read_text(errors="replace")
    assert "NLU training: epoch 0/50" in log and "Bot ready" in log


def test_a_server_that_dies_is_said_and_the_bot_goes_on_with_keywords(tmp_path: Path, database_url: str) -> None:
    with run_all(tmp_path, database_url, epochs=3) as run:
        run.wait_for(lambda s: "The NLU server stopped" in run.out.read_text(errors="replace") and bool(s))  # trained, then died
        assert _nlu_state(run.port) == {"mode": "keywords", "notice": vi.NLU_KEYWORDS}
        assert "Đăng ký khai sinh" in _ask(run.port, "làm giấy khai sinh cần giấy tờ gì")
        assert run.proc.poll() is None  # the bot is still up
    log = run.out.read_text(errors="replace")
    assert "NLU model trained in" in log and "The NLU server stopped (exit code 3)" in log and "the stand-in server cannot serve" in log


def test_two_trainings_at_once_make_one_model(tmp_path: Path) -> None:
    """``make test`` started while ``make run`` trains: the second waits and uses the first's model."""
    env = fake_rasa_env(tmp_path, epochs=6)
    command = [sys.executable, "-m", "nlu", "train"]
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while not (tmp_path / "trainer.pids").exists():
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    first_out, _ = first.communicate(timeout=30)
    assert first.returncode == 0 and "NLU model trained in" in first_out
    assert "waiting for it" in second.stdout and "NLU model is up to date" in second.stdout
    assert len((tmp_path / "trainer.pids").read_text().split()) == 1  # Rasa trained once
    assert [p.name for p in (tmp_path / "models").glob("*.tar.gz")] == [p.name for p in (tmp_path / "models").glob("nlu-*.tar.gz")]
