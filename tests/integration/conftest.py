"""One real Rasa NLU server for the integration tests of a session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nlu.__main__ import fingerprint, model_path
from nlu.server import running_server


@pytest.fixture(scope="session")
def rasa_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The real NLU server on the model of the current data and config; its URL and log file."""
    model = model_path(fingerprint())
    assert model.exists(), f"{model} is missing: `make test` trains it (python -m nlu train)"
    log = tmp_path_factory.mktemp("rasa") / "rasa.log"
    with running_server(model, log) as url:
        yield url, log
