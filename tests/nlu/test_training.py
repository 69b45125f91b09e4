"""Training's progress: Rasa's epoch bar read from its output, a few lines shown, all of it logged."""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

from nlu.status import read_status
from nlu.training import Progress, ProgressPrinter, clock_seconds, log_tail, read_progress, run_training, status_updater

# What Rasa 3.6 prints while DIET trains (tqdm on stderr, redrawn with carriage returns).
BAR = (
    "Epochs:   0%|          | 0/50 [00:00<?, ?it/s]"
    "\rEpochs:  12%|█▏        | 6/50 [00:19<01:46,  2.42s/it, t_loss=2.62, i_acc=0.96]"
    "\rEpochs:  14%|█▍        | 7/50 [00:21<01:32,  2.15s/it, t_loss=2.53, i_acc=0.966]"
)


def test_the_last_epoch_of_a_redrawn_bar_is_read() -> None:
    progress = read_progress("2026-12-02 INFO Starting to train DIETClassifier\n" + BAR, elapsed=40.0)
    assert progress == Progress(epoch=7, epochs=50, elapsed=40.0, expected=40.0 + 92)
    assert read_progress("Epochs:   0%|          | 0/50 [00:00<?, ?it/s]", 15.0) == Progress(0, 50, 15.0, None)
    assert read_progress("WARNING tensorflow: pages of warnings", 3.0) is None
    assert clock_seconds("1:02:10") == 3730 and clock_seconds("?") is None


def test_a_pipe_gets_a_line_every_ten_epochs_and_a_terminal_one_line_redrawn() -> None:
    out = io.StringIO()
    printer = ProgressPrinter(out, every=10, in_place=False)
    for epoch in (0, 0, 3, 9, 10, 11, 25, 50):
        printer.show(Progress(epoch, 50, epoch * 2.0, 100.0 if epoch else None))
    printer.close()
    assert out.getvalue().splitlines() == [
        "NLU training: epoch 0/50, 0:00 elapsed",
        "NLU training: epoch 10/50, 0:20 elapsed, about 1:40 in all",
        "NLU training: epoch 25/50, 0:50 elapsed, about 1:40 in all",
        "NLU training: epoch 50/50, 1:40 elapsed, about 1:40 in all",
    ]
    tty = io.StringIO()
    printer = ProgressPrinter(tty, in_place=True)
    printer.show(Progress(1, 50, 3.0, 150.0))
    printer.show(Progress(2, 50, 6.0, 150.0))
    printer.close()
    assert tty.getvalue().count("\r") == 2 and tty.getvalue().endswith("\n") and tty.getvalue().count("\n") == 1


FAKE_RASA = """
import sys, time
print("WARNING: pages of TensorFlow warnings", flush=True)
for epoch in range(4):
    sys.stderr.write(f"\\rEpochs: {epoch * 25}%|##   | {epoch}/3 [00:0{epoch}<00:0{3 - epoch}, 1.00s/it]")
    sys.stderr.flush()
    time.sleep(0.05)
sys.exit(int(sys.argv[1]))
"""


def test_training_output_goes_to_the_log_and_its_epochs_to_the_status_file(tmp_path: Path, nlu_status_file: Path) -> None:
    log, out = tmp_path / "train.log", io.StringIO()
    update = status_updater(os.getpid(), time.time())
    code = run_training(
        [sys.executable, "-c", FAKE_RASA, "0"], dict(os.environ), tmp_path, log, ProgressPrinter(out, every=1, in_place=False), update
    )
    assert code == 0
    assert "pages of TensorFlow warnings" in log.read_text() and "3/3" in log.read_text()
    assert "warnings" not in out.getvalue() and out.getvalue().splitlines()[-1].startswith("NLU training: epoch 3/3")
    status = read_status(nlu_status_file)
    assert status is not None and (status.state, status.epoch, status.epochs) == ("training", 3, 3)


def test_a_failed_training_returns_its_code_and_the_tail_is_readable(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    code = run_training(
        [sys.executable, "-c", FAKE_RASA, "3"], dict(os.environ), tmp_path, log, ProgressPrinter(io.StringIO(), in_place=False)
    )
    assert code == 3
    tail = log_tail(log)
    assert "\r" not in tail and tail.splitlines()[-1].startswith("Epochs: 75%")
