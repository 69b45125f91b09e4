"""The unanswered-questions loop on the real Rasa server: messages the model does not
understand are kept, an officer labels them, ``export-training`` writes them for review, and,
merged into the NLU data and retrained, they are understood.

The retraining uses config.yml with fewer epochs (EPOCHS) to keep ``make test`` within its
time; the pipeline is otherwise the production one.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import aiohttp
import yaml
from pytest_aiohttp.plugin import AiohttpClient
from sqlalchemy import select

from bot.app import create_app
from bot.config import ROOT, Settings
from bot.models import UnplacedMessage
from bot.runtime import RUNTIME
from nlu.__main__ import rasa_env, training_command
from nlu.client import NluClient
from nlu.evaluation import read_examples
from nlu.server import running_server
from nlu.training import ProgressPrinter, run_training, training_env
from tests.conftest import DEMO_NOW, say
from tests.staff.conftest import Clock, signed_in

EPOCHS = 20
# How long to wait: the model answers "how much" (ask_fee) or not at all; the citizens meant
# the processing time.
WAITING = ("phải chờ đợi bao nhiêu hôm mới có", "chờ đợi bao nhiêu hôm mới có ạ", "ad ơi phải chờ đợi bao nhiêu hôm mới có")
MEANT = "ask_processing_time"


async def test_labelled_messages_once_merged_and_retrained_are_understood(
    aiohttp_client: AiohttpClient, settings: Settings, rasa_server: tuple[str, Path], tmp_path: Path
) -> None:
    url = rasa_server[0]
    async with aiohttp.ClientSession() as http:
        before = [await NluClient(http, url, timeout=10.0).parse(text) for text in WAITING]
    assert all(p.intent != MEANT for p in before), before  # the premise: not understood yet

    client = await aiohttp_client(create_app(replace(settings, nlu_url=url, nlu_timeout=10.0), Clock(), background=False))
    for i, text in enumerate(WAITING):
        await say(client, text, sender=f"citizen-{i}")
    async with client.app[RUNTIME].sessions() as session:
        kept = (await session.scalars(select(UnplacedMessage).order_by(UnplacedMessage.id))).all()
    assert [m.text for m in kept] == list(WAITING)
    csrf = await signed_in(client, "lan", "officer")
    page = await (await client.get("/staff/questions")).text()
    assert "3 tin nhắn" in page
    ids = ",".join(str(m.id) for m in kept)
    labelled = await client.post("/staff/questions/label", data={"csrf": csrf, "ids": ids, "intent": MEANT}, allow_redirects=False)
    assert labelled.status == 303

    review = tmp_path / "review"
    env = {**os.environ, "DATABASE_URL": settings.database_url, "LOG_LEVEL": "WARNING"}
    since = (DEMO_NOW - timedelta(days=1)).date().isoformat()
    command = [sys.executable, "-m", "bot", "export-training", "--since", since, "--out", str(review)]
    await asyncio.to_thread(subprocess.run, command, check=True, env=env, cwd=ROOT, capture_output=True, text=True)
    assert {(e.text, e.intent) for e in read_examples(review / "nlu.yml")} == {(text, MEANT) for text in WAITING}

    # Merged as the export's note says: the file copied into the NLU data folder.
    data = tmp_path / "nlu"
    shutil.copytree(ROOT / "data" / "nlu", data)
    shutil.copy(review / "nlu.yml", data / "exported.yml")
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    diet = next(step for step in config["pipeline"] if step["name"] == "DIETClassifier")
    diet["epochs"] = EPOCHS
    (tmp_path / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    model = tmp_path / "models" / "merged.tar.gz"
    code = await asyncio.to_thread(
        run_training,
        training_command(tmp_path / "config.yml", data, model), training_env(rasa_env()), ROOT, tmp_path / "train.log",
        ProgressPrinter(io.StringIO()), lambda _: None,
    )  # fmt: skip
    assert code == 0 and model.exists(), (tmp_path / "train.log").read_text(encoding="utf-8")[-2000:]

    with running_server(model, tmp_path / "rasa.log") as retrained:
        async with aiohttp.ClientSession() as http:
            nlu = NluClient(http, retrained, timeout=10.0)
            after = [await nlu.parse(text) for text in WAITING]
            others = [await nlu.parse(text) for text in ("lệ phí làm giấy khai sinh bao nhiêu", "xin chào")]
    assert [p.intent for p in after] == [MEANT] * len(WAITING), after
    assert [p.intent for p in others] == ["ask_fee", "greet"]  # what it understood before, still understood
