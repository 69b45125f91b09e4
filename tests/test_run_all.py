"""``make run`` (scripts/run-all): the bot answers before the NLU model is trained, says that it
is training, and Ctrl-C stops everything, the training included.

Rasa here is a stand-in executable (``NLU_VENV``) that trains for ever, printing Rasa's epoch
bar: the real training takes minutes and is what ``bench/first_answer.py`` measures.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.config import ROOT
from nlu.server import free_port
from tests.conftest import closed_port

FAKE_RASA = """#!{python}
import os, sys, time
if sys.argv[1] == "train":
    with open(os.environ["FAKE_RASA_PIDS"], "a") as pids:
        pids.write(f"{{os.getpid()}}\\n")
    for epoch in range(10**6):
        sys.stderr.write(f"\\rEpochs:   2%|   | {{epoch}}/50 [00:{{epoch % 60:02d}}<02:00, 1.00s/it]")
        sys.stderr.flush()
        time.sleep(0.3)
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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")


def test_the_bot_answers_during_training_and_ctrl_c_stops_the_training_too(tmp_path: Path, database_url: str) -> None:
    venv = tmp_path / "fake-venv"
    (venv / "bin").mkdir(parents=True)
    rasa = venv / "bin" / "rasa"
    rasa.write_text(FAKE_RASA.format(python=sys.executable))
    rasa.chmod(0o755)
    pids, port = tmp_path / "trainer.pids", free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BOT_HOST": "127.0.0.1",
        "BOT_PORT": str(port),
        "NLU_URL": f"http://127.0.0.1:{closed_port()}",
        "NLU_VENV": str(venv),
        "NLU_MODELS_DIR": str(tmp_path / "models"),  # no model yet: it must train
        "FAKE_RASA_PIDS": str(pids),
        "LOG_LEVEL": "INFO",
    }
    out = (tmp_path / "run-all.out").open("wb")
    # Its own process group, like a terminal's foreground job: Ctrl-C is a SIGINT to that group.
    proc = subprocess.Popen([str(ROOT / "scripts" / "run-all")], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, state = time.monotonic() + 90, dict[str, object]()
        while not (state.get("step") == "training" and int(str(state.get("epoch", 0))) >= 2):
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "run-all.out").read_text(errors="replace")
            state = _nlu_state(port)
            time.sleep(0.3)
        assert state["mode"] == "starting" and str(state["notice"]).startswith("Trợ lý đang khởi động bộ hiểu ngôn ngữ")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/webhooks/rest/webhook",
            data=json.dumps({"sender": "u1", "message": "làm giấy khai sinh cần giấy tờ gì"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert "Đăng ký khai sinh" in json.load(resp)[0]["text"]
        [trainer] = [int(line) for line in pids.read_text().split()]
        assert _alive(trainer)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=30) != 0
        deadline = time.monotonic() + 10
        while _alive(trainer):
            assert time.monotonic() < deadline, "the training survived Ctrl-C"
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        out.close()
    log = (tmp_path / "run-all.out").read_text(errors="replace")
    assert "NLU training: epoch 0/50" in log and "Bot ready" in log
