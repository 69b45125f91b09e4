"""``python -m nlu train|serve``: train the NLU model and run the Rasa NLU server.

Runs with the bot's interpreter and drives Rasa in its own virtual environment
(``.venv-nlu``, Python 3.10), because Rasa 3.6 cannot share the bot's dependencies.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from nlu.status import STATES, NluStatus, clear_status, read_status, var_dir, write_status
from nlu.training import ProgressPrinter, log_tail, minutes, run_training, status_updater, training_env

ROOT = Path(__file__).resolve().parent.parent
# Shared by `make run` and `make test`: one model per fingerprint of the inputs below.
MODELS = Path(os.environ.get("NLU_MODELS_DIR") or ROOT / "models")
# Everything a trained model depends on: a change in any of these means retraining.
TRAINING_INPUTS = ("config.yml", "data/nlu", "nlu/components", "nlu/dossier_codes.py", "nlu/vietnamese.py", "nlu/constraints.txt")


def rasa_executable() -> Path:
    venv = Path(os.environ.get("NLU_VENV", ROOT / ".venv-nlu"))
    return venv / "bin" / "rasa"


def rasa_env() -> dict[str, str]:
    """Environment for Rasa: our components importable, no telemetry, no chatty logs."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["PYTHONWARNINGS"] = "ignore"
    # Rasa's per-message debug lines contain citizens' text: never below INFO.
    env["LOG_LEVEL"] = "WARNING"
    return env


def fingerprint() -> str:
    """A short hash of every training input, names and contents."""
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def model_path(fp: str) -> Path:
    return MODELS / f"nlu-{fp}.tar.gz"


