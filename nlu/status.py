"""What the local NLU server is doing while it is not yet answering: a small JSON file.

``python -m nlu up`` (``make run``) installs Rasa's environment, trains or loads the model,
then serves; meanwhile the bot answers with keywords and tells its users that the language
model is starting (``/healthz``, the web chat's header). The Rasa server cannot say so
itself — it listens only once its model is loaded — so its starter writes this file, with its
process id, so that a starter that died is not taken for one still working.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The states of a starter that is working; "failed" stays until the next start.
WORKING = ("installing", "training", "loading")
STATES = (*WORKING, "failed")


def var_dir() -> Path:
    """Where the starter keeps its status and logs (``NLU_VAR_DIR``; tests use their own)."""
    return Path(os.environ.get("NLU_VAR_DIR") or ROOT / "var")


def status_file() -> Path:
    return var_dir() / "nlu-status.json"


@dataclass(frozen=True)
class NluStatus:
    state: str
    pid: int
    since: float  # epoch seconds when this state began
    epoch: int | None = None
    epochs: int | None = None
    expected_seconds: float | None = None  # the whole training, as estimated from its pace
    detail: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def write_status(status: NluStatus, path: Path | None = None) -> None:
    """Replace the file atomically: a reader never sees half of it."""
    path = path or status_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(status.as_dict()), encoding="utf-8")
    tmp.replace(path)


def read_status(path: Path | None = None) -> NluStatus | None:
    """The starter's state, or None when there is no file, it is unreadable, or its writer died
    while working (a stale "training" must not promise a model forever)."""
    path = path or status_file()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        status = NluStatus(
            state=str(raw["state"]),
            pid=int(raw["pid"]),
            since=float(raw["since"]),
            epoch=_int_or_none(raw.get("epoch")),
            epochs=_int_or_none(raw.get("epochs")),
            expected_seconds=_float_or_none(raw.get("expected_seconds")),
            detail=str(raw["detail"]) if raw.get("detail") is not None else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if status.state not in STATES:
        return None
    if status.state in WORKING and not _alive(status.pid):
        return None
    return status


def clear_status(path: Path | None = None) -> None:
    with contextlib.suppress(FileNotFoundError):
        (path or status_file()).unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def _float_or_none(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