def newest_model() -> Path | None:
    models = sorted(MODELS.glob("nlu-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def shown(path: Path) -> str:
    """A path as a person finds it: relative to the checkout when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def require_model(model: Path | None) -> Path:
    """``model``, or the newest one; stops with exit code 2 when there is none."""
    chosen = model or newest_model()
    if chosen is None:
        print("No NLU model: run `python -m nlu train` first.", file=sys.stderr)
        raise SystemExit(2)
    return chosen


def train(force: bool = False, printer: ProgressPrinter | None = None, report_status: bool = False) -> Path:
    """Train unless a model of the current inputs exists; returns the model's path.

    Rasa's output goes to ``var/nlu-train.log``; the terminal gets the epochs (``printer``).
    ``report_status`` also writes them to the status file the bot reads (``make run``).
    One training at a time per models folder: a ``make test`` started during ``make run``'s
    training waits for it and uses its model, and a model appears whole or not at all.
    """
    target = model_path(fingerprint())
    if target.exists() and not force:
        print(f"NLU model is up to date: {shown(target)}", flush=True)
        return target
    MODELS.mkdir(parents=True, exist_ok=True)
    with (MODELS / ".training.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("Another training of the NLU model is under way in this checkout; waiting for it…", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
            if target.exists() and not force:
                print(f"NLU model is up to date: {shown(target)}", flush=True)
                return target
        for stale in MODELS.glob(".partial-*.tar.gz"):  # left by a training killed with -9
            stale.unlink()
        _train_into(target, printer or ProgressPrinter(sys.stdout), report_status)
    for old in MODELS.glob("nlu-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


def training_command(config: Path, nlu_data: Path, archive: Path) -> list[str]:
    """``rasa train nlu`` writing the model to ``archive`` (a ``.tar.gz`` path)."""
    name = archive.name.removesuffix(".tar.gz")
    return [
        str(rasa_executable()),
        "train",
        "nlu",
        "--config",
        str(config),
        "--nlu",
        str(nlu_data),
        "--out",
        str(archive.parent),
        "--fixed-model-name",
        name,
    ]


def _train_into(target: Path, printer: ProgressPrinter, report_status: bool) -> None:
    log = var_dir() / "nlu-train.log"
    print(f"Training the NLU model {target.name} (about 3 minutes on 2 cores; Rasa's output: {shown(log)})", flush=True)
    # Rasa writes the archive under a name no reader looks for; it is renamed when whole.
    partial = MODELS / f".partial-{os.getpid()}.tar.gz"
    cmd = training_command(ROOT / "config.yml", ROOT / "data" / "nlu", partial)
    started, since = time.monotonic(), time.time()
    on_progress = status_updater(os.getpid(), since) if report_status else (lambda _: None)
    if report_status:
        write_status(NluStatus("training", os.getpid(), since))
    try:
        code = run_training(cmd, training_env(rasa_env()), ROOT, log, printer, on_progress)
        if code != 0 or not partial.exists():
            if report_status:
                write_status(NluStatus("failed", os.getpid(), time.time(), detail=f"training failed; see {shown(log)}"))
            print(log_tail(log), file=sys.stderr)
            raise SystemExit(f"NLU training failed (exit code {code}); Rasa's whole output: {shown(log)}")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    print(f"NLU model trained in {minutes(time.monotonic() - started)}: {shown(target)}", flush=True)


def up(host: str, port: int) -> int:
    """Train if the inputs changed, then serve (``make run``), saying at each step what happens
    in the status file, so that the bot can tell its users while it answers with keywords."""
    model = train(printer=ProgressPrinter(sys.stdout, in_place=False), report_status=True)
    write_status(NluStatus("loading", os.getpid(), time.time()))
    log = var_dir() / "nlu-server.log"
    print(f"NLU server: loading {model.name} on http://{host}:{port} (about 20 s; its output: {shown(log)})", flush=True)
    # A child, not exec: its deprecation warnings go to the log, and if it dies the terminal
    # and the status file say so. Ctrl-C reaches it with this process (one process group).
    with log.open("wb") as out:
        command = serve_command(host, port, model)
        code = subprocess.run(command, cwd=ROOT, env=rasa_env(), stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    write_status(NluStatus("failed", os.getpid(), time.time(), detail=f"the NLU server stopped (exit code {code}); see {shown(log)}"))
    print(log_tail(log), file=sys.stderr)
    print(f"The NLU server stopped (exit code {code}); the bot goes on with keywords. Its output: {shown(log)}", file=sys.stderr)
    return 1


def status(state: str | None, pid: int, detail: str | None) -> int:
    if state is None:
        current = read_status()
        print(json.dumps(current.as_dict() if current else None))
    elif state == "clear":
        clear_status()
    else:
        write_status(NluStatus(state, pid, time.time(), detail=detail))
    return 0


def serve_command(host: str, port: int, model: Path) -> list[str]:
    return [str(rasa_executable()), "run", "--enable-api", "--model", str(model), "--interface", host, "--port", str(port), "--quiet"]


def serve(host: str, port: int, model: Path | None) -> int:
    """Replace this process with ``rasa run --enable-api``; returns only on error."""
    model = require_model(model)
    cmd = serve_command(host, port, model)
    print(f"NLU server: http://{host}:{port} (model {model.name})", flush=True)
    # Become the Rasa process, so that signals (Ctrl-C, SIGTERM) reach it directly.
    os.chdir(ROOT)
    os.execve(cmd[0], cmd, rasa_env())


def evaluate(file: Path, model: Path | None, url: str | None, as_json: bool, rasa_report: bool) -> int:
    """Print the evaluation of ``file``; against ``url``, or a server started on ``model``."""
    import asyncio
    import tempfile

    from nlu.evaluation import predict, read_examples, render, score
    from nlu.server import running_server

    examples = read_examples(file)
    texts = [e.text for e in examples]
    if url:
        predictions = asyncio.run(predict(url, texts))
    else:
        model = require_model(model)
        with tempfile.TemporaryDirectory() as tmp, running_server(model, Path(tmp) / "rasa.log") as started:
            predictions = asyncio.run(predict(started, texts))
    report = score(examples, predictions)
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if as_json else render(report, str(file)))
    if rasa_report:
        out = ROOT / "results"
        cmd = [str(rasa_executable()), "test", "nlu", "-u", str(file), "-m", str(require_model(model)), "--out", str(out)]
        subprocess.run(cmd, cwd=ROOT, env=rasa_env(), check=True)
        print(f"Rasa's own reports: {out.relative_to(ROOT)}/")
    return 0


def tune(file: Path, model: Path | None) -> int:
    """Print accuracy on ``file`` for each fallback threshold (the best goes into config.yml)."""
    import asyncio
    import tempfile

    from nlu.evaluation import predict_raw, read_examples, threshold_table
    from nlu.server import running_server

    model = require_model(model)
    examples = read_examples(file)
    with tempfile.TemporaryDirectory() as tmp, running_server(model, Path(tmp) / "rasa.log") as url:
        bodies = asyncio.run(predict_raw(url, [e.text for e in examples]))
    table = threshold_table(examples, bodies)
    for threshold, accuracy in table:
        print(f"threshold {threshold:.2f}  accuracy {accuracy:.1%}")
    best = max(table, key=lambda row: (row[1], -row[0]))
    print(f"best on {file.name}: {best[0]:.2f} ({best[1]:.1%}); set it as FallbackClassifier's threshold in config.yml")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    train_cmd = sub.add_parser("train", help="train the NLU model if its inputs changed")
    train_cmd.add_argument("--force", action="store_true", help="train even if a model of the current inputs exists")
    up_cmd = sub.add_parser("up", help="train if the inputs changed, then serve, telling the bot meanwhile (make run)")
    up_cmd.add_argument("--host", default=os.environ.get("NLU_HOST", "127.0.0.1"))
    up_cmd.add_argument("--port", type=int, default=int(os.environ.get("NLU_PORT", "5005")))
    status_cmd = sub.add_parser("status", help="print the starter's state, or set it (scripts/run-all)")
    status_cmd.add_argument("state", nargs="?", choices=(*STATES, "clear"))
    status_cmd.add_argument("--pid", type=int, default=None, help="the starter's process id (default: this one's parent)")
    status_cmd.add_argument("--detail", default=None)
    serve_cmd = sub.add_parser("serve", help="run the Rasa NLU server with the newest model")
    serve_cmd.add_argument("--host", default=os.environ.get("NLU_HOST", "127.0.0.1"))
    serve_cmd.add_argument("--port", type=int, default=int(os.environ.get("NLU_PORT", "5005")))
    serve_cmd.add_argument("--model", type=Path, default=None)
    evaluate_cmd = sub.add_parser("evaluate", help="evaluate the model on a held-out file (Rasa NLU YAML)")
    evaluate_cmd.add_argument("file", type=Path, nargs="?", default=ROOT / "tests" / "nlu" / "test_nlu.yml")
    evaluate_cmd.add_argument("--model", type=Path, default=None, help="default: the newest model")
    evaluate_cmd.add_argument("--url", default=None, help="a running NLU server instead of starting one")
    evaluate_cmd.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate_cmd.add_argument("--rasa-report", action="store_true", help="also run `rasa test nlu` (reports in results/)")
    tune_cmd = sub.add_parser("tune-threshold", help="fallback threshold accuracy table on the development file")
    tune_cmd.add_argument("file", type=Path, nargs="?", default=ROOT / "tests" / "nlu" / "dev_nlu.yml")
    tune_cmd.add_argument("--model", type=Path, default=None, help="default: the newest model")
    args = parser.parse_args(argv)
    if args.command == "tune-threshold":
        return tune(args.file, args.model)
    if args.command == "evaluate":
        return evaluate(args.file, args.model, args.url, args.json, args.rasa_report)
    if args.command == "train":
        train(force=args.force)
        return 0
    if args.command == "up":
        return up(args.host, args.port)
    if args.command == "status":
        return status(args.state, args.pid or os.getppid(), args.detail)
    return serve(args.host, args.port, args.model)


if __name__ == "__main__":
    sys.exit(main())
